import { describe, expect, it } from 'vitest';
import { matchRoute, pathWith } from './router';

const ROUTES = [
  ['/', 'traces'],
  ['/traces/:traceId', 'trace'],
  ['/sessions/:sessionId', 'session'],
] as const;

describe('matchRoute', () => {
  it.each([
    ['/', { page: 'traces', params: {} }],
    ['/traces/abc/', { page: 'trace', params: { traceId: 'abc' } }],
    ['/sessions/alice%40example.com', { page: 'session', params: { sessionId: 'alice@example.com' } }],
    ['/sessions/chat.42', { page: 'session', params: { sessionId: 'chat.42' } }],
    ['/sessions/100%zz', { page: 'session', params: { sessionId: '100%zz' } }],
    ['/traces', null],
    ['/traces/a/b', null],
  ])('matches %s', (path, want) => {
    expect(matchRoute(path, ROUTES)).toEqual(want);
  });
});

describe('pathWith', () => {
  it('leaves out empty values and repeats arrays', () => {
    expect(pathWith('/api/traces', { service: 'a b', status: null, text: '', attr: ['k=v', 'x=1'], live: true, limit: 50 })).toBe(
      '/api/traces?service=a+b&attr=k%3Dv&attr=x%3D1&live=true&limit=50',
    );
    expect(pathWith('/', {})).toBe('/');
  });
});

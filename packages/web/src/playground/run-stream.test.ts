import { describe, expect, it } from 'vitest';
import { readEvents } from './run-stream';

describe('readEvents', () => {
  it('gives whole events and keeps a partial one for the next read', () => {
    const first = readEvents('retry: 1000\n\nevent: delta\nid: 0\ndata: {"text":"Hel"}\n\nevent: delta\nid: 1\ndata: {"te');
    expect(first.events).toEqual([{ name: 'delta', data: '{"text":"Hel"}' }]);
    const second = readEvents(`${first.rest}xt":"lo"}\n\nevent: result\ndata: {}\n\n`);
    expect(second.events).toEqual([
      { name: 'delta', data: '{"text":"lo"}' },
      { name: 'result', data: '{}' },
    ]);
    expect(second.rest).toBe('');
  });

  it('reads CRLF line ends, comments, unnamed events and data over several lines', () => {
    expect(readEvents(': keepalive\r\n\r\ndata: a\r\ndata: b\r\n\r\n').events).toEqual([{ name: 'message', data: 'a\nb' }]);
  });
});

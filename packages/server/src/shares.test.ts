import { describe, expect, it } from 'vitest';
import { type Release, type ShareLimits, Shares, WaitingShares, parseShareLimits } from './shares.js';

const spec = (limits: ShareLimits) => ({ what: 'running experiments', flag: '--experiments-max', limits, retryAfterSeconds: 5 });

describe('Shares', () => {
  // Each row: the limits, what is held before (project names), who asks next, and the answer.
  const cases: Array<{ limits: ShareLimits; held: string[]; asks: string; refused: null | { code: string; status: number; names: string } }> = [
    { limits: { project: 2, server: 3 }, held: [], asks: 'a', refused: null },
    { limits: { project: 2, server: 3 }, held: ['a'], asks: 'a', refused: null },
    {
      limits: { project: 2, server: 3 },
      held: ['a', 'a'],
      asks: 'a',
      refused: { code: 'ERR_PROJECT_SHARE_FULL', status: 429, names: '--experiments-max project=2' },
    },
    { limits: { project: 2, server: 3 }, held: ['a', 'a'], asks: 'b', refused: null },
    {
      limits: { project: 2, server: 3 },
      held: ['a', 'a', 'b'],
      asks: 'c',
      refused: { code: 'ERR_SERVER_SHARE_FULL', status: 503, names: '--experiments-max server=3' },
    },
    // A project at its share is told so (429) even when the server is full too.
    {
      limits: { project: 2, server: 3 },
      held: ['a', 'a', 'b'],
      asks: 'a',
      refused: { code: 'ERR_PROJECT_SHARE_FULL', status: 429, names: "project 'a' holds 2" },
    },
    { limits: { project: 0, server: 2 }, held: ['a'], asks: 'a', refused: null },
    { limits: { project: 0, server: 2 }, held: ['a', 'a'], asks: 'b', refused: { code: 'ERR_SERVER_SHARE_FULL', status: 503, names: 'server=2' } },
    { limits: { project: 1, server: 0 }, held: ['a', 'b', 'c', 'd'], asks: 'e', refused: null },
    { limits: { project: 0, server: 0 }, held: ['a', 'a', 'a'], asks: 'a', refused: null },
  ];
  it.each(cases)('with $limits and $held held, $asks asking is refused: $refused', ({ limits, held, asks, refused }) => {
    const shares = new Shares(spec(limits));
    for (const projectId of held) shares.acquire(projectId);
    if (refused === null) {
      expect(() => shares.acquire(asks)).not.toThrow();
      return;
    }
    let thrown: unknown;
    try {
      shares.acquire(asks);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: refused.code, status: refused.status, retryAfterSeconds: 5 });
    expect((thrown as Error).message).toContain(refused.names);
    expect((thrown as Error).message).toContain('running experiments');
  });

  it('gives back what a release took, once however often it is called', () => {
    const shares = new Shares(spec({ project: 1, server: 2 }));
    const release = shares.acquire('a');
    expect(shares.hasRoom('a')).toBe(false);
    release();
    release();
    expect([shares.held('a'), shares.held()]).toEqual([0, 0]);
    shares.acquire('a');
    shares.acquire('b');
    expect(shares.held()).toBe(2);
  });
});

describe('WaitingShares', () => {
  it('grants at once while there is room, then in order as slots are given back', async () => {
    const slots = new WaitingShares(spec({ project: 2, server: 3 }));
    const granted: string[] = [];
    const releases = new Map<string, Release>();
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    const ask = (projectId: string, tag: string): Promise<void> =>
      slots.wait(projectId).then((release) => {
        granted.push(tag);
        releases.set(tag, release);
      });
    const waits = [ask('a', 'a1'), ask('a', 'a2'), ask('a', 'a3'), ask('b', 'b1'), ask('b', 'b2')];
    await settled();
    // a3 waits for a's share; b1 fits and goes ahead of it; b2 waits for the server's.
    expect(granted).toEqual(['a1', 'a2', 'b1']);
    expect(slots.queued).toBe(2);
    releases.get('a1')!();
    await settled();
    // a3, first in line, takes the freed slot; the server is full again, so b2 waits on.
    expect(granted).toEqual(['a1', 'a2', 'b1', 'a3']);
    releases.get('b1')!();
    await Promise.all(waits);
    expect(granted).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
    expect([slots.held('a'), slots.held('b'), slots.held()]).toEqual([2, 1, 3]);
  });

  it('lets another project through while one waits at its own share', async () => {
    const slots = new WaitingShares(spec({ project: 1, server: 3 }));
    await slots.wait('a');
    let aGranted = false;
    void slots.wait('a').then(() => (aGranted = true));
    const b = await slots.wait('b');
    expect(aGranted).toBe(false);
    expect(slots.held('b')).toBe(1);
    b();
  });
});

describe('parseShareLimits', () => {
  const defaults = { project: 4, server: 16 };
  it.each([
    ['', defaults],
    ['project=2', { project: 2, server: 16 }],
    ['server=0', { project: 4, server: 0 }],
    [' project = 1 , server=3 ', { project: 1, server: 3 }],
  ])("reads '%s'", (text, limits) => {
    expect(parseShareLimits(text, defaults, '--experiments-max')).toEqual(limits);
  });
  it.each(['4', 'project=-1', 'key=2', 'project=two'])("refuses '%s', saying how to write it", (text) => {
    expect(() => parseShareLimits(text, defaults, '--experiments-max')).toThrow(/--experiments-max takes project=N,server=N/);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import type { NewScore } from '../query/score-service.js';
import { QueueService } from './service.js';
import type { QueueSpec } from './spec.js';

/**
 * The queue service over the in-memory store, its clock given call by call: leases that run out,
 * renewed by asking again, items reviewed by several reviewers, released and skipped. (The API
 * test runs the same on DuckDB and ClickHouse, with reviewers asking at once.)
 */

const T0 = 1_767_225_600_000_000;
const S = 1_000_000;

const spec = (overrides: Partial<QueueSpec> = {}): QueueSpec => ({
  description: '',
  rubric: [{ name: 'ok', description: '', type: 'boolean' }],
  reviewersPerItem: 1,
  leaseSeconds: 60,
  filter: null,
  traceFilter: null,
  sampleRate: 1,
  dataset: null,
  ...overrides,
});

async function queueOf(overrides: Partial<QueueSpec>, sessions: string[]) {
  const scores: NewScore[] = [];
  const service = new QueueService(new FakeStore(), { add: async (score) => (scores.push(score), { score: {} as never }) });
  await service.create('default', 'q', spec(overrides), T0);
  await service.addItems(
    'default',
    'q',
    sessions.map((sessionId) => ({ kind: 'session', sessionId })),
    'hand',
    T0,
  );
  const next = async (who: string, at: number) => (await service.next('default', 'q', who, at))?.item.itemId ?? null;
  return { service, scores, next };
}

describe('QueueService', () => {
  it('gives a held item to another reviewer only once its lease ran out, and refuses the first one’s late review', async () => {
    const { service, next } = await queueOf({}, ['a']);
    expect(await next('ann', T0)).toBe('session:a');
    expect(await next('bob', T0 + 59 * S)).toBeNull();
    expect(await next('bob', T0 + 60 * S)).toBe('session:a');
    await expect(service.submit('default', 'q', 'session:a', 'ann', { scores: [{ name: 'ok', value: true }], comment: null }, T0 + 61 * S)).rejects.toThrow(
      /not held by you/,
    );
  });

  it('renews the lease of a reviewer who asks again, giving them the same item', async () => {
    const { service, next } = await queueOf({}, ['a', 'b']);
    expect(await next('ann', T0)).toBe('session:a');
    const again = await service.next('default', 'q', 'ann', T0 + 50 * S);
    expect(again).toMatchObject({ item: { itemId: 'session:a' }, heldUntil: new Date((T0 + 110 * S) / 1000).toISOString() });
    expect(await next('bob', T0 + 100 * S)).toBe('session:b');
  });

  it('gives an item to as many reviewers as the queue asks, one after another, each once', async () => {
    const { service, scores, next } = await queueOf({ reviewersPerItem: 2 }, ['a']);
    expect(await next('ann', T0)).toBe('session:a');
    await service.submit('default', 'q', 'session:a', 'ann', { scores: [{ name: 'ok', value: false }], comment: 'no' }, T0 + S);
    expect(await next('ann', T0 + 2 * S)).toBeNull();
    expect(await next('bob', T0 + 2 * S)).toBe('session:a');
    await service.submit('default', 'q', 'session:a', 'bob', { scores: [{ name: 'ok', value: true }], comment: null }, T0 + 3 * S);
    expect(await next('cy', T0 + 4 * S)).toBeNull();
    expect(scores.map((s) => [s.sessionId, s.author, s.value, s.source, s.comment])).toEqual([
      ['a', 'ann', 0, 'human', 'no'],
      ['a', 'bob', 1, 'human', null],
    ]);
    expect((await service.get('default', 'q', T0 + 4 * S)).progress).toEqual({
      items: 1,
      done: 1,
      held: 0,
      reviews: 2,
      reviewers: [
        { reviewer: 'ann', submitted: 1, skipped: 0 },
        { reviewer: 'bob', submitted: 1, skipped: 0 },
      ],
    });
  });

  it('gives a released item to anyone again, the one who released it too, and a skipped one to all but who skipped it', async () => {
    const { service, next } = await queueOf({}, ['a']);
    expect(await next('ann', T0)).toBe('session:a');
    await service.leave('default', 'q', 'session:a', 'ann', 'release', T0 + S);
    expect(await next('ann', T0 + 2 * S)).toBe('session:a');
    await service.leave('default', 'q', 'session:a', 'ann', 'skip', T0 + 3 * S);
    expect(await next('ann', T0 + 4 * S)).toBeNull();
    expect(await next('bob', T0 + 4 * S)).toBe('session:a');
  });
});

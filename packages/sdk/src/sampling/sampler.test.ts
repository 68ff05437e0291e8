import { afterEach, describe, expect, it } from 'vitest';
import { initInMemory, shutdown } from '../../test/support/memory.js';
import { withCorrelation } from '../context/correlation.js';
import { withSpan } from '../trace/with-span.js';
import { workflow } from '../trace/workflow.js';
import { keyRandomness, traceIdRandomness } from './hash.js';
import { keepsKey } from './sampler.js';

afterEach(() => shutdown());

describe('sampling', () => {
  it.each([0.01, 0.1, 0.25, 0.5, 0.9])('keeps a share of 10,000 keys within 1%% of the rate %s', (rate) => {
    let kept = 0;
    for (let i = 0; i < 10_000; i++) if (keepsKey(`user-${i}`, rate)) kept++;
    expect(Math.abs(kept / 10_000 - rate)).toBeLessThan(0.01);
  });

  it('gives a key the same decision every time and in every process', () => {
    // Fixed values: the hash must never change, or a user's traces would flip between kept and dropped after an upgrade.
    expect(keyRandomness('user-1')).toBe(keyRandomness('user-1'));
    expect([keyRandomness(''), keyRandomness('user-1'), keyRandomness('correlation-xyz')]).toEqual([2872998923, 2005895916, 1791659010]);
    expect(traceIdRandomness('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(0x0e0e4736);
  });

  it('samples by a span attribute key: all spans of one user kept or dropped together', async () => {
    const sdk = initInMemory({ sampleRate: 0.5, sampleBy: 'user.id' });
    const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
    for (const user of users) for (let n = 0; n < 3; n++) withSpan('request', { attributes: { 'user.id': user } }, () => undefined);
    const exported = await sdk.spans();
    const perUser = new Map<string, number>();
    for (const span of exported) perUser.set(String(span.attributes['user.id']), (perUser.get(String(span.attributes['user.id'])) ?? 0) + 1);
    for (const user of users) expect(perUser.get(user) ?? 0).toBe(keepsKey(user, 0.5) ? 3 : 0);
    expect(perUser.size).toBeGreaterThan(60);
    expect(perUser.size).toBeLessThan(140);
  });

  it('samples by correlation id from the baggage', async () => {
    const sdk = initInMemory({ sampleRate: 0.3, sampleBy: 'correlation.id' });
    const ids = Array.from({ length: 100 }, (_, i) => `corr-${i}`);
    for (const id of ids) withCorrelation(id, () => withSpan('handle', () => undefined));
    const kept = new Set((await sdk.spans()).map((span) => span.attributes['correlation.id']));
    expect([...kept].sort()).toEqual(ids.filter((id) => keepsKey(id, 0.3)).sort());
  });

  it('follows the parent: a trace is exported whole or not at all', async () => {
    const sdk = initInMemory({ sampleRate: 0.5 });
    for (let i = 0; i < 100; i++) withSpan('root', () => withSpan('child', () => withSpan('grandchild', () => undefined)));
    const spans = await sdk.spans();
    const perTrace = new Map<string, number>();
    for (const span of spans) perTrace.set(span.spanContext().traceId, (perTrace.get(span.spanContext().traceId) ?? 0) + 1);
    expect([...perTrace.values()].every((count) => count === 3)).toBe(true);
    expect(perTrace.size).toBeGreaterThan(25);
    expect(perTrace.size).toBeLessThan(75);
  });

  it('exports nothing at rate 0 and everything at rate 1, except what is forced', async () => {
    const none = initInMemory({ sampleRate: 0 });
    for (let i = 0; i < 20; i++) withSpan('dropped', () => undefined);
    await workflow('must-keep', { force: true }, () => withSpan('inside-forced', () => undefined));
    expect((await none.spans()).map((span) => span.name).sort()).toEqual(['inside-forced', 'must-keep']);
    await shutdown();
    const all = initInMemory({ sampleRate: 1 });
    for (let i = 0; i < 20; i++) withSpan('kept', () => undefined);
    expect(await all.spans()).toHaveLength(20);
  });
});

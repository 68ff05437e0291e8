import type { ModelPrice } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { newKey } from '../../src/auth/keys.js';
import type { Store } from '../../src/store/store.js';
import { T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

/** As many writes of one row as a burst of identical API calls makes: a retrying client, two tabs, a script run twice. */
const AT_ONCE = 32;

const all = <T>(write: () => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: AT_ONCE }, write));

/**
 * Writes of one row at once: each succeeds (or, for a revocation, one does and the others find it
 * done), and the row is stored once. DuckDB runs each on a connection of its own, where two writes
 * of one row conflict at commit unless the store takes them one at a time.
 */
export function describeSameRowContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Writes of one row at once: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('stores one price of many identical puts at once, and deletes it', async () => {
      const price: ModelPrice = { model: 'acme-1', provider: 'acme', input: 1.5, output: 6 };
      await all(() => store.prices.putModelPrice('default', price, T0));
      expect(await store.prices.listModelPrices('default')).toStrictEqual([price]);
      await all(() => store.prices.deleteModelPrice('default', 'acme-1'));
      expect(await store.prices.listModelPrices('default')).toEqual([]);
    });

    it('stores one policy of many identical puts at once, for masking and sampling, and deletes it', async () => {
      for (const policies of [store.masking, store.sampling.policies]) {
        await all(() => policies.putPolicy('shop', '{"rate":0.5}', T0));
        expect(await policies.listPolicies()).toEqual([{ projectId: 'shop', policy: '{"rate":0.5}', updatedUs: T0 }]);
        await all(() => policies.deletePolicy('shop'));
        expect(await policies.listPolicies()).toEqual([]);
      }
    });

    it('reads a delete made right after a put, both stamped with one microsecond, as deleted, and the put after it as put', async () => {
      // Versions come from a clock: changes of one row in one microsecond must still read in the order made.
      for (let i = 0; i < 20; i++) {
        for (const policies of [store.masking, store.sampling.policies]) {
          await policies.putPolicy('shop', `{"rate":${i}}`, T0);
          expect(await policies.deletePolicy('shop')).toBe(true);
          expect(await policies.listPolicies()).toEqual([]);
          await policies.putPolicy('shop', `{"rate":${i}}`, T0);
          expect(await policies.listPolicies()).toEqual([{ projectId: 'shop', policy: `{"rate":${i}}`, updatedUs: T0 }]);
          expect(await policies.deletePolicy('shop')).toBe(true);
        }
        await store.prices.putModelPrice('default', { model: 'acme-1', provider: 'acme', input: i, output: 6 }, T0);
        expect(await store.prices.deleteModelPrice('default', 'acme-1')).toBe(true);
        expect(await store.prices.listModelPrices('default')).toEqual([]);
        await store.alerts.putRule('default', 'slow', `{"expr":"count(spans)[5m] > ${i}"}`, T0);
        expect(await store.alerts.deleteRule('default', 'slow')).toBe(true);
        expect(await store.alerts.listRules('default')).toEqual([]);
      }
    });

    it('stores one alert rule of many identical puts at once, and one silence', async () => {
      const outcomes = await all(() => store.alerts.putRule('default', 'slow', '{"expr":"count(spans)[5m] > 1"}', T0));
      expect(outcomes).toContain('created');
      expect((await store.alerts.listRules('default')).map((r) => [r.name, r.spec])).toEqual([['slow', '{"expr":"count(spans)[5m] > 1"}']]);
      const silence = {
        id: 's1',
        matchers: [{ name: 'alertname', op: '=' as const, value: 'slow' }],
        startsUs: T0,
        endsUs: T0 + 1_000_000,
        createdBy: 'ops',
        comment: '',
      };
      await all(() => store.alerts.putSilence('default', silence));
      expect(await store.alerts.listSilences('default', 0)).toEqual([silence]);
      await all(() => store.alerts.deleteRule('default', 'slow'));
      expect(await store.alerts.listRules('default')).toEqual([]);
    });

    it('sets one error group status of many identical writes at once', async () => {
      await all(() => store.errors.setErrorGroupStatus('default', 'fp-1', 'resolved', T0));
      await all(() => store.errors.setErrorGroupStatus('default', 'fp-1', 'ignored', T0 + 1));
    });

    it('revokes a key once of many revocations at once', async () => {
      const { record } = newKey({ projectId: 'shop', role: 'read', name: 'grafana', createdBy: 'cli', nowUs: T0 });
      await store.access.putKey(record);
      const revoked = await all(() => store.access.revokeKey(record.id, T0 + 5));
      expect(revoked.filter(Boolean)).toHaveLength(1);
      expect(await store.access.listKeys()).toEqual([{ ...record, revokedUs: T0 + 5 }]);
    });
  });
}

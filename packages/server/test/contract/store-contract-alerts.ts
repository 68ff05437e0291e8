import { describe, expect, it } from 'vitest';
import type { AlertHistoryRecord, SilenceRecord, Store } from '../../src/store/store.js';
import { T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

const SEC = 1_000_000;

function history(overrides: Partial<AlertHistoryRecord>): AlertHistoryRecord {
  return {
    timeUs: T0,
    rule: 'high-errors',
    labels: { service: 'rag' },
    kind: 'firing',
    severity: 'critical',
    value: 0.12,
    receiver: null,
    detail: null,
    ...overrides,
  };
}

const silence = (overrides: Partial<SilenceRecord> = {}): SilenceRecord => ({
  id: 's1',
  matchers: [{ name: 'service', op: '=~', value: 'rag|chat' }],
  startsUs: T0,
  endsUs: T0 + 3600 * SEC,
  createdBy: 'ana',
  comment: 'deploy',
  ...overrides,
});

/** The contract of `store.alerts`: rules, the engine's memory and history, silences. */
export function describeAlertStoreContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Alert store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('creates, replaces, lists by name and deletes rules, per project', async () => {
      expect(await store.alerts.putRule('default', 'slow', '{"v":1}', T0)).toBe('created');
      expect(await store.alerts.putRule('default', 'errors', '{"e":1}', T0 + 1)).toBe('created');
      expect(await store.alerts.putRule('default', 'slow', '{"v":2}', T0 + 2)).toBe('updated');
      await store.alerts.putRule('p2', 'slow', '{"other":true}', T0);
      expect(await store.alerts.listRules('default')).toEqual([
        { name: 'errors', spec: '{"e":1}', createdUs: T0 + 1, updatedUs: T0 + 1 },
        { name: 'slow', spec: '{"v":2}', createdUs: T0, updatedUs: T0 + 2 },
      ]);
      expect(await store.alerts.deleteRule('default', 'slow')).toBe(true);
      expect(await store.alerts.deleteRule('default', 'slow')).toBe(false);
      expect((await store.alerts.listRules('default')).map((r) => r.name)).toEqual(['errors']);
      expect((await store.alerts.listRules('p2')).map((r) => r.spec)).toEqual(['{"other":true}']);
    });

    it("seeds a project's default rules once, leaving rules of the same name and what was edited or deleted since", async () => {
      const defaults = [
        { name: 'slow', spec: '{"d":"slow"}' },
        { name: 'errors', spec: '{"d":"errors"}' },
      ];
      expect(await store.alerts.rulesSeeded('default')).toBe(false);
      await store.alerts.putRule('default', 'errors', '{"mine":1}', T0);
      expect(await store.alerts.seedRules('default', defaults, T0 + 1)).toBe(true);
      expect(await store.alerts.rulesSeeded('default')).toBe(true);
      expect(await store.alerts.rulesSeeded('p2')).toBe(false);
      expect(await store.alerts.listRules('default')).toEqual([
        { name: 'errors', spec: '{"mine":1}', createdUs: T0, updatedUs: T0 },
        { name: 'slow', spec: '{"d":"slow"}', createdUs: T0 + 1, updatedUs: T0 + 1 },
      ]);
      // Deleted, then seeded again (a second server, a restart): it stays deleted.
      expect(await store.alerts.deleteRule('default', 'slow')).toBe(true);
      expect(await store.alerts.seedRules('default', defaults, T0 + 2)).toBe(false);
      expect((await store.alerts.listRules('default')).map((r) => r.spec)).toEqual(['{"mine":1}']);
      // Made again by hand, it is the hand-made one.
      expect(await store.alerts.putRule('default', 'slow', '{"v":2}', T0 + 3)).toBe('created');
      expect(await store.alerts.deleteRule('default', 'errors')).toBe(true);
      expect(await store.alerts.seedRules('default', defaults, T0 + 4)).toBe(false);
      expect(await store.alerts.listRules('default')).toEqual([{ name: 'slow', spec: '{"v":2}', createdUs: T0 + 3, updatedUs: T0 + 3 }]);
      // Per project; seeding nothing records the project seeded (how `spoor migrate` carries it over).
      expect(await store.alerts.seedRules('p2', [], T0)).toBe(true);
      expect(await store.alerts.rulesSeeded('p2')).toBe(true);
      expect(await store.alerts.seedRules('p2', defaults, T0)).toBe(false);
      expect(await store.alerts.listRules('p2')).toEqual([]);
      expect(await store.alerts.seedRules('p3', defaults, T0)).toBe(true);
      expect((await store.alerts.listRules('p3')).map((r) => r.name)).toEqual(['errors', 'slow']);
    });

    it('keeps the latest state and appends history in the same save', async () => {
      expect(await store.alerts.readState('default')).toBeNull();
      await store.alerts.saveState('default', '{"n":1}', [history({ kind: 'pending', timeUs: T0 })], T0);
      await store.alerts.saveState(
        'default',
        '{"n":2}',
        [
          history({ kind: 'firing', timeUs: T0 + 60 * SEC }),
          history({ kind: 'notified', timeUs: T0 + 60 * SEC, receiver: 'oncall', value: null, labels: { service: 'rag', 'quote"d': 'a\nb' } }),
        ],
        T0 + 60 * SEC,
      );
      await store.alerts.saveState('p2', '{"other":1}', [], T0);
      expect(await store.alerts.readState('default')).toBe('{"n":2}');
      const all = await store.alerts.listHistory('default', { fromUs: null, toUs: null }, null, 0, 10);
      // Newest first; of one moment, the last written first.
      expect(all.map((h) => h.kind)).toEqual(['notified', 'firing', 'pending']);
      expect(all[0]).toEqual(
        history({ kind: 'notified', timeUs: T0 + 60 * SEC, receiver: 'oncall', value: null, labels: { service: 'rag', 'quote"d': 'a\nb' } }),
      );
      expect((await store.alerts.listHistory('default', { fromUs: T0 + 1, toUs: null }, null, 0, 10)).map((h) => h.kind)).toEqual(['notified', 'firing']);
      expect((await store.alerts.listHistory('default', { fromUs: null, toUs: null }, null, 1, 1)).map((h) => h.kind)).toEqual(['firing']);
      expect(await store.alerts.listHistory('default', { fromUs: null, toUs: null }, 'other-rule', 0, 10)).toEqual([]);
      expect(await store.alerts.listHistory('p2', { fromUs: null, toUs: null }, null, 0, 10)).toEqual([]);
    });

    it('saves neither state nor history when the history cannot be written', async () => {
      await store.alerts.saveState('default', '{"n":1}', [history({})], T0);
      await expect(store.alerts.saveState('default', '{"n":2}', [history({ timeUs: T0 + 1 }), history({ timeUs: Number.NaN })], T0 + 1)).rejects.toThrow();
      expect(await store.alerts.readState('default')).toBe('{"n":1}');
      expect(await store.alerts.listHistory('default', { fromUs: null, toUs: null }, null, 0, 10)).toHaveLength(1);
    });

    it('lists the silences not yet ended, and replaces one by id', async () => {
      await store.alerts.putSilence('default', silence());
      await store.alerts.putSilence('default', silence({ id: 's0', startsUs: T0 - 7200 * SEC, endsUs: T0 - 3600 * SEC }));
      await store.alerts.putSilence('p2', silence({ id: 's9' }));
      expect(await store.alerts.listSilences('default', T0)).toEqual([silence()]);
      expect((await store.alerts.listSilences('default', 0)).map((s) => s.id)).toEqual(['s0', 's1']);
      await store.alerts.putSilence('default', silence({ comment: 'longer', endsUs: T0 + 7200 * SEC }));
      expect(await store.alerts.listSilences('default', T0)).toEqual([silence({ comment: 'longer', endsUs: T0 + 7200 * SEC })]);
      // Expired: it ends now, and is listed only with the ended ones.
      await store.alerts.putSilence('default', silence({ endsUs: T0 }));
      expect(await store.alerts.listSilences('default', T0)).toEqual([]);
      expect((await store.alerts.listSilences('default', 0)).map((s) => [s.id, s.endsUs])).toEqual([
        ['s0', T0 - 3600 * SEC],
        ['s1', T0],
      ]);
    });

    it('drops alert history older than a cutoff, and silences that ended before it', async () => {
      await store.alerts.saveState('default', '{}', [history({ timeUs: T0 }), history({ timeUs: T0 + 3600 * SEC })], T0);
      await store.alerts.putSilence('default', silence({ id: 's0', startsUs: T0 - 7200 * SEC, endsUs: T0 - 3600 * SEC }));
      await store.alerts.putSilence('default', silence({ id: 's1', startsUs: T0 - 7200 * SEC, endsUs: T0 + 1 }));
      await store.retention.deleteOlderThan('alertHistory', T0 + 1);
      await store.retention.deleteOlderThan('silences', T0 + 1);
      expect((await store.alerts.listHistory('default', { fromUs: null, toUs: null }, null, 0, 10)).map((h) => h.timeUs)).toEqual([T0 + 3600 * SEC]);
      expect((await store.alerts.listSilences('default', 0)).map((s) => s.id)).toEqual(['s1']);
    });
  });
}

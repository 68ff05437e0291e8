import { describe, expect, it } from 'vitest';
import { newKey } from '../../src/auth/keys.js';
import type { AuditRecord, Store } from '../../src/store/store.js';
import { ALL, T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

/** The contract of the access port: keys as stored, revocation, the session secret, the audit log. */
export function describeAccessContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Access store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it('keeps every field of a key, and never the key itself', async () => {
      const a = newKey({ projectId: 'shop', role: 'ingest', name: 'checkout service', createdBy: 'cli', nowUs: T0 });
      const b = newKey({ projectId: '*', role: 'admin', name: '', createdBy: a.record.id, nowUs: T0 + 1 });
      await store.access.putKey(a.record);
      await store.access.putKey(b.record);
      const keys = await store.access.listKeys();
      expect(keys).toEqual([a.record, b.record]);
      expect(JSON.stringify(keys)).not.toContain(a.key);
    });

    it('revokes a key once', async () => {
      const { record } = newKey({ projectId: 'shop', role: 'read', name: 'grafana', createdBy: 'cli', nowUs: T0 });
      await store.access.putKey(record);
      expect(await store.access.revokeKey(record.id, T0 + 5)).toBe(true);
      expect(await store.access.revokeKey(record.id, T0 + 6)).toBe(false);
      expect(await store.access.revokeKey('nosuchkey0', T0 + 6)).toBe(false);
      expect((await store.access.listKeys())[0]).toEqual({ ...record, revokedUs: T0 + 5 });
    });

    it('makes one session secret and keeps it', async () => {
      const first = await store.access.sessionSecret();
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(await store.access.sessionSecret()).toBe(first);
    });

    it('keeps one masking policy per project, replaced and deleted', async () => {
      expect(await store.masking.listPolicies()).toEqual([]);
      await store.masking.putPolicy('shop', '{"mode":"mask"}', T0);
      await store.masking.putPolicy('blog', '{"mode":"hash"}', T0 + 1);
      await store.masking.putPolicy('shop', '{"mode":"drop"}', T0 + 2);
      expect(await store.masking.listPolicies()).toEqual([
        { projectId: 'blog', policy: '{"mode":"hash"}', updatedUs: T0 + 1 },
        { projectId: 'shop', policy: '{"mode":"drop"}', updatedUs: T0 + 2 },
      ]);
      expect(await store.masking.deletePolicy('shop')).toBe(true);
      expect(await store.masking.deletePolicy('shop')).toBe(false);
      expect((await store.masking.listPolicies()).map((p) => p.projectId)).toEqual(['blog']);
    });

    it("lists a project's audit records newest first, by range and page", async () => {
      const entry = (timeUs: number, projectId: string, action: string): AuditRecord => ({
        timeUs,
        projectId,
        keyId: 'k1',
        action,
        target: 'high latency',
        detail: action === 'rule.put' ? '{"for":"5m"}' : null,
      });
      for (const record of [
        entry(T0, 'shop', 'rule.put'),
        entry(T0 + 10, 'shop', 'rule.delete'),
        entry(T0 + 20, 'other', 'rule.put'),
        entry(T0 + 30, 'shop', 'price.put'),
      ]) {
        await store.access.appendAudit(record);
      }
      expect((await store.access.listAudit('shop', ALL, 0, 10)).map((r) => r.action)).toEqual(['price.put', 'rule.delete', 'rule.put']);
      expect(await store.access.listAudit('shop', ALL, 2, 10)).toEqual([entry(T0, 'shop', 'rule.put')]);
      expect((await store.access.listAudit('shop', { fromUs: T0 + 5, toUs: T0 + 30 }, 0, 10)).map((r) => r.action)).toEqual(['rule.delete']);
      expect(await store.access.listAudit('nobody', ALL, 0, 10)).toEqual([]);
    });
  });
}

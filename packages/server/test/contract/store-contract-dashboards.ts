import { describe, expect, it } from 'vitest';
import type { DashboardRecord, Store } from '../../src/store/store.js';
import { T0 } from '../support/record-fixtures.js';
import { openForEachTest } from './per-test-store.js';

const row = (name: string, version: number, timeUs: number, deleted = false, author: string | null = 'key-1'): DashboardRecord => ({
  name,
  version,
  document: deleted ? '' : JSON.stringify({ name, title: `${name} v${version}`, variables: [], panels: [] }),
  deleted,
  author,
  timeUs,
});

/** The contract of `store.dashboards`: rows of a dashboard in time order, each name's newest row, per project. */
export function describeDashboardContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Dashboard store contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    it("reads a dashboard's rows oldest first, deletions included, and nothing of another dashboard or project", async () => {
      const ds = store.dashboards;
      expect(await ds.rowsOf('default', 'costs')).toEqual([]);
      await ds.add('default', row('costs', 2, T0 + 2));
      await ds.add('default', row('costs', 1, T0 + 1, false, null));
      await ds.add('default', row('costs', 0, T0 + 3, true));
      await ds.add('default', row('latency', 1, T0));
      await ds.add('p2', row('costs', 9, T0));
      expect(await ds.rowsOf('default', 'costs')).toEqual([row('costs', 1, T0 + 1, false, null), row('costs', 2, T0 + 2), row('costs', 0, T0 + 3, true)]);
      expect(await ds.rowsOf('p2', 'costs')).toEqual([row('costs', 9, T0)]);
    });

    it("lists each name's newest row, a deletion included, by name", async () => {
      const ds = store.dashboards;
      await ds.add('default', row('b', 1, T0));
      await ds.add('default', row('b', 2, T0 + 5));
      await ds.add('default', row('a', 1, T0 + 1));
      await ds.add('default', row('a', 0, T0 + 2, true));
      await ds.add('p2', row('c', 1, T0));
      expect(await ds.newest('default')).toEqual([row('a', 0, T0 + 2, true), row('b', 2, T0 + 5)]);
      expect(await ds.allRows('default')).toEqual([row('a', 1, T0 + 1), row('a', 0, T0 + 2, true), row('b', 1, T0), row('b', 2, T0 + 5)]);
    });
  });
}

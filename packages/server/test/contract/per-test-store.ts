import { afterEach, beforeEach } from 'vitest';
import type { RecordBatch, Store, WriteBatch } from '../../src/store/store.js';
import { batchOf } from '../../src/store/tables.js';

/**
 * Opens a store with `open` before each test of the enclosing `describe` and closes it after the
 * test: `use` is given each one as it opens, for the suite to keep.
 */
export function openForEachTest(open: () => Promise<Store>, use: (store: Store) => void): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
    use(store);
  });
  afterEach(() => store.close());
}

/** A write batch of the records given, the lists left out empty. */
export function recordBatch(records: Partial<RecordBatch>): WriteBatch {
  return batchOf({ spans: [], logs: [], metricPoints: [], ...records });
}

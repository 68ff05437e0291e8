import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALL, T0, point } from './contract-fixtures.js';
import type { RecordBatch, Store } from './store.js';
import { batchOf } from './tables.js';

/** The contract that a store keeps what arrived exactly and whole: integer metric points past 2^53. */
export function describeExactRecordsContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store exact records contract: ${adapter}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const write = (batch: Partial<RecordBatch>) => store.write(batchOf({ spans: [], logs: [], metricPoints: [], ...batch }), null);
    const points = (name: string) => store.listMetricPoints({ projectId: 'default', range: ALL, name, service: null, limit: 10, cursor: null }, 0, 10);

    it('keeps integer metric points exact over the whole int64 range, beside their doubles', async () => {
      const ints = ['9223372036854775807', '-9223372036854775808', '9007199254740993', '42', '0'];
      const written = [
        ...ints.map((n, i) => point({ name: 'bytes', type: 'sum', temporality: 'cumulative', isMonotonic: true, timeUs: T0 + i, value: Number(n), intValue: n })),
        point({ name: 'bytes', type: 'sum', temporality: 'cumulative', isMonotonic: true, timeUs: T0 + 9, value: 0.5, intValue: null }),
      ];
      await write({ metricPoints: written });
      // Newest first.
      expect(await points('bytes')).toEqual([...written].reverse());
      const read = await store.readMetricPoints('default', ['bytes'], ALL, null);
      expect(read.map((p) => [p.intValue, p.value])).toEqual(written.map((p) => [p.intValue, p.value]));
    });
  });
}

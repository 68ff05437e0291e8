import { afterAll, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../test/support/chdb.js';
import { duckDbStores } from '../../test/support/duckdb.js';
import { encodeTraces } from '../../test/support/otlp-encode.js';
import { SPANS } from '../store/tables.js';
import type { Store } from '../store/store.js';
import { decodeTraceColumns } from './decode-columns.js';

/**
 * The column path writes a span's attributes as UTF-8 bytes copied from the body (`Column.utf8`),
 * which each engine's writer stores without a string in between: read back, on both stores, they
 * must be the JSON the record's attributes make.
 */

const clickhouse = chdbStores();
const duckdb = duckDbStores('decode-columns');
afterAll(() => Promise.all([clickhouse.cleanup(), duckdb.cleanup()]), CHDB_CLEANUP_MS);

const T0_US = 1_763_719_200_000_000;
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const NOTES = ['plain', '', 'ünïcödé ✓', '😀 and 漢字', 'tab\tnew\nline back\\slash "quoted" \u0000 \u001f \u007f', 'y'.repeat(300), 'line \u2028 end'];

describe.each([
  ['DuckDB', () => duckdb.open()],
  ['ClickHouse', () => clickhouse.open()],
] as const)('the column path on %s', (_name, open) => {
  it('stores attributes given as UTF-8 bytes as the JSON of what was sent: escapes, scripts of every width, long text', async () => {
    const store: Store = await open();
    try {
      const attributes = NOTES.map((note, i) => ({ n: i, note, 'gen_ai.system': note, list: [note, i] }));
      const body = encodeTraces([
        {
          resource: { attributes: { 'service.name': 'svc' } },
          scopes: [
            {
              items: attributes.map((a, i) => ({
                traceId: TRACE,
                spanId: (i + 1).toString(16).padStart(16, '0'),
                name: `span ${i}`,
                startTimeUnixNano: BigInt(T0_US + i) * 1000n,
                endTimeUnixNano: BigInt(T0_US + i + 5) * 1000n,
                attributes: a,
              })),
            },
          ],
        },
      ]);
      const decoded = decodeTraceColumns('protobuf', body, 'default', T0_US, undefined, undefined);
      const column = decoded.batch.tables.find((t) => t.table === 'spans')!.columns[SPANS.findIndex((c) => c.name === 'attributes')]!;
      expect(column.type === 'varchar' && column.utf8 !== undefined, 'attributes given as UTF-8 bytes').toBe(true);
      await store.writer.write(decoded!.batch, null);
      const trace = await store.traces.getTrace('default', TRACE);
      const stored = [...trace!.spans].sort((a, b) => a.spanId.localeCompare(b.spanId)).map((s) => s.attributesJson);
      expect(stored).toEqual(attributes.map((a) => JSON.stringify(a)));
    } finally {
      await store.close();
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../../test/support/chdb.js';
import { T0, point, sid, span, tid } from '../../../test/support/record-fixtures.js';
import { batchOf } from '../tables.js';
import { ChClient } from './client.js';
import { nativeColumns, nativeTypes } from './native.js';
import { BATCHED_TABLES } from './schema.js';

// A commit's rows go to ClickHouse as Native blocks (native.ts); these read them back with
// ClickHouse's own eyes, on the engine chdb embeds.
const engine = chdbStores();
afterAll(() => engine.cleanup(), CHDB_CLEANUP_MS);

async function opened(name: string) {
  const database = `spoor_native_${name}_${process.pid}`;
  const store = await engine.open({ database });
  const ch = await ChClient.open({ chdbPath: engine.path, database });
  return { store, ch, close: async () => (await store.close(), await ch.close()) };
}

describe('Native inserts', () => {
  it('name every inserted column with the type ClickHouse has for it, LowCardinality left to ClickHouse', async () => {
    const { ch, close } = await opened('types');
    for (const table of BATCHED_TABLES) {
      const columns = await ch.rows<{ name: string; type: string }>(
        'columns',
        'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String}',
        { db: ch.database, t: table },
      );
      const types = new Map(columns.map((c) => [c.name, c.type.replace(/^LowCardinality\((.*)\)$/, '$1')]));
      const names = nativeColumns(table);
      expect(names.length).toBeGreaterThan(3);
      expect(names.map((name, i) => [name, nativeTypes(table)[i]])).toEqual(names.map((name) => [name, types.get(name)]));
    }
    await close();
  });

  it('keep every character of text: UTF-8 of one to four bytes, escapes, empty, NULL, and halves of a character in two rows', async () => {
    const { store, ch, close } = await opened('text');
    const names = [
      'plain',
      '',
      'ünïcödé ✓ and more than sixteen bytes',
      '😀',
      'tab\tnew\nline back\\slash "quoted" \u0000 nul',
      'x'.repeat(300),
      // A lone high surrogate, then a row starting with a lone low one: joined, they would read
      // as one emoji; each is kept as what UTF-8 makes of a lone half, U+FFFD.
      'ends high \ud83d',
      '\ude00 starts low',
    ];
    const spans = names.map((name, i) =>
      span({
        traceId: tid(1),
        spanId: sid(i + 1),
        parentSpanId: i === 0 ? null : sid(1),
        name,
        sessionId: i % 2 === 0 ? null : `s-é-${i}`,
        attributes: { n: i, note: name },
      }),
    );
    await store.writer.write(batchOf({ spans, logs: [], metricPoints: [] }), null);
    const rows = await ch.rows<{ name: string; parent: string | null; session: string | null; attributes: string }>(
      'read back',
      `SELECT name, parent_span_id AS parent, session_id AS session, attributes FROM ${ch.tables.spans} ORDER BY span_id`,
    );
    const whole = (text: string) => Buffer.from(text).toString();
    expect(rows.map((r) => r.name)).toEqual(names.map(whole));
    expect(whole('ends high \ud83d')).toBe('ends high \ufffd');
    expect(rows.map((r) => r.parent)).toEqual(names.map((_, i) => (i === 0 ? null : sid(1))));
    expect(rows.map((r) => r.session)).toEqual(names.map((_, i) => (i % 2 === 0 ? null : `s-é-${i}`)));
    expect(rows.map((r) => JSON.parse(r.attributes).n)).toEqual(names.map((_, i) => i));
    await close();
  });

  it('keep numbers at their limits, NULLs, and lists with and without values', async () => {
    const { store, ch, close } = await opened('numbers');
    const big = 2 ** 53 - 1;
    await store.writer.write(
      batchOf({
        spans: [span({ startTimeUs: T0, endTimeUs: big, droppedAttributesCount: 4_294_967_295, flags: 0 })],
        logs: [],
        metricPoints: [
          point({ timeUs: T0, value: -1.5, scale: -3, count: null, bucketCounts: [0, 2.5, Number.POSITIVE_INFINITY], explicitBounds: [] }),
          point({ timeUs: T0 + 1, value: Number.NaN, scale: null, count: 7, bucketCounts: null, explicitBounds: null }),
        ],
      }),
      null,
    );
    const spanRow = await ch.row<{ end: string; dropped: number; flags: number }>(
      'span',
      `SELECT toString(end_us) AS end, dropped_attributes AS dropped, flags FROM ${ch.tables.spans}`,
    );
    expect(spanRow).toEqual({ end: String(big), dropped: 4_294_967_295, flags: 0 });
    const points = await ch.rows<Record<string, unknown>>(
      'points',
      `SELECT toString(value) AS value, scale, count, toString(bucket_counts) AS buckets, has_bucket_counts AS has_buckets, toString(explicit_bounds) AS bounds, has_explicit_bounds AS has_bounds
       FROM ${ch.tables.metric_points} ORDER BY time_us`,
    );
    expect(points).toEqual([
      { value: '-1.5', scale: -3, count: null, buckets: '[0,2.5,inf]', has_buckets: true, bounds: '[]', has_bounds: true },
      { value: 'nan', scale: null, count: 7, buckets: '[]', has_buckets: false, bounds: '[]', has_bounds: false },
    ]);
    await close();
  });
});

import type { ExportQuery } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { span } from '../../test/support/record-fixtures.js';
import type { ExportChunk } from '../export/export-streams.js';
import { PriceService } from '../pricing/price-service.js';
import { batchOf } from '../store/tables.js';
import { type DbClient, createDbCalls } from './calls.js';
import { inProcessClient } from './in-process-client.js';

/** The registry's groups as the main thread calls them: by group and name, with the buffers each group declared moved. */
describe('the database calls, by feature', () => {
  it("moves the buffer an export group's answer names, as the group declared it beside its calls", async () => {
    const store = new FakeStore();
    await store.writer.write(batchOf({ spans: [span()], logs: [], metricPoints: [] }), null);
    const calls = createDbCalls(store, new PriceService(store.prices, null));
    // What the thread answered, before it crossed.
    const answered: ExportChunk[] = [];
    const start = calls.export.start;
    calls.export.start = async (query) => {
      const chunk = await start(query);
      answered.push(chunk);
      return chunk;
    };
    const db = inProcessClient(calls);
    const query: ExportQuery = { projectId: 'default', signal: 'spans', format: 'jsonl', fromUs: 0, toUs: Number.MAX_SAFE_INTEGER };
    const chunk = await db.export.start(query);
    expect(chunk.done).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(chunk.bytes)).span_id).toBe(span().spanId);
    // Moved, not copied: the thread's view of it is empty now.
    expect(answered).toHaveLength(1);
    expect(answered[0]!.bytes.byteLength).toBe(0);
  });

  it('answers a call of one group as that group, whatever another group calls by the same name', async () => {
    const store = new FakeStore();
    const db = inProcessClient(createDbCalls(store, new PriceService(store.prices, null)));
    // `list` in three groups: each answers its own.
    expect(await db.access.listKeys()).toEqual([]);
    expect(await db.masking.list()).toEqual([]);
    expect(await db.sampling.policies()).toEqual([]);
    expect(await db.evaluators.list('default')).toEqual([]);
  });

  it('does not compile a group, a call or an argument the registry does not have', () => {
    // Compiled by `npm run typecheck`: each line below must fail to compile, or the check fails.
    const misuse = async (db: DbClient): Promise<void> => {
      // @ts-expect-error: no group `exports` (the group is `export`).
      await db.exports.start({ projectId: 'default', signal: 'spans', format: 'jsonl', fromUs: 0, toUs: 1 });
      // @ts-expect-error: the export group has no call `begin`.
      await db.export.begin();
      // @ts-expect-error: `start` takes an export query, not a signal's name.
      await db.export.start('spans');
      // @ts-expect-error: the flat names are gone; the call is `db.export.start`.
      await db.exportStart({ projectId: 'default', signal: 'spans', format: 'jsonl', fromUs: 0, toUs: 1 });
      // @ts-expect-error: a stream is a number.
      await db.export.next('1');
    };
    expect(misuse).toBeTypeOf('function');
  });
});

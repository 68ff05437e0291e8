import { describe, expect, it } from 'vitest';
import { T0, log, sid, span, tid } from '../support/record-fixtures.js';
import type { BatchKey, StoreWriter, WriteBatch } from '../../src/store/store.js';
import { batchOf as columnsOf } from '../../src/store/tables.js';

/** What the write contract reads back of an adapter, beside its write port. */
export interface WriteContractSubject {
  writer: StoreWriter;
  /** The span ids stored for a trace, each as often as it is stored. */
  spanIds(traceId: string): Promise<string[]>;
  /** How many spans the trace's summary counts. */
  summarySpanCount(traceId: string): Promise<number>;
  /** The log ids stored, each as often as it is stored. */
  logIds(): Promise<string[]>;
  /** The same store opened again, as after a restart (what was committed is there). */
  reopen(): Promise<WriteContractSubject>;
  close(): Promise<void>;
}

const key = (position: string, serverId = 'server-1'): BatchKey => ({ serverId, position });

/** Two spans of one trace, and a log of it: three tables and the summary's part. */
function batchOf(trace: number): WriteBatch {
  return columnsOf({
    spans: [span({ traceId: tid(trace), spanId: sid(1) }), span({ traceId: tid(trace), spanId: sid(2), parentSpanId: sid(1), startTimeUs: T0 + 1 })],
    logs: [log({ logId: `log-${trace}`, traceId: tid(trace), spanId: sid(1) })],
    metricPoints: [],
  });
}

/**
 * The write port's promise, for every adapter, with transactions or without: a batch written
 * again under its key (a replay after a crash, a retry) is stored once, spans, logs and trace
 * summaries alike, and a batch cut short between two tables is completed by writing it again.
 */
export function describeWriteContract(adapter: string, open: () => Promise<WriteContractSubject>): void {
  describe(`Store write contract: ${adapter}`, () => {
    it('stores a batch written twice under one key once: spans, logs and the trace summary', async () => {
      const subject = await open();
      await subject.writer.write(batchOf(1), key('1:100'));
      await subject.writer.write(batchOf(1), key('1:100'));

      expect((await subject.spanIds(tid(1))).sort()).toEqual([sid(1), sid(2)]);
      expect(await subject.summarySpanCount(tid(1))).toBe(2);
      expect(await subject.logIds()).toEqual(['log-1']);
      await subject.close();
    });

    it('completes a batch cut short between two tables, without doubling what it had written', async () => {
      const subject = await open();
      const full = batchOf(2);
      // The crash: the spans reached the store, the log did not, and nothing was committed.
      await subject.writer.append({ ...full, tables: full.tables.filter((table) => table.table !== 'logs') }, key('1:200'));
      await subject.writer.rollback();
      await subject.writer.write(full, key('1:200'));

      expect((await subject.spanIds(tid(2))).sort()).toEqual([sid(1), sid(2)]);
      expect(await subject.summarySpanCount(tid(2))).toBe(2);
      expect(await subject.logIds()).toEqual(['log-2']);
      await subject.close();
    });

    it('remembers the batches it has taken across a restart', async () => {
      const first = await open();
      await first.writer.write(batchOf(3), key('2:10'));
      const second = await first.reopen();
      await second.writer.write(batchOf(3), key('2:10'));
      await second.writer.write(batchOf(4), key('2:20'));

      expect(await second.summarySpanCount(tid(3))).toBe(2);
      expect(await second.summarySpanCount(tid(4))).toBe(2);
      expect(await second.writer.readPosition('server-1')).toBe('2:20');
      await second.close();
    });

    it("keeps each server's keys and position apart", async () => {
      const subject = await open();
      await subject.writer.write(batchOf(5), key('9:900', 'server-a'));
      // Another server's spool is at an earlier place: its batch is new all the same.
      await subject.writer.write(batchOf(6), key('1:5', 'server-b'));

      expect(await subject.summarySpanCount(tid(6))).toBe(2);
      expect(await subject.writer.readPosition('server-a')).toBe('9:900');
      expect(await subject.writer.readPosition('server-b')).toBe('1:5');
      expect(await subject.writer.readPosition('server-c')).toBeNull();
      await subject.close();
    });

    it('stores a batch without a key every time it is written', async () => {
      const subject = await open();
      await subject.writer.write(columnsOf({ spans: [], logs: [log({ logId: 'free' })], metricPoints: [] }), null);
      await subject.writer.write(columnsOf({ spans: [], logs: [log({ logId: 'free' })], metricPoints: [] }), null);
      expect(await subject.logIds()).toEqual(['free', 'free']);
      await subject.close();
    });
  });
}

import { type WriteContractSubject, describeWriteContract } from '../contract/store-contract-write.js';
import { FakeStore } from './fake-store.js';

/** The fake keeps the write contract as the real stores do, with transactions and without. */
function subjectOf(store: FakeStore): WriteContractSubject {
  return {
    writer: store.writer,
    spanIds: async (traceId) => store.writer.committed.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId),
    summarySpanCount: async (traceId) => store.writer.summarySpanCount(traceId),
    logIds: async () => store.writer.committed.logs.map((l) => l.logId),
    // In memory, what was committed outlives the "restart".
    reopen: async () => subjectOf(store),
    close: () => store.close(),
  };
}

describeWriteContract('in-memory fake, with transactions', async () => subjectOf(new FakeStore()));
describeWriteContract('in-memory fake, without transactions', async () => subjectOf(new FakeStore({ transactions: false })));

import { microsFromIso, type TreeChunk, type TraceTree } from '@spoor/model';
import { SpanColumns, type SpanBatch, StringTable, wordsOfId } from './span-columns';

/**
 * A chunk of the binary tree stream (`TreeStreamDecoder`) as a batch for `SpanColumns`: its
 * columns are used as they are, only the 8-byte ids are read as two 32-bit words each (big-endian:
 * the order of their hex digits). `strings` is the decoder's table, which grows chunk by chunk.
 */
export function batchFromChunk(chunk: TreeChunk, strings: readonly string[]): SpanBatch {
  const n = chunk.count;
  const idHigh = new Uint32Array(n);
  const idLow = new Uint32Array(n);
  const parentHigh = new Uint32Array(n);
  const parentLow = new Uint32Array(n);
  const words = (bytes: Uint8Array, at: number): number => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const { spanIds, parentSpanIds, hasParent } = chunk;
  for (let i = 0; i < n; i++) {
    idHigh[i] = words(spanIds, 8 * i);
    idLow[i] = words(spanIds, 8 * i + 4);
    if (hasParent[i] === 1) {
      parentHigh[i] = words(parentSpanIds, 8 * i);
      parentLow[i] = words(parentSpanIds, 8 * i + 4);
    }
  }
  return {
    count: n,
    idHigh,
    idLow,
    parentHigh,
    parentLow,
    startUs: chunk.startOffsetsUs,
    durationUs: chunk.durationsUs,
    status: chunk.statusCodes,
    category: chunk.categories,
    state: chunk.states,
    nameIndex: chunk.nameIndexes,
    serviceIndex: chunk.serviceIndexes,
    modelIndex: chunk.modelIndexes,
    strings,
    inputTokens: chunk.inputTokens,
    outputTokens: chunk.outputTokens,
    costUsd: chunk.costUsd,
    events: { span: chunk.eventSpans, offsetUs: chunk.eventOffsetsUs, nameIndex: chunk.eventNameIndexes },
  };
}

/** The spans of a `GET /api/traces/:id/tree` JSON answer as one batch for `SpanColumns` (what the view-model tests build trees from). */
export function batchFromTraceTree(trace: TraceTree): SpanBatch {
  const n = trace.spanIds.length;
  const idHigh = new Uint32Array(n);
  const idLow = new Uint32Array(n);
  const parentHigh = new Uint32Array(n);
  const parentLow = new Uint32Array(n);
  const nameIndex = new Int32Array(n);
  const serviceIndex = new Int32Array(n);
  const modelIndex = new Int32Array(n);
  const table = new StringTable();
  const nan = (values: readonly (number | null)[]): Float64Array => Float64Array.from(values, (v) => v ?? NaN);
  for (let i = 0; i < n; i++) {
    [idHigh[i], idLow[i]] = wordsOfId(trace.spanIds[i]);
    [parentHigh[i], parentLow[i]] = wordsOfId(trace.parentSpanIds[i]);
    nameIndex[i] = table.intern(trace.names[i]!);
    serviceIndex[i] = table.intern(trace.services[trace.serviceIndexes[i]!] ?? '');
    const model = trace.models[i];
    modelIndex[i] = model == null ? -1 : table.intern(model);
  }
  const events = trace.events;
  return {
    count: n,
    idHigh,
    idLow,
    parentHigh,
    parentLow,
    startUs: trace.startOffsetsUs,
    durationUs: trace.durationsUs,
    status: trace.statusCodes,
    category: trace.categories,
    state: trace.states,
    nameIndex,
    serviceIndex,
    modelIndex,
    inputTokens: nan(trace.inputTokens),
    outputTokens: nan(trace.outputTokens),
    costUsd: nan(trace.costUsd),
    events: { span: events.map((e) => e[0]), offsetUs: events.map((e) => e[1]), nameIndex: events.map((e) => table.intern(e[2])) },
    strings: table.list,
  };
}

/** Columns holding the spans of a JSON tree answer. */
export function columnsFromTraceTree(trace: TraceTree): SpanColumns {
  const spans = new SpanColumns(trace.traceId, microsFromIso(trace.startTime) ?? 0);
  spans.add(batchFromTraceTree(trace));
  spans.sessionId = trace.sessionId;
  return spans;
}

import { microsFromIso, type TraceTree } from '@spoor/model';
import { SpanColumns, type SpanBatch, wordsOfId } from './span-columns';

/** The spans of a `GET /api/traces/:id/tree` JSON answer as one batch for `SpanColumns`. */
export function batchFromTraceTree(trace: TraceTree): SpanBatch {
  const n = trace.spanIds.length;
  const idHigh = new Uint32Array(n);
  const idLow = new Uint32Array(n);
  const parentHigh = new Uint32Array(n);
  const parentLow = new Uint32Array(n);
  const nameIndex = new Int32Array(n);
  const modelIndex = new Int32Array(n);
  const names = new Map<string, number>();
  const models = new Map<string, number>();
  const intern = (table: Map<string, number>, text: string): number => {
    let index = table.get(text);
    if (index === undefined) table.set(text, (index = table.size));
    return index;
  };
  const nan = (values: readonly (number | null)[]): Float64Array => Float64Array.from(values, (v) => v ?? NaN);
  for (let i = 0; i < n; i++) {
    [idHigh[i], idLow[i]] = wordsOfId(trace.spanIds[i]);
    [parentHigh[i], parentLow[i]] = wordsOfId(trace.parentSpanIds[i]);
    nameIndex[i] = intern(names, trace.names[i]!);
    const model = trace.models[i];
    modelIndex[i] = model == null ? -1 : intern(models, model);
  }
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
    nameIndex,
    serviceIndex: trace.serviceIndexes,
    modelIndex,
    names: [...names.keys()],
    services: trace.services,
    models: [...models.keys()],
    inputTokens: nan(trace.inputTokens),
    outputTokens: nan(trace.outputTokens),
    costUsd: nan(trace.costUsd),
    events: trace.events,
  };
}

/** Columns holding the spans of a JSON tree answer. */
export function columnsFromTraceTree(trace: TraceTree): SpanColumns {
  const spans = new SpanColumns(trace.traceId, microsFromIso(trace.startTime) ?? 0);
  spans.add(batchFromTraceTree(trace));
  spans.sessionId = trace.sessionId;
  return spans;
}

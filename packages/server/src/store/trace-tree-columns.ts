import type { SpanEventRecord, TraceTreeColumns } from '@spoor/model';

/**
 * A trace's waterfall columns (`TraceTreeColumns`) from its spans read as arrays, for every
 * engine. Each row holds, in order: span id, parent span id, name, service, start (µs), duration
 * (µs), status code, category, the events' stored JSON text or NULL when there are none, input
 * and output tokens, cost, model, session id. Events are cut to time and name here: most spans
 * have none, and the few exceptions' stack traces are dropped before they leave the server.
 */
type TreeRow = [string, string | null, string, string, number, number, number, number, string | null, number | null, number | null, number | null, string | null, string | null];

/** Columns from rows of that shape, or `null` for none. */
export function treeColumnsFrom(rows: unknown[][]): TraceTreeColumns | null {
  if (rows.length === 0) return null;
  const n = rows.length;
  let originUs = Infinity;
  for (const row of rows) originUs = Math.min(originUs, (row as TreeRow)[4]);
  const tree: TraceTreeColumns = {
    originUs,
    spanIds: new Array(n),
    parentSpanIds: new Array(n),
    names: new Array(n),
    services: [],
    serviceIndexes: new Array(n),
    startOffsetsUs: new Array(n),
    durationsUs: new Array(n),
    statusCodes: new Array(n),
    categories: new Array(n),
    events: [],
    inputTokens: new Array(n),
    outputTokens: new Array(n),
    costUsd: new Array(n),
    models: new Array(n),
    sessionId: null,
  };
  const serviceIndex = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const [spanId, parentSpanId, name, service, startUs, durationUs, status, category, events, input, output, cost, model, session] = rows[i] as TreeRow;
    tree.spanIds[i] = spanId;
    tree.parentSpanIds[i] = parentSpanId;
    tree.names[i] = name;
    let s = serviceIndex.get(service);
    if (s === undefined) {
      s = tree.services.push(service) - 1;
      serviceIndex.set(service, s);
    }
    tree.serviceIndexes[i] = s;
    tree.startOffsetsUs[i] = startUs - originUs;
    tree.durationsUs[i] = durationUs;
    tree.statusCodes[i] = status;
    tree.categories[i] = category;
    if (events !== null) for (const event of JSON.parse(events) as SpanEventRecord[]) tree.events.push([i, event.timeUs - originUs, event.name]);
    tree.inputTokens[i] = input;
    tree.outputTokens[i] = output;
    tree.costUsd[i] = cost;
    tree.models[i] = model;
    if (tree.sessionId === null && session !== null) tree.sessionId = session;
  }
  return tree;
}

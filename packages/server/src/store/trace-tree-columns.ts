import type { SpanEventRecord, TraceTreeColumns, TreeChunkColumns } from '@spoor/model';
import type { TreePage } from './ports/traces.js';

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
    // Running spans are read beside the tree (their own table), not in it: every row here has ended.
    states: new Array<number>(n).fill(0),
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

/** A page of the tree (`TreePage`) from rows of that shape, in the order the rows come (start, then span id). */
export function treePageFrom(rows: unknown[][]): TreePage {
  const n = rows.length;
  const columns = {
    spanIds: new Array<string>(n),
    parentSpanIds: new Array<string | null>(n),
    names: new Array<string>(n),
    services: new Array<string>(n),
    models: new Array<string | null>(n),
    startsUs: new Float64Array(n),
    durationsUs: new Float64Array(n),
    statusCodes: new Uint8Array(n),
    categories: new Uint8Array(n),
    inputTokens: new Array<number | null>(n),
    outputTokens: new Array<number | null>(n),
    costUsd: new Array<number | null>(n),
    events: [] as [number, number, string][],
  } satisfies TreeChunkColumns;
  let sessionId: string | null = null;
  for (let i = 0; i < n; i++) {
    const [spanId, parentSpanId, name, service, startUs, durationUs, status, category, events, input, output, cost, model, session] = rows[i] as TreeRow;
    columns.spanIds[i] = spanId;
    columns.parentSpanIds[i] = parentSpanId;
    columns.names[i] = name;
    columns.services[i] = service;
    columns.models[i] = model;
    columns.startsUs[i] = startUs;
    columns.durationsUs[i] = durationUs;
    columns.statusCodes[i] = status;
    columns.categories[i] = category;
    columns.inputTokens[i] = input;
    columns.outputTokens[i] = output;
    columns.costUsd[i] = cost;
    if (events !== null) for (const event of JSON.parse(events) as SpanEventRecord[]) columns.events.push([i, event.timeUs, event.name]);
    if (sessionId === null && session !== null) sessionId = session;
  }
  const lastRow = rows[n - 1] as TreeRow | undefined;
  return { columns, sessionId, last: lastRow === undefined ? null : { startUs: Number(lastRow[4]), spanId: lastRow[0] } };
}

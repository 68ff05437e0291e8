import type { SpanEventRecord, TreeChunkColumns } from '@spoor/model';
import type { TreePage } from './ports/traces.js';

/**
 * What the waterfall draws of a trace's spans, read as arrays, for every engine. Each row holds,
 * in order: span id, parent span id, name, service, start (µs), duration (µs), status code,
 * category, the events' stored JSON text or NULL when there are none, input and output tokens,
 * cost, model, session id. Events are cut to time and name here: most spans have none, and the
 * few exceptions' stack traces are dropped before they leave the server.
 */
type TreeRow = [string, string | null, string, string, number, number, number, number, string | null, number | null, number | null, number | null, string | null, string | null];

/** A page of the tree (`TreePage`) from rows of that shape, in any order. */
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
  // The page's greatest key: an engine may give a page's rows in any order.
  let last: TreePage['last'] = null;
  for (let i = 0; i < n; i++) {
    const startUs = columns.startsUs[i]!;
    const spanId = columns.spanIds[i]!;
    if (last === null || startUs > last.startUs || (startUs === last.startUs && spanId > last.spanId)) last = { startUs, spanId };
  }
  return { columns, sessionId, last };
}

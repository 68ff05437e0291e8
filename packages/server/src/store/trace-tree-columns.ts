import type { SpanEventRecord, TreeChunkColumns } from '@spoor/model';
import type { TreePage } from './ports/traces.js';

/**
 * What the waterfall draws of a trace's spans, read as one flat array of values, `TREE_WIDTH` a
 * span, for every engine. Each span's values are, in order: span id, parent span id, name,
 * service, start (µs), duration (µs), status code, category, the events' stored JSON text or NULL
 * when there are none, input and output tokens, cost, model, session id. Events are cut to time
 * and name here: most spans have none, and the few exceptions' stack traces are dropped before
 * they leave the server.
 */
export const TREE_WIDTH = 14;

/** A page of the tree (`TreePage`) from spans' values of that shape, in any order of spans. */
export function treePageFrom(values: readonly unknown[]): TreePage {
  const n = values.length / TREE_WIDTH;
  if (!Number.isInteger(n)) throw new Error(`a tree page's ${values.length} values are not ${TREE_WIDTH} a span`);
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
  for (let i = 0, v = 0; i < n; i++, v += TREE_WIDTH) {
    columns.spanIds[i] = values[v] as string;
    columns.parentSpanIds[i] = values[v + 1] as string | null;
    columns.names[i] = values[v + 2] as string;
    columns.services[i] = values[v + 3] as string;
    columns.startsUs[i] = values[v + 4] as number;
    columns.durationsUs[i] = values[v + 5] as number;
    columns.statusCodes[i] = values[v + 6] as number;
    columns.categories[i] = values[v + 7] as number;
    const events = values[v + 8] as string | null;
    if (events !== null) for (const event of JSON.parse(events) as SpanEventRecord[]) columns.events.push([i, event.timeUs, event.name]);
    columns.inputTokens[i] = values[v + 9] as number | null;
    columns.outputTokens[i] = values[v + 10] as number | null;
    columns.costUsd[i] = values[v + 11] as number | null;
    columns.models[i] = values[v + 12] as string | null;
    const session = values[v + 13] as string | null;
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

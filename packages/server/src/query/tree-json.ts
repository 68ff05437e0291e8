import {
  isoFromMicros,
  NO_STRING,
  spanIdHex,
  type TraceTree,
  type TraceTreeColumns,
  type TreeChunk,
  type TreeChunkColumns,
  TreeStreamDecoder,
} from '@spoor/model';
import type { JsonUtf8 } from '../json.js';
import { JsonWriter } from './json-bytes.js';

/**
 * `TraceTree` (the JSON form of `/tree`) written from the binary stream's frames, column after
 * column. The frames are the compact form of the tree (72 MB for a million spans): holding them,
 * and not a million rows read at once and their columns as arrays of values, kept the server of a
 * million-span trace at a peak RSS of 933 MiB where it reached 1,900 MiB, in 16.0 s instead of 28.6 (`npm run bench:big-tree`).
 */
export function treeJsonFrom(frames: readonly Uint8Array[]): JsonUtf8<TraceTree> {
  const decoder = new TreeStreamDecoder();
  const chunks: TreeChunk[] = [];
  for (const frame of frames) for (const chunk of decoder.push(frame)) chunks.push(chunk);
  decoder.end();
  const { traceId, originUs } = decoder.header!;
  const { sessionId, logs, scores, spanCount } = decoder.trailer!;
  const strings = decoder.strings;
  const quoted = new Array<string | undefined>(strings.length);
  const str = (k: number): string => (quoted[k] ??= JSON.stringify(strings[k]));
  // Services are listed once each, in the order they first appear; spans point into that list.
  const serviceOrdinals = new Map<number, number>();
  for (const c of chunks) for (const k of c.serviceIndexes) if (!serviceOrdinals.has(k)) serviceOrdinals.set(k, serviceOrdinals.size);

  // About 115 bytes a span (112 MB for a million).
  const out = new JsonWriter<TraceTree>(spanCount * 120 + 4096);
  out.write(`{"traceId":${JSON.stringify(traceId)},"startTime":"${isoFromMicros(originUs)}"`);
  // A chunk's values joined at once: one write per value took twice as long.
  const column = (name: string, each: (c: TreeChunk, i: number) => string): void => {
    out.write(`,"${name}":[`);
    let comma = '';
    for (const c of chunks) {
      if (c.count === 0) continue;
      const values = new Array<string>(c.count);
      for (let i = 0; i < c.count; i++) values[i] = each(c, i);
      out.write(comma + values.join(','));
      comma = ',';
    }
    out.write(']');
  };
  column('spanIds', (c, i) => `"${spanIdHex(c.spanIds, i)}"`);
  column('parentSpanIds', (c, i) => (c.hasParent[i] ? `"${spanIdHex(c.parentSpanIds, i)}"` : 'null'));
  column('names', (c, i) => str(c.nameIndexes[i]!));
  out.write(`,"services":[${[...serviceOrdinals.keys()].map(str).join(',')}]`);
  column('serviceIndexes', (c, i) => String(serviceOrdinals.get(c.serviceIndexes[i]!)));
  column('startOffsetsUs', (c, i) => num(c.startOffsetsUs[i]!));
  column('durationsUs', (c, i) => num(c.durationsUs[i]!));
  column('statusCodes', (c, i) => String(c.statusCodes[i]));
  column('categories', (c, i) => String(c.categories[i]));
  column('states', (c, i) => String(c.states[i]));
  out.write(',"events":[');
  let comma = '';
  for (const c of chunks) {
    for (let k = 0; k < c.eventSpans.length; k++) {
      out.write(`${comma}[${c.firstSpan + c.eventSpans[k]!},${num(c.eventOffsetsUs[k]!)},${str(c.eventNameIndexes[k]!)}]`);
      comma = ',';
    }
  }
  out.write(']');
  column('inputTokens', (c, i) => num(c.inputTokens[i]!));
  column('outputTokens', (c, i) => num(c.outputTokens[i]!));
  column('costUsd', (c, i) => num(c.costUsd[i]!));
  column('models', (c, i) => (c.modelIndexes[i] === NO_STRING ? 'null' : str(c.modelIndexes[i]!)));
  out.write(`,"sessionId":${JSON.stringify(sessionId)},"logs":${JSON.stringify(logs)},"scores":${JSON.stringify(scores)}}`);
  return out.finish();
}

/**
 * The JSON tree's columns (`TraceTreeColumns`) of a trace that fits one page: the chunks' spans
 * one after another (the page read, then the trace's running spans), offsets from the earliest
 * start. Written once from the chunks: no chunk is joined to another first.
 */
export function treeColumnsOf(chunks: readonly TreeChunkColumns[], sessionId: string | null): TraceTreeColumns {
  let originUs = Infinity;
  for (const c of chunks) originUs = Math.min(originUs, earliestStartUs(c));
  const tree: TraceTreeColumns = {
    originUs,
    spanIds: [],
    parentSpanIds: [],
    names: [],
    services: [],
    serviceIndexes: [],
    startOffsetsUs: [],
    durationsUs: [],
    statusCodes: [],
    categories: [],
    states: [],
    events: [],
    inputTokens: [],
    outputTokens: [],
    costUsd: [],
    models: [],
    sessionId,
  };
  const serviceIndex = new Map<string, number>();
  for (const c of chunks) {
    const first = tree.spanIds.length;
    for (let i = 0; i < c.spanIds.length; i++) {
      let s = serviceIndex.get(c.services[i]!);
      if (s === undefined) {
        s = tree.services.push(c.services[i]!) - 1;
        serviceIndex.set(c.services[i]!, s);
      }
      tree.spanIds.push(c.spanIds[i]!);
      tree.parentSpanIds.push(c.parentSpanIds[i]!);
      tree.names.push(c.names[i]!);
      tree.serviceIndexes.push(s);
      tree.startOffsetsUs.push(c.startsUs[i]! - originUs);
      tree.durationsUs.push(c.durationsUs[i]!);
      tree.statusCodes.push(c.statusCodes[i]!);
      tree.categories.push(c.categories[i]!);
      tree.states.push(c.states?.[i] ?? 0);
      tree.inputTokens.push(c.inputTokens[i]!);
      tree.outputTokens.push(c.outputTokens[i]!);
      tree.costUsd.push(c.costUsd[i]!);
      tree.models.push(c.models[i]!);
    }
    for (const [i, timeUs, name] of c.events) tree.events.push([first + i, timeUs - originUs, name]);
  }
  return tree;
}

/** The earliest start of a chunk's spans (epoch µs; Infinity for none). */
export function earliestStartUs(c: TreeChunkColumns): number {
  let start = Infinity;
  for (let i = 0; i < c.startsUs.length; i++) start = Math.min(start, c.startsUs[i]!);
  return start;
}

/** A number as `JSON.stringify` writes it: `null` for NaN (none) and the infinities. */
const num = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');

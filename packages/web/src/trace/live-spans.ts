import type { LiveSpan } from '@spoor/model';
import { ABANDONED, ENDED, RUNNING, type SpanBatch, type SpanColumns, StringTable, wordsOfId } from './span-columns';

/**
 * The spans of a trace's live stream (`event: spans`) as a batch for `SpanColumns.upsert`: times
 * as offsets from the columns' origin, names, services and models in the batch's own string table.
 * A running span's duration is the time so far at `nowUs` (epoch µs), as the tree answer gives it;
 * the waterfall draws it on to "now" while it runs. An abandoned one's ends where its trace was
 * last heard from (its `endUs`), as the tree gives it too.
 */
export function batchFromLiveSpans(spans: readonly LiveSpan[], originUs: number, nowUs: number): SpanBatch {
  const n = spans.length;
  const idHigh = new Uint32Array(n);
  const idLow = new Uint32Array(n);
  const parentHigh = new Uint32Array(n);
  const parentLow = new Uint32Array(n);
  const startUs = new Float64Array(n);
  const durationUs = new Float64Array(n);
  const status = new Uint8Array(n);
  const category = new Uint8Array(n);
  const state = new Uint8Array(n);
  const nameIndex = new Int32Array(n);
  const serviceIndex = new Int32Array(n);
  const modelIndex = new Int32Array(n);
  const inputTokens = new Float64Array(n);
  const outputTokens = new Float64Array(n);
  const costUsd = new Float64Array(n);
  const eventSpans: number[] = [];
  const eventOffsetsUs: number[] = [];
  const eventNames: number[] = [];
  const table = new StringTable();
  for (let k = 0; k < n; k++) {
    const span = spans[k]!;
    [idHigh[k], idLow[k]] = wordsOfId(span.spanId);
    [parentHigh[k], parentLow[k]] = wordsOfId(span.parentSpanId);
    startUs[k] = span.startUs - originUs;
    durationUs[k] = Math.max(0, (span.endUs ?? nowUs) - span.startUs);
    status[k] = span.statusCode;
    category[k] = span.category;
    // An abandoned span's end is where its trace was last heard from: drawn there, faded. Else a
    // span with no end is never drawn as ended, whatever its state says, nor one with an end as running.
    state[k] = span.state === 'abandoned' ? ABANDONED : span.endUs === null ? RUNNING : ENDED;
    nameIndex[k] = table.intern(span.name);
    serviceIndex[k] = table.intern(span.service);
    modelIndex[k] = span.model === null ? -1 : table.intern(span.model);
    inputTokens[k] = span.inputTokens ?? NaN;
    outputTokens[k] = span.outputTokens ?? NaN;
    costUsd[k] = span.costUsd ?? NaN;
    for (const [timeUs, name] of span.events) {
      eventSpans.push(k);
      eventOffsetsUs.push(timeUs - originUs);
      eventNames.push(table.intern(name));
    }
  }
  return {
    count: n,
    idHigh,
    idLow,
    parentHigh,
    parentLow,
    startUs,
    durationUs,
    status,
    category,
    state,
    nameIndex,
    serviceIndex,
    modelIndex,
    strings: table.list,
    inputTokens,
    outputTokens,
    costUsd,
    events: { span: eventSpans, offsetUs: eventOffsetsUs, nameIndex: eventNames },
  };
}

/**
 * Until when (epoch ms) a trace page keeps its live stream open: while a span runs, for good;
 * else `lingerMs` past the later of the trace's last end and the last time the stream brought
 * something (`heardMs`). A page opened on a run that ended a while ago closes it at once; one
 * watching a run keeps it a little past the run's end, for the spans still on their way (an app
 * without live mode sends each span only once it has ended).
 */
export function liveStreamUntilMs(spans: SpanColumns, heardMs: number, lingerMs: number): number {
  if (spans.runningCount > 0) return Infinity;
  const endMs = spans.count === 0 ? -Infinity : (spans.originUs + spans.endUs()) / 1000;
  return Math.max(endMs, heardMs) + lingerMs;
}

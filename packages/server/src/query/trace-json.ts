import {
  isoFromMicros,
  resolveSpanTree,
  type Score,
  spanTreeInputFrom,
  type SpanDetail,
  type SpanEventRecord,
  type TraceDetail,
  type TraceDetailPage,
  type TraceTree,
  type TraceTreeColumns,
  type TreeTrailer,
} from '@spoor/model';
import type { JsonUtf8 } from '../json.js';
import {
  NO_SPAN_TEXTS,
  type SpanTexts,
  type StoredLog,
  type StoredSpan,
  type StoredSpanFields,
  type StoredTraceBytes,
  spanTextsFromStored,
} from '../store/stored-trace.js';
import type { AnswerRegion } from './answer-region.js';
import { JsonWriter } from './json-bytes.js';
import type { RunningSpanView } from './running.js';

/**
 * The trace answers (`TraceDetail`, `SpanDetail`, `TraceTree`) written as JSON text. Stored
 * attributes, events, links, log bodies and scopes go into the answer as the text the store holds
 * (valid JSON, see `StoredSpan`); only the fields Spoor computes are written here, each string
 * through `JSON.stringify`. Parsing a 20,000-span trace's JSON only to serialize it again made
 * the server take 4 times as long as a client's `JSON.parse` of the answer (BENCHMARKS.md).
 *
 * The fields come in the order of the `Span` and `LogRecord` types.
 */

/**
 * `TraceDetail`: spans in tree order, then the trace's logs and scores. The tree is `@spoor/model`'s
 * span-tree resolver's: a span stored twice is listed once, an orphan or a cut parent loop is a
 * root (depth 0).
 */
export function traceDetailJson(
  traceId: string,
  trace: StoredTraceBytes,
  scores: readonly Score[],
  live: readonly RunningSpanView[] = [],
  sampledOut = false,
  /** Written into this region when it is free (the caller gives it back once the answer is sent). */
  region: AnswerRegion | null = null,
): JsonUtf8<TraceDetail> {
  const shared = new Shared();
  const ended = trace.spans.length;
  // Running spans (their newest snapshots) take their places in the tree beside the ended ones.
  // They are read as strings, and few (the spans open at once), so their texts are made bytes here.
  const spans: readonly StoredSpanFields[] = live.length === 0 ? trace.spans : [...trace.spans, ...live.map((l) => l.span)];
  const liveTexts = live.length === 0 ? NO_SPAN_TEXTS : spanTextsFromStored(live.map((l) => l.span));
  const tree = resolveSpanTree(spanTreeInputFrom(spans));
  const length = textLength(spans.length, trace.texts.bytes.length + liveTexts.bytes.length, trace.logs);
  const into = region?.lease(length) ?? null;
  const out = new JsonWriter<TraceDetail>(length, into);
  out.write(`{"traceId":${str(traceId)},${sampledOut ? '"sampledOut":true,' : ''}"spans":[`);
  for (let row = 0; row < tree.count; row++) {
    if (row > 0) out.write(',');
    const i = tree.order[row]!;
    if (i < ended) writeSpan(out, trace.spans[i]!, trace.texts, i, tree.depth[row]!, shared);
    else writeSpan(out, spans[i]!, liveTexts, i - ended, tree.depth[row]!, shared, live[i - ended]);
  }
  out.write('],"logs":');
  writeLogs(out, trace.logs, shared);
  writeScores(out, scores);
  const answer = out.finish();
  // Grown out of the region, the answer holds it no longer.
  if (into !== null && !region!.holds(answer)) region!.release();
  return answer;
}

/**
 * `TraceDetailPage`: a page of spans in tree order (span `rows[k]` of `trace` at depth
 * `depths[k]`), the page's logs and scores, and where it lies in the whole (`trace-pages.ts`).
 */
export function traceDetailPageJson(
  traceId: string,
  page: { trace: StoredTraceBytes; rows: readonly number[]; depths: ArrayLike<number>; spanCount: number; offset: number; nextSpans: string | null },
  scores: readonly Score[],
): JsonUtf8<TraceDetailPage> {
  const shared = new Shared();
  const { spans, texts, logs } = page.trace;
  const out = new JsonWriter<TraceDetailPage>(textLength(page.rows.length, texts.bytes.length, logs));
  out.write(`{"traceId":${str(traceId)},"spanCount":${page.spanCount},"offset":${page.offset},"nextSpans":${strOrNull(page.nextSpans)},"spans":[`);
  for (let k = 0; k < page.rows.length; k++) {
    if (k > 0) out.write(',');
    const i = page.rows[k]!;
    writeSpan(out, spans[i]!, texts, i, page.depths[k]!, shared);
  }
  out.write('],"logs":');
  writeLogs(out, logs, shared);
  writeScores(out, scores);
  return out.finish();
}

/** `SpanDetail`: one span (depth 0) and its logs. */
export function spanDetailJson(traceId: string, span: StoredSpan, logs: StoredLog[], live?: RunningSpanView): JsonUtf8<SpanDetail> {
  const shared = new Shared();
  const texts = spanTextsFromStored([span]);
  const out = new JsonWriter<SpanDetail>(textLength(1, texts.bytes.length, logs));
  out.write(`{"traceId":${str(traceId)},"span":`);
  writeSpan(out, span, texts, 0, 0, shared, live);
  out.write(',"logs":');
  writeLogs(out, logs, shared);
  out.write('}');
  return out.finish();
}

/** `TraceTree`: the span columns (small values, serialized as such), the trace's logs and its scores. */
export function traceTreeJson(traceId: string, tree: TraceTreeColumns, logs: StoredLog[], scores: readonly Score[]): JsonUtf8<TraceTree> {
  const { originUs, ...columns } = tree;
  const head = JSON.stringify({ traceId, startTime: isoFromMicros(originUs), ...columns });
  const out = new JsonWriter<TraceTree>(head.length + textLength(0, 0, logs));
  out.write(head.slice(0, -1));
  out.write(',"logs":');
  writeLogs(out, logs, new Shared());
  writeScores(out, scores);
  return out.finish();
}

/** `TreeTrailer`: the binary tree stream's last frame, its logs written as the JSON tree's are. */
export function treeTrailerJson(
  sessionId: string | null,
  spanCount: number,
  logs: StoredLog[],
  scores: readonly Score[],
  sampledOut = false,
): JsonUtf8<TreeTrailer> {
  const out = new JsonWriter<TreeTrailer>(textLength(0, 0, logs));
  out.write(`{"sessionId":${strOrNull(sessionId)},"spanCount":${spanCount},${sampledOut ? '"sampledOut":true,' : ''}"logs":`);
  writeLogs(out, logs, new Shared());
  writeScores(out, scores);
  return out.finish();
}

/**
 * `,"scores":[...]}`: the last field and the end of a trace answer. Scores are a few short values
 * each, none of them stored JSON text, so they are serialized as values.
 */
function writeScores(out: JsonWriter<unknown>, scores: readonly Score[]): void {
  out.write(`,"scores":${JSON.stringify(scores)}}`);
}

/** About the length of the answer: the stored texts and some 700 characters of fields around each record. */
function textLength(spans: number, textBytes: number, logs: readonly StoredLog[]): number {
  let n = 64 + spans * 700 + textBytes;
  for (const l of logs) n += l.bodyJson.length + l.attributesJson.length + l.scopeJson.length + 500;
  return n * 1.05;
}

const str = JSON.stringify as (value: string) => string;
const strOrNull = (value: string | null): string => (value === null ? 'null' : str(value));
/** A number as `JSON.stringify` writes it: `null` for NaN and the infinities. */
const num = (value: number): string => (Number.isFinite(value) ? String(value) : 'null');
/** An ISO time is digits and `-:.TZ+` only: it needs no escaping. */
const time = (us: number): string => `"${isoFromMicros(us)}"`;

/**
 * Writes span `s` (its texts are `i` of `texts`); `live` for a running span: no end, its duration
 * so far, and its `state` last. Span ids are 16 hex digits (ingest refuses any other, running
 * snapshots included), so they are written without `JSON.stringify`.
 */
function writeSpan(out: JsonWriter<unknown>, s: StoredSpanFields, texts: SpanTexts, i: number, depth: number, shared: Shared, live?: RunningSpanView): void {
  const { str: repeated } = shared;
  const end = live === undefined ? time(s.endTimeUs) : 'null';
  const durationUs = live === undefined ? Math.max(0, s.endTimeUs - s.startTimeUs) : live.durationUs;
  const { bytes, starts, ends } = texts;
  out.write(
    `{"traceId":${repeated(s.traceId)},"spanId":"${s.spanId}","parentSpanId":${s.parentSpanId === null ? 'null' : `"${s.parentSpanId}"`},"traceState":${repeated(s.traceState)}` +
      `,"flags":${num(s.flags)},"name":${repeated(s.name)},"kind":${repeated(s.kind)},"serviceName":${repeated(s.serviceName)}` +
      `,"startTime":${time(s.startTimeUs)},"endTime":${end},"durationMs":${num(durationUs / 1000)}` +
      `,"status":{"code":${repeated(s.status.code)},"message":${repeated(s.status.message)}},"attributes":`,
  );
  out.copy(bytes, starts[3 * i]!, ends[3 * i]!);
  out.write(`,${shared.resource(s.resourceJson)},"scope":${shared.scope(s.scopeJson)},"events":`);
  writeEvents(out, bytes, starts[3 * i + 1]!, ends[3 * i + 1]!);
  out.write(',"links":');
  out.copy(bytes, starts[3 * i + 2]!, ends[3 * i + 2]!);
  out.write(
    `,"droppedAttributesCount":${num(s.droppedAttributesCount)},"droppedEventsCount":${num(s.droppedEventsCount)},"droppedLinksCount":${num(s.droppedLinksCount)}` +
      // `llm` is a dozen values computed at ingest, not stored JSON; `JSON.stringify` turns a NaN there into null.
      `,"llm":${s.llm === null ? 'null' : JSON.stringify(s.llm)},"sessionId":${s.sessionId === null ? 'null' : repeated(s.sessionId)}` +
      `,"userId":${s.userId === null ? 'null' : repeated(s.userId)},"category":${repeated(s.category)},"depth":${depth}` +
      `${live === undefined ? '' : `,"state":"${live.state}"`}}`,
  );
}

function writeLogs(out: JsonWriter<unknown>, logs: StoredLog[], shared: Shared): void {
  const { str: repeated } = shared;
  out.write('[');
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i]!;
    out.write(
      `${i > 0 ? ',' : ''}{"logId":${str(l.logId)},"time":${time(l.timeUs)},"observedTime":${time(l.observedTimeUs)}` +
        `,"traceId":${l.traceId === null ? 'null' : repeated(l.traceId)},"spanId":${strOrNull(l.spanId)},"flags":${num(l.flags)}` +
        `,"severityNumber":${num(l.severityNumber)},"severityText":${repeated(l.severityText)}` +
        `,"body":${l.bodyJson},"bodyBytes":${l.bodyBytes === true},"attributes":${l.attributesJson}` +
        `,${shared.resource(l.resourceJson)},"scope":${shared.scope(l.scopeJson)}` +
        `,"serviceName":${repeated(l.serviceName)},"eventName":${repeated(l.eventName)},"droppedAttributesCount":${num(l.droppedAttributesCount)}}`,
    );
  }
  out.write(']');
}

const RESOURCE_START = '{"attributes":';

/**
 * What the records of one answer share, serialized once each: the API gives a resource's
 * attributes and schema URL beside each other, and a trace has a handful of distinct resource
 * and scope texts, so each is cut up (or completed) once; service names, span names, kinds and
 * the like repeat across thousands of spans, and are escaped once per answer instead of once per
 * span.
 */
class Shared {
  private readonly resources = new Map<string, string>();
  private readonly scopes = new Map<string, string>();
  private readonly strings = new Map<string, string>();

  /** `JSON.stringify(value)`, once per distinct value. */
  readonly str = (value: string): string => {
    let json = this.strings.get(value);
    if (json === undefined) {
      json = JSON.stringify(value);
      this.strings.set(value, json);
    }
    return json;
  };

  /** `"resource":<attributes>,"resourceSchemaUrl":<url>` of a stored resource. */
  resource(resourceJson: string): string {
    let fields = this.resources.get(resourceJson);
    if (fields === undefined) {
      const end = resourceJson.startsWith(RESOURCE_START) ? endOfJsonValue(resourceJson, RESOURCE_START.length) : -1;
      const parsed = JSON.parse(resourceJson) as { attributes: unknown; schemaUrl?: string };
      // Any other layout (none is written today) has its attributes serialized again.
      const attributes = end > 0 ? resourceJson.slice(RESOURCE_START.length, end) : JSON.stringify(parsed.attributes);
      fields = `"resource":${attributes},"resourceSchemaUrl":${JSON.stringify(parsed.schemaUrl ?? '')}`;
      this.resources.set(resourceJson, fields);
    }
    return fields;
  }

  /** A stored scope with its schema URL, `''` for one stored before Spoor kept it. */
  scope(scopeJson: string): string {
    let json = this.scopes.get(scopeJson);
    if (json === undefined) {
      json = 'schemaUrl' in (JSON.parse(scopeJson) as object) ? scopeJson : `${scopeJson.slice(0, -1)}${scopeJson === '{}' ? '' : ','}"schemaUrl":""}`;
      this.scopes.set(scopeJson, json);
    }
    return json;
  }
}

const EVENT_START = '{"timeUs":';
const INTEGER = /^-?\d+$/;

/**
 * The API's events from the stored ones: each event's leading `{"timeUs":N,` becomes
 * `{"time":"<ISO>",` and the rest of the event (name, attributes, dropped count, in that order)
 * is the stored text. Events as ingest writes them always start with their time; any other
 * layout is parsed and rebuilt instead.
 */
export function apiEventsJson(stored: string): string {
  if (stored === '[]') return stored;
  let out = '[';
  let at = 1;
  for (;;) {
    if (!stored.startsWith(EVENT_START, at)) return rebuiltEventsJson(stored);
    const comma = stored.indexOf(',', at + EVENT_START.length);
    const timeText = comma < 0 ? '' : stored.slice(at + EVENT_START.length, comma);
    const end = endOfJsonValue(stored, at);
    if (!INTEGER.test(timeText) || end < 0 || comma > end) return rebuiltEventsJson(stored);
    out += `{"time":${time(Number(timeText))},${stored.slice(comma + 1, end)}`;
    const next = stored.charCodeAt(end);
    if (next === CLOSE_BRACKET && end === stored.length - 1) return `${out}]`;
    if (next !== COMMA) return rebuiltEventsJson(stored);
    out += ',';
    at = end + 1;
  }
}

const EVENT_START_BYTES = Buffer.from(EVENT_START);
const DIGIT_0 = 0x30;
const MINUS = 0x2d;
const decoder = new TextDecoder();
/** Where each event of the span being written starts its rest (after its time) and ends, and its time. */
const eventRest: number[] = [];
const eventEnd: number[] = [];
const eventTimeUs: number[] = [];

/**
 * `apiEventsJson` on the stored events' bytes `start .. end`, written to `out`: the events are
 * checked first (each starts with its time, the text ends with the last), then each is written
 * as its ISO time and the rest of its stored bytes. JSON's structural characters are ASCII and
 * no byte of a multi-byte UTF-8 character is, so the bytes are scanned as the text would be.
 * Events in any other layout go through `apiEventsJson`.
 */
function writeEvents(out: JsonWriter<unknown>, bytes: Uint8Array, start: number, end: number): void {
  if (end - start === 2 && bytes[start] === OPEN_BRACKET && bytes[start + 1] === CLOSE_BRACKET) {
    out.write('[]');
    return;
  }
  if (!eventsLaidOut(bytes, start, end)) {
    out.write(apiEventsJson(decoder.decode(bytes.subarray(start, end))));
    return;
  }
  out.write('[');
  for (let k = 0; k < eventRest.length; k++) {
    out.write(`${k > 0 ? ',' : ''}{"time":${time(eventTimeUs[k]!)},`);
    out.copy(bytes, eventRest[k]!, eventEnd[k]!);
  }
  out.write(']');
}

/** Whether the events at `start .. end` are laid out as ingest writes them; their places in `eventRest`, `eventEnd`, `eventTimeUs`. */
function eventsLaidOut(bytes: Uint8Array, start: number, end: number): boolean {
  eventRest.length = 0;
  eventEnd.length = 0;
  eventTimeUs.length = 0;
  if (bytes[start] !== OPEN_BRACKET) return false;
  let at = start + 1;
  for (;;) {
    for (let j = 0; j < EVENT_START_BYTES.length; j++) if (bytes[at + j] !== EVENT_START_BYTES[j]) return false;
    let i = at + EVENT_START_BYTES.length;
    const negative = bytes[i] === MINUS;
    if (negative) i++;
    const digitsAt = i;
    let us = 0;
    for (; i < end; i++) {
      const d = bytes[i]! - DIGIT_0;
      if (d < 0 || d > 9) break;
      us = us * 10 + d;
    }
    // Past 15 digits a double may round differently from `Number(text)`, which `apiEventsJson` uses.
    if (i === digitsAt || bytes[i] !== COMMA) return false;
    if (i - digitsAt > 15) us = Number(decoder.decode(bytes.subarray(digitsAt, i)));
    const close = endOfJsonBytes(bytes, at, end);
    if (close < 0) return false;
    eventRest.push(i + 1);
    eventEnd.push(close);
    eventTimeUs.push(negative ? -us : us);
    if (bytes[close] === CLOSE_BRACKET && close === end - 1) return true;
    if (bytes[close] !== COMMA) return false;
    at = close + 1;
  }
}

/** `endOfJsonValue` over UTF-8 bytes, within `start .. limit`. */
function endOfJsonBytes(bytes: Uint8Array, start: number, limit: number): number {
  let depth = 0;
  for (let i = start; i < limit; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      // The quote that closes a string is the first not escaped by an odd run of backslashes.
      for (;;) {
        i = bytes.indexOf(QUOTE, i + 1);
        if (i < 0 || i >= limit) return -1;
        let backslashes = 0;
        for (let j = i - 1; bytes[j] === BACKSLASH; j--) backslashes++;
        if ((backslashes & 1) === 0) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

function rebuiltEventsJson(stored: string): string {
  const events = JSON.parse(stored) as SpanEventRecord[];
  return JSON.stringify(
    events.map((e) => ({ time: isoFromMicros(e.timeUs), name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
  );
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The index just past the object or array that starts at `start` of a valid JSON text, or -1 when
 * there is none. Strings are skipped whole (a quote inside one is always escaped), so brackets in
 * them do not count.
 */
export function endOfJsonValue(text: string, start: number): number {
  const first = text.charCodeAt(start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return -1;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
      if (i < 0) return -1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  return -1;
}

/** The index of the quote that closes the string opening at `open`, or -1. */
function endOfString(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i < 0) return -1;
    let backslashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if ((backslashes & 1) === 0) return i;
  }
}

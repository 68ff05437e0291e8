import type { LogRecordData, SpanRecord } from '@spoor/model';

/**
 * A span as a store reads it for an answer: the fields of `SpanRecord`, with its JSON ones
 * (attributes, events, links, resource, scope) as the text the store holds, so an answer can
 * splice that text in instead of parsing and serializing it again. Every text is valid JSON:
 * what `JSON.stringify` wrote at ingest, where NaN and infinities already became `null`.
 */
export interface StoredSpan extends Omit<SpanRecord, 'attributes' | 'resource' | 'scope' | 'events' | 'links'> {
  /** `Attributes`. */
  attributesJson: string;
  /** `Resource`; spans of one source share one string. */
  resourceJson: string;
  /** `InstrumentationScope`; spans of one source share one string. */
  scopeJson: string;
  /** `SpanEventRecord[]` (times in epoch microseconds). */
  eventsJson: string;
  /** `SpanLink[]`. */
  linksJson: string;
}

/** A log record as a store reads it for an answer: `LogRecordData` with its JSON fields as stored text (see `StoredSpan`). */
export interface StoredLog extends Omit<LogRecordData, 'body' | 'attributes' | 'resource' | 'scope'> {
  /** `AttributeValue`. */
  bodyJson: string;
  /** `Attributes`. */
  attributesJson: string;
  /** `Resource`. */
  resourceJson: string;
  /** `InstrumentationScope`. */
  scopeJson: string;
}

/** A trace's spans (any order) and logs (in time order) as read for an answer. */
export interface StoredTrace {
  spans: StoredSpan[];
  logs: StoredLog[];
}

/** The record of a stored span, its JSON texts parsed: for the few readers that need the values. */
export function spanRecordFromStored(s: StoredSpan): SpanRecord {
  const { attributesJson, resourceJson, scopeJson, eventsJson, linksJson, ...fields } = s;
  return {
    ...fields,
    attributes: JSON.parse(attributesJson),
    resource: JSON.parse(resourceJson),
    scope: JSON.parse(scopeJson),
    events: JSON.parse(eventsJson),
    links: JSON.parse(linksJson),
  };
}

/** The record of a stored log, its JSON texts parsed. */
export function logDataFromStored(l: StoredLog): LogRecordData {
  const { bodyJson, attributesJson, resourceJson, scopeJson, ...fields } = l;
  return {
    ...fields,
    body: JSON.parse(bodyJson),
    attributes: JSON.parse(attributesJson),
    resource: JSON.parse(resourceJson),
    scope: JSON.parse(scopeJson),
  };
}

/** A stored span's fields but its attributes, events and links, which an answer copies as bytes (`SpanTexts`). */
export type StoredSpanFields = Omit<StoredSpan, 'attributesJson' | 'eventsJson' | 'linksJson'>;

/**
 * The attributes, events and links of a trace's spans as UTF-8 bytes, the way a store reads them
 * for the trace's answer: text `k = 3i + j` (0 attributes, 1 events, 2 links) of span `i` is
 * `bytes[starts[k] .. ends[k])`. Copied into the answer as they are, they are never decoded to
 * strings nor encoded again: for 20,001 spans of 2.9 KB that was 220 of the database thread's
 * milliseconds a request.
 */
export interface SpanTexts {
  bytes: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

/** The texts of no span. */
export const NO_SPAN_TEXTS: SpanTexts = { bytes: new Uint8Array(0), starts: new Uint32Array(0), ends: new Uint32Array(0) };

/** A trace as read for its answer: span fields, their texts as bytes (span `i`'s at `i`), logs in time order. */
export interface StoredTraceBytes {
  spans: StoredSpanFields[];
  texts: SpanTexts;
  logs: StoredLog[];
}

const SEPARATOR = 0x01;

/**
 * The `SpanTexts` of `count` spans from their texts joined by byte 0x01, which valid JSON never
 * holds raw (a separator after the last is optional). A count that does not match means a stored
 * text held a raw 0x01: not valid JSON, refused rather than misread.
 */
export function spanTextsOf(what: string, bytes: Uint8Array, count: number): SpanTexts {
  const starts = new Uint32Array(count * 3);
  const ends = new Uint32Array(count * 3);
  let at = 0;
  for (let k = 0; k < ends.length; k++) {
    const end = bytes.indexOf(SEPARATOR, at);
    if (end < 0 && k === ends.length - 1) ends[k] = bytes.length;
    else if (end < 0) throw new Error(`the stored JSON texts of ${what} are fewer than its ${count} spans have`);
    else ends[k] = end;
    starts[k] = at;
    at = ends[k]! + 1;
  }
  if (at < bytes.length) throw new Error(`a stored JSON text of ${what} holds a raw U+0001: it is not valid JSON`);
  return { bytes, starts, ends };
}

/** The texts of spans read as strings, as bytes (for answers read that way: a page, one span). */
export function spanTextsFromStored(spans: readonly StoredSpan[]): SpanTexts {
  let joined = '';
  for (const s of spans) joined += `${s.attributesJson}\u0001${s.eventsJson}\u0001${s.linksJson}\u0001`;
  return spanTextsOf('spans', Buffer.from(joined), spans.length);
}

/** A trace read as strings (`StoredTrace`) in its byte form, spans in the same order. */
export function storedTraceBytesOf(trace: StoredTrace): StoredTraceBytes {
  const spans = trace.spans.map(({ attributesJson: _a, eventsJson: _e, linksJson: _l, ...fields }): StoredSpanFields => fields);
  return { spans, texts: spanTextsFromStored(trace.spans), logs: trace.logs };
}

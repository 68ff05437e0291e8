import type { LogRecordData, SpanRecord } from '@spoor/model';
import type { TextBytes } from './record-rows.js';

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
export type SpanTexts = TextBytes;

/** The texts of no span. */
export const NO_SPAN_TEXTS: SpanTexts = { bytes: new Uint8Array(0), starts: new Uint32Array(0), ends: new Uint32Array(0) };

/** A trace as read for its answer: span fields, their texts as bytes (span `i`'s at `i`), logs in time order. */
export interface StoredTraceBytes {
  spans: StoredSpanFields[];
  texts: SpanTexts;
  logs: StoredLog[];
}

/** The texts of spans read as strings, as bytes (for answers read that way: running spans, and the in-memory store's). */
export function spanTextsFromStored(spans: readonly StoredSpan[]): SpanTexts {
  const parts = spans.flatMap((s) => [Buffer.from(s.attributesJson), Buffer.from(s.eventsJson), Buffer.from(s.linksJson)]);
  const starts = new Uint32Array(parts.length);
  const ends = new Uint32Array(parts.length);
  let at = 0;
  parts.forEach((part, k) => {
    starts[k] = at;
    at += part.length;
    ends[k] = at;
  });
  return { bytes: Buffer.concat(parts, at), starts, ends };
}

/** A trace read as strings (`StoredTrace`) in its byte form, spans in the same order. */
export function storedTraceBytesOf(trace: StoredTrace): StoredTraceBytes {
  const spans = trace.spans.map(({ attributesJson: _a, eventsJson: _e, linksJson: _l, ...fields }): StoredSpanFields => fields);
  return { spans, texts: spanTextsFromStored(trace.spans), logs: trace.logs };
}

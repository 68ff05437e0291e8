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

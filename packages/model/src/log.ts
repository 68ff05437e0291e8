import type { ApiScope, AttributeValue, Attributes, InstrumentationScope, Resource } from './attributes.js';

/** A log record as the server holds it; times are epoch microseconds. */
export interface LogRecordData {
  projectId: string;
  /** Random id given at ingest, so pagination has a stable order among equal timestamps. */
  logId: string;
  timeUs: number;
  observedTimeUs: number;
  traceId: string | null;
  spanId: string | null;
  flags: number;
  /** OTLP severity number, 0 (unspecified) to 24 (fatal4). */
  severityNumber: number;
  severityText: string;
  body: AttributeValue;
  /**
   * The body was OTLP `bytes`: `body` is their base64 text, not a string that was sent. Absent
   * (or false) for any other body.
   */
  bodyBytes?: boolean;
  attributes: Attributes;
  resource: Resource;
  scope: InstrumentationScope;
  serviceName: string;
  eventName: string;
  droppedAttributesCount: number;
}

/** A log record as the REST API returns it. */
export interface LogRecord {
  logId: string;
  /** ISO-8601 with microseconds; the observed time when the record carried no time. */
  time: string;
  observedTime: string;
  traceId: string | null;
  spanId: string | null;
  flags: number;
  severityNumber: number;
  severityText: string;
  /** The body as sent; OTLP `bytes` as their base64 text (then `bodyBytes` is true). */
  body: AttributeValue;
  /** The body was OTLP `bytes`, and `body` is their base64 text rather than a string that was sent. */
  bodyBytes: boolean;
  attributes: Attributes;
  /** The resource's attributes. */
  resource: Attributes;
  /** The resource's schema URL, `''` for none. */
  resourceSchemaUrl: string;
  scope: ApiScope;
  serviceName: string;
  eventName: string;
  droppedAttributesCount: number;
}

/** Severity names accepted by the API, each mapped to the lowest OTLP number of its range. */
export const SEVERITY_NUMBERS = {
  trace: 1,
  debug: 5,
  info: 9,
  warn: 13,
  error: 17,
  fatal: 21,
} as const;

export type SeverityName = keyof typeof SEVERITY_NUMBERS;

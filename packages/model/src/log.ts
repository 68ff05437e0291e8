import type { AttributeValue, Attributes, InstrumentationScope, Resource } from './attributes.js';

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
  body: AttributeValue;
  attributes: Attributes;
  resource: Attributes;
  scope: InstrumentationScope;
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

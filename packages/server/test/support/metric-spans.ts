import type { LlmFields, SpanKind, SpanRecord } from '@spoor/model';
import { emptyLlm, span } from './record-fixtures.js';

/** Span builders for the metrics tests, on the store contract's record builders. */

export const T0 = 1_700_000_000_000_000;

export function llm(fields: Partial<LlmFields>): LlmFields {
  return { ...emptyLlm(), ...fields };
}

/** A committed span of `service` and `kind` that lasted `ms` milliseconds. */
export function metricSpan(service: string, kind: SpanKind, ms: number, extra: Partial<SpanRecord> = {}): SpanRecord {
  return span({
    serviceName: service,
    kind,
    startTimeUs: T0,
    endTimeUs: T0 + ms * 1000,
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    ...extra,
  });
}

import type { LlmFields, ScoreRecord, SpanKind, SpanRecord } from '@spoor/model';
import { emptyLlm, span } from './record-fixtures.js';

/** Span and score builders for the metrics tests, on the store contract's record builders. */

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

/** A score of session `s` named `name`, as the score metrics count it. */
export function metricScore(name: string, value: number | null, label: string | null, source: ScoreRecord['source'] = 'evaluator'): ScoreRecord {
  return {
    projectId: 'default',
    scoreId: 'x',
    timeUs: 0,
    traceId: null,
    spanId: null,
    sessionId: 's',
    responseId: null,
    name,
    value,
    label,
    comment: null,
    source,
    author: '',
  };
}

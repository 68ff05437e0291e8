import type { Attributes, SpanRecord } from '@spoor/model';
import { llmFieldsFrom } from './llm.js';

/** Fills the fields Spoor derives from a span's raw attributes, in place. Pure: no I/O, no clock. */
export function normalizeSpans(spans: SpanRecord[]): void {
  for (const span of spans) {
    // A span sent without an end (0) or ending before it starts is taken as instantaneous, so
    // every time range that should contain it does.
    if (span.endTimeUs < span.startTimeUs) span.endTimeUs = span.startTimeUs;
    span.llm = llmFieldsFrom(span.attributes);
    span.sessionId = sessionIdOf(span.attributes);
  }
}

function sessionIdOf(attributes: Attributes): string | null {
  const id = attributes['session.id'] ?? attributes['gen_ai.conversation.id'];
  if (typeof id === 'string' && id !== '') return id;
  return typeof id === 'number' ? String(id) : null;
}

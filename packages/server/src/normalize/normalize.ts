import type { Attributes, SpanRecord } from '@spoor/model';
import { llmFieldsFrom } from './llm.js';

/** Fills the fields Spoor derives from a span's raw attributes, in place. Pure: no I/O, no clock. */
export function normalizeSpans(spans: SpanRecord[]): void {
  for (const span of spans) {
    span.llm = llmFieldsFrom(span.attributes);
    span.sessionId = sessionIdOf(span.attributes);
  }
}

function sessionIdOf(attributes: Attributes): string | null {
  const id = attributes['session.id'] ?? attributes['gen_ai.conversation.id'];
  if (typeof id === 'string' && id !== '') return id;
  return typeof id === 'number' ? String(id) : null;
}

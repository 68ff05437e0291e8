import type { PriceBook, SpanRecord } from '@spoor/model';
import { categoryOf } from './category.js';
import { first, hasAnyKey, llmFieldsFrom, text } from './llm.js';
import { priceLlm } from './prices.js';

/** Where each convention puts the session (conversation) a span belongs to. */
const SESSION_KEYS = [
  'session.id',
  'gen_ai.conversation.id',
  'traceloop.association.properties.session_id',
  'ai.telemetry.metadata.sessionId',
  'ai.telemetry.metadata.session_id',
  'langfuse.session.id',
];

/** Where each convention puts the end user a span acts for. */
const USER_KEYS = [
  'user.id',
  'enduser.id',
  'traceloop.association.properties.user_id',
  'ai.telemetry.metadata.userId',
  'ai.telemetry.metadata.user_id',
  'langfuse.user.id',
];

const IDENTITY_KEYS: ReadonlySet<string> = new Set([...SESSION_KEYS, ...USER_KEYS]);

/**
 * Fills the fields Spoor derives from a span's raw attributes, in place: the canonical `llm`
 * fields (priced by `prices` when given), the category, the session and the user. Pure: no I/O,
 * no clock. The raw attributes stay as they came.
 */
export function normalizeSpans(spans: SpanRecord[], prices?: PriceBook): void {
  for (const span of spans) {
    // A span sent without an end (0) or ending before it starts is taken as instantaneous, so
    // every time range that should contain it does.
    if (span.endTimeUs < span.startTimeUs) span.endTimeUs = span.startTimeUs;
    const llm = llmFieldsFrom(span.attributes, span.scope.name);
    if (llm !== null && prices !== undefined) priceLlm(llm, prices);
    span.llm = llm;
    span.category = categoryOf(span.name, span.attributes, llm);
    // One pass over the span's keys instead of twelve missed lookups when it names neither.
    const identified = hasAnyKey(span.attributes, IDENTITY_KEYS);
    span.sessionId = identified ? first(span.attributes, SESSION_KEYS, text) : null;
    span.userId = identified ? first(span.attributes, USER_KEYS, text) : null;
  }
  countEachCallOnce(spans);
}

/**
 * One LLM call often shows up as nested LLM spans: a framework's span around a client
 * instrumentation's (LangChain and OpenAI under OpenInference), or an instrumentation's around
 * the client's own (OpenInference around the Anthropic SDK's). Each carries the call's tokens, so
 * a trace would count them twice. The innermost span, closest to the API, keeps the `llm` fields;
 * the ones around it become steps. Only spans exported in the same batch are seen together
 * (a parent ends after its child, and usually leaves in the same export).
 */
function countEachCallOnce(spans: SpanRecord[]): void {
  let llmSpans: Map<string, SpanRecord> | undefined;
  for (const span of spans) {
    if (span.llm === null) continue;
    (llmSpans ??= new Map()).set(span.spanId, span);
  }
  if (llmSpans === undefined || llmSpans.size < 2) return;
  for (const span of llmSpans.values()) {
    const parent = span.parentSpanId === null ? undefined : llmSpans.get(span.parentSpanId);
    if (parent === undefined || parent.traceId !== span.traceId) continue;
    parent.llm = null;
    parent.category = 'step';
  }
}

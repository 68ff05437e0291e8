import type { PriceBook, SpanRecord } from '@spoor/model';
import { categoryOf } from './category.js';
import { langChainMetadataField, OPENINFERENCE_LANGCHAIN } from './langchain.js';
import { first, hasAnyKey, llmFieldsFrom, text } from './llm.js';
import { priceLlm } from './prices.js';

/** The end time of a span sent with no end (`endTimeUnixNano` 0 or absent): a snapshot of a span still running. */
export const RUNNING_END_US = 0;

/** Whether a span is a running snapshot: sent with no end yet. The ended span, sent later, replaces it. */
export function isRunning(span: Pick<SpanRecord, 'endTimeUs'>): boolean {
  return span.endTimeUs === RUNNING_END_US;
}

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
 * Session and user keys that only one emitter gives a meaning to, read only from that emitter's
 * spans (by instrumentation scope). Mastra's exporter copies its tracing metadata onto the agent span
 * as bare attributes, `sessionId` / `userId`, and a memory's `threadId` / `resourceId` (the thread
 * is the conversation, the resource its owner). On another app's spans keys that bare could mean
 * anything.
 */
const EMITTER_IDENTITY_KEYS: ReadonlyMap<string, { session: readonly string[]; user: readonly string[] }> = new Map([
  ['@mastra/otel', { session: ['sessionId', 'threadId'], user: ['userId', 'resourceId'] }],
]);

/**
 * Fills the fields Spoor derives from a span's raw attributes, in place: the canonical `llm`
 * fields (priced by `prices` when given), the category, the session and the user. Pure: no I/O,
 * no clock. The raw attributes stay as they came.
 */
export function normalizeSpans(spans: SpanRecord[], prices?: PriceBook): void {
  for (const span of spans) normalizeSpan(span, prices);
  countEachCallOnce(spans);
}

/** What `normalizeSpan` reads of a span and fills in. */
export type NormalizedFields = Pick<SpanRecord, 'name' | 'attributes' | 'scope' | 'startTimeUs' | 'endTimeUs' | 'llm' | 'category' | 'sessionId' | 'userId'>;

/**
 * `normalizeSpans` for one span, before the batch's LLM calls are counted once
 * (`countEachCallOnce`). The protobuf decoder hands it one reused view per span, its attributes
 * only those a convention reads (`decode-columns.ts`).
 */
export function normalizeSpan(span: NormalizedFields, prices?: PriceBook): void {
  // A span ending before it starts is taken as instantaneous, so every time range that should
  // contain it does. One with no end (0) is a running snapshot (`isRunning`) and keeps it.
  if (span.endTimeUs !== RUNNING_END_US && span.endTimeUs < span.startTimeUs) span.endTimeUs = span.startTimeUs;
  const llm = llmFieldsFrom(span.attributes, span.scope.name);
  if (llm !== null && prices !== undefined) priceLlm(llm, prices);
  span.llm = llm;
  span.category = categoryOf(span.name, span.attributes, llm, span.scope.name);
  // One pass over the span's keys instead of twelve missed lookups when it names neither.
  const identified = hasAnyKey(span.attributes, IDENTITY_KEYS);
  span.sessionId = identified ? first(span.attributes, SESSION_KEYS, text) : null;
  span.userId = identified ? first(span.attributes, USER_KEYS, text) : null;
  const own = EMITTER_IDENTITY_KEYS.get(span.scope.name);
  if (own !== undefined) {
    span.sessionId ??= first(span.attributes, own.session, text);
    span.userId ??= first(span.attributes, own.user, text);
  }
  // OpenInference maps LangChain's run metadata `session_id` (and LangGraph's `thread_id`) to
  // `session.id`, but leaves `user_id` inside its `metadata` JSON.
  if (span.userId === null && span.scope.name === OPENINFERENCE_LANGCHAIN) span.userId = langChainMetadataField(span.attributes.metadata, 'user_id');
}

/** What `countEachCallOnce` reads of a span and may change (`llm`, `category`). */
export type CallSpan = Pick<SpanRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'scope' | 'startTimeUs' | 'endTimeUs' | 'llm' | 'category'>;

/**
 * One LLM call often shows up as nested LLM spans: a framework's span around a client
 * instrumentation's (LangChain and OpenAI under OpenInference), or an instrumentation's around
 * the client's own (OpenInference around the Anthropic SDK's). Each carries the call's tokens, so
 * a trace would count them twice. The innermost span, closest to the API, keeps the `llm` fields;
 * the ones around it become steps. Only spans exported in the same batch are seen together
 * (a parent ends after its child, and usually leaves in the same export).
 */
export function countEachCallOnce(spans: readonly CallSpan[]): void {
  let llmSpans: Map<string, CallSpan> | undefined;
  let langChainCalls: CallSpan[] | undefined;
  for (const span of spans) {
    if (span.llm === null) continue;
    (llmSpans ??= new Map()).set(span.spanId, span);
    if (span.scope.name === TRACELOOP_LANGCHAIN) (langChainCalls ??= []).push(span);
  }
  if (llmSpans === undefined || llmSpans.size < 2) return;
  for (const span of llmSpans.values()) {
    const parent = span.parentSpanId === null ? undefined : llmSpans.get(span.parentSpanId);
    if (parent === undefined || parent.traceId !== span.traceId) continue;
    asStep(parent);
  }
  if (langChainCalls !== undefined) countLangChainTwinsOnce(langChainCalls, llmSpans);
}

const TRACELOOP_LANGCHAIN = '@traceloop/instrumentation-langchain';

/**
 * OpenLLMetry's LangChain instrumentation starts its spans without a parent. So under the Traceloop
 * SDK, which also instruments the OpenAI and Anthropic clients, one model call is two LLM spans
 * that do not nest. They are two root traces, or two siblings under a workflow. They overlap in
 * time and name the same provider and request model (test/fixtures/frameworks). The client's span
 * keeps the call: it has the cache counts and the dated model. The exception is when it reports
 * fewer input tokens. The SDK counts an OpenAI stream with tiktoken (6 where the provider said
 * 1200), and LangChain has the provider's count. Each client span takes at most one LangChain span,
 * so two calls still count two.
 */
function countLangChainTwinsOnce(langChainCalls: CallSpan[], llmSpans: Map<string, CallSpan>): void {
  const taken = new Set<CallSpan>();
  for (const chain of langChainCalls) {
    if (chain.llm === null) continue;
    for (const client of llmSpans.values()) {
      if (client.llm === null || client.scope.name === TRACELOOP_LANGCHAIN || taken.has(client)) continue;
      if (client.llm.provider !== chain.llm.provider || client.llm.requestModel !== chain.llm.requestModel) continue;
      if (client.startTimeUs > chain.endTimeUs || chain.startTimeUs > client.endTimeUs) continue;
      taken.add(client);
      asStep((chain.llm.inputTokens ?? 0) > (client.llm.inputTokens ?? 0) ? client : chain);
      break;
    }
  }
}

function asStep(span: CallSpan): void {
  span.llm = null;
  span.category = 'step';
}

import { microsFromIso, resolveSpanTree, spanTreeInputFrom } from '@spoor/model';
import type { AttributeValue, Span as RecordedSpan, SpanTreeRecord, TraceDetail } from '@spoor/model';
import type { GenAiMessage } from '../llm/content.js';
import { CALL_SEQUENCE_ATTRIBUTE, REQUEST_HASH_ATTRIBUTE } from './hash.js';

/** Span attribute of a captured function's result, as JSON (masked, at most 32 KiB). */
export const TOOL_RESULT_ATTRIBUTE = 'spoor.tool.result';
/** Span attribute set when a captured function returned a promise, so a replay returns one too. */
export const TOOL_ASYNC_ATTRIBUTE = 'spoor.tool.async';

/** Token counts as the GenAI attributes hold them (input includes the cache). */
export interface RecordedUsage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cacheReadTokens: number | undefined;
  cacheCreationTokens: number | undefined;
  reasoningTokens: number | undefined;
}

/** What a recorded LLM call answered, enough to rebuild the provider's response. */
export interface RecordedOutput {
  messages: GenAiMessage[];
  responseId: string | undefined;
  model: string | undefined;
  finishReasons: string[];
  usage: RecordedUsage;
  /** Epoch seconds of the call, for the response's `created` field. */
  createdS: number;
}

interface EntryBase {
  /** The recorded span, for the replayed span's link. */
  spanId: string;
  spanName: string;
  /** Names of the enclosing spans from the root, e.g. `agent > tool-call`. */
  path: string;
  /** Place among the recorded calls under the same path, from 0. */
  index: number;
  hash: string;
  /** The request as the trace shows it (masked), for a divergence's diff. */
  request: Record<string, unknown>;
  /** Set when the recorded call failed: a replay fails the same way. */
  failure: { type: string; message: string } | undefined;
}

/** A recorded LLM call; `output` is undefined when its completion was not captured whole. */
export interface LlmEntry extends EntryBase {
  kind: 'llm';
  output: RecordedOutput | undefined;
}

/** A recorded call of a `traced` function with `captureArgs`; `result` is undefined when none was recorded. */
export interface ToolEntry extends EntryBase {
  kind: 'tool';
  result: { value: unknown } | undefined;
  async: boolean;
}

export type CassetteEntry = LlmEntry | ToolEntry;

/** The recorded calls of one trace, by position. */
export interface Cassette {
  traceId: string;
  entries: ReadonlyMap<string, CassetteEntry>;
  /** Chat calls recorded without content capture, which cannot be replayed. */
  uncaptured: number;
}

/** The key of a call's position: where it ran, and how many replayable calls ran there before it. */
export function positionKey(path: string, index: number): string {
  return `${path}#${index}`;
}

/**
 * A trace as read from `GET /api/traces/:traceId` to a cassette. A call's place is the path of
 * span names above it (within its own service, so a caller upstream does not shift it) and its
 * order among the replayable calls under that path, by start time: the same code running again
 * reaches the same places in the same order, whatever the span ids, run ids and timings.
 */
export function cassetteFromTrace(trace: TraceDetail): Cassette {
  const spans = trace.spans;
  // The model's one resolver links the spans (copies left out, loops cut, orphans made roots) and
  // orders them parent before child, so each path is built from its parent's in one loop: no
  // recursion on depth, whatever the trace holds.
  const tree = resolveSpanTree(spanTreeInputFrom(spans.map(treeRecordOf)));
  const paths = new Array<string>(tree.count);
  const pathAbove = (row: number): string => {
    const parent = tree.parent[row]!;
    if (parent < 0 || spans[tree.order[parent]!]!.serviceName !== spans[tree.order[row]!]!.serviceName) return '';
    return paths[parent]!;
  };
  for (let row = 0; row < tree.count; row++) {
    const above = pathAbove(row);
    const name = spans[tree.order[row]!]!.name;
    paths[row] = above === '' ? name : `${above} > ${name}`;
  }
  const calls: { span: RecordedSpan; path: string }[] = [];
  for (let row = 0; row < tree.count; row++) {
    const span = spans[tree.order[row]!]!;
    if (typeof span.attributes[REQUEST_HASH_ATTRIBUTE] === 'string') calls.push({ span, path: pathAbove(row) });
  }
  calls.sort((a, b) => byStart(a.span, b.span));
  const counts = new Map<string, number>();
  const entries = new Map<string, CassetteEntry>();
  for (const { span, path } of calls) {
    const index = counts.get(path) ?? 0;
    counts.set(path, index + 1);
    entries.set(positionKey(path, index), entryFrom(span, path, index));
  }
  let uncaptured = 0;
  for (let row = 0; row < tree.count; row++) {
    const span = spans[tree.order[row]!]!;
    if (span.llm?.operation === 'chat' && span.attributes[REQUEST_HASH_ATTRIBUTE] === undefined) uncaptured++;
  }
  return { traceId: trace.traceId, entries, uncaptured };
}

function treeRecordOf(span: RecordedSpan): SpanTreeRecord {
  const startTimeUs = microsFromIso(span.startTime) ?? 0;
  return { spanId: span.spanId, parentSpanId: span.parentSpanId, startTimeUs, endTimeUs: startTimeUs + (span.durationMs ?? 0) * 1000 };
}

/** Start order: by start time, then (for calls started within the same microsecond) by call number. */
function byStart(a: RecordedSpan, b: RecordedSpan): number {
  if (a.startTime !== b.startTime) return a.startTime < b.startTime ? -1 : 1;
  return sequenceOf(a) - sequenceOf(b);
}

function sequenceOf(span: RecordedSpan): number {
  const seq = span.attributes[CALL_SEQUENCE_ATTRIBUTE];
  return typeof seq === 'number' ? seq : 0;
}

function entryFrom(span: RecordedSpan, path: string, index: number): CassetteEntry {
  const a = span.attributes;
  const base: EntryBase = {
    spanId: span.spanId,
    spanName: span.name,
    path,
    index,
    hash: String(a[REQUEST_HASH_ATTRIBUTE]),
    request: {},
    failure: span.status.code === 'error' ? { type: text(a['error.type']) ?? 'Error', message: span.status.message } : undefined,
  };
  if (a['gen_ai.operation.name'] !== undefined) {
    base.request = llmRequestOf(span);
    return { ...base, kind: 'llm', output: outputOf(span) };
  }
  base.request = { arguments: parsed(a['input.value']) ?? a['input.value'] };
  const result = a[TOOL_RESULT_ATTRIBUTE];
  const value = result === 'undefined' ? { value: undefined } : jsonValue(result);
  return { ...base, kind: 'tool', result: value, async: a[TOOL_ASYNC_ATTRIBUTE] === true };
}

/** The request fields a trace keeps: model, parameters, system instructions and messages. */
function llmRequestOf(span: RecordedSpan): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (key.startsWith('gen_ai.request.') && key !== 'gen_ai.request.stream') request[key.slice('gen_ai.request.'.length)] = value;
  }
  const system = parsed(span.attributes['gen_ai.system_instructions']);
  if (system !== undefined) request.system = system;
  request.messages = parsed(span.attributes['gen_ai.input.messages']) ?? span.attributes['gen_ai.input.messages'];
  return request;
}

function outputOf(span: RecordedSpan): RecordedOutput | undefined {
  const messages = parsed(span.attributes['gen_ai.output.messages']);
  if (!Array.isArray(messages)) return undefined;
  const a = span.attributes;
  const reasons = a['gen_ai.response.finish_reasons'];
  return {
    messages: messages as GenAiMessage[],
    responseId: text(a['gen_ai.response.id']),
    model: text(a['gen_ai.response.model']) ?? text(a['gen_ai.request.model']),
    finishReasons: Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [],
    usage: {
      inputTokens: count(a['gen_ai.usage.input_tokens']),
      outputTokens: count(a['gen_ai.usage.output_tokens']),
      cacheReadTokens: count(a['gen_ai.usage.cache_read.input_tokens']),
      cacheCreationTokens: count(a['gen_ai.usage.cache_creation.input_tokens']),
      reasoningTokens: count(a['gen_ai.usage.reasoning.output_tokens']),
    },
    createdS: Math.floor(Date.parse(span.startTime) / 1000),
  };
}

/** A JSON attribute's value, or undefined when it is missing or was cut at the capture limit. */
function parsed(value: AttributeValue | undefined): unknown {
  return jsonValue(value)?.value;
}

function jsonValue(value: AttributeValue | undefined): { value: unknown } | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return { value: JSON.parse(value) as unknown };
  } catch {
    // Cut at the capture limit ("…[truncated N chars]"): not replayable, reported by the caller.
    return undefined;
  }
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: AttributeValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

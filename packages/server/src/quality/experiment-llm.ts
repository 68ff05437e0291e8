import {
  type Attributes,
  type ChatMessage,
  type DatasetItem,
  EXPERIMENT_ATTRIBUTES,
  type ExperimentTarget,
  type JsonValue,
  type PromptVersion,
  compilePrompt,
  openAiResponseFormat,
} from '@spoor/model';
import { llmMessagesFrom } from '../normalize/messages.js';
import type { ReplayCall } from '../replay/replay-request.js';
import { chatMessagesFrom, replayCallOf } from '../replay/replay-request.js';
import type { TracedCall } from '../replay/replayer.js';
import type { ExperimentResultRecord } from '../store/ports/experiments.js';
import type { ItemRun } from './experiment-judging.js';
import { textOf } from './targets.js';

/**
 * An LLM-call experiment's item: the call it makes (its recorded call with the target's changes,
 * or, for an item made by hand, its input as the user's message) and the result of making it.
 */

export type LlmCallTarget = Extract<ExperimentTarget, { kind: 'llm-call' }>;
export type PromptTarget = Extract<ExperimentTarget, { kind: 'prompt' }>;

/** The call an item makes, or why it makes none. */
export type CallOfItem = (item: DatasetItem, source: SourceSpan | undefined) => ReplayCall | string;

/** A recorded span an item names as its source: its attributes, as the database thread read them. */
export interface SourceSpan {
  traceId: string;
  spanId: string;
  attributesJson: string;
}

/**
 * The call an item makes: its source span's recorded request when it has one (messages and
 * parameters, with the target's model, provider, system prompt, temperature and token limit),
 * else its input as the conversation: a text as the user's message, `{ messages: [{ role,
 * content }] }` as they are, anything else as its JSON text. `null` with why when there is none.
 */
export function callOfItem(item: DatasetItem, target: LlmCallTarget, source: SourceSpan | undefined): ReplayCall | string {
  const overrides = {
    provider: target.provider,
    model: target.model,
    ...(target.system === undefined ? {} : { system: target.system }),
    ...(target.temperature === undefined ? {} : { temperature: target.temperature }),
    ...(target.maxTokens === undefined ? {} : { maxTokens: target.maxTokens }),
  };
  if (source !== undefined) {
    const attributes = JSON.parse(source.attributesJson) as Attributes;
    const call = replayCallOf(null, llmMessagesFrom(attributes), attributes, overrides);
    if (call !== null) return call;
  }
  const messages = messagesOfInput(item.input);
  if (messages === null) return 'the item has no recorded call (its source span did not capture its messages) and no input to send';
  return {
    provider: target.provider,
    model: target.model,
    system: target.system ?? '',
    messages,
    temperature: target.temperature ?? null,
    topP: null,
    maxTokens: target.maxTokens ?? null,
    tools: null,
  };
}

function messagesOfInput(input: JsonValue): ChatMessage[] | null {
  const asText = (value: JsonValue | undefined): string => (typeof value === 'string' ? value : JSON.stringify(value ?? null));
  if (typeof input === 'string') return input === '' ? null : chatMessagesFrom([{ role: 'user', content: input }]);
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && Array.isArray(input.messages)) {
    const given = input.messages.map((m) =>
      typeof m === 'object' && m !== null && !Array.isArray(m) && typeof m.role === 'string' ? { role: m.role, content: asText(m.content) } : null,
    );
    return given.length === 0 || given.includes(null) ? null : chatMessagesFrom(given as Array<{ role: string; content: string }>);
  }
  return input === null ? null : chatMessagesFrom([{ role: 'user', content: JSON.stringify(input) }]);
}

/**
 * The call a prompt version makes for an item: its template compiled with the item's input as the
 * variables (an object's fields, each text as it is and anything else as its JSON; a text, or no
 * input, for a prompt of one variable, or none), a chat's system messages as the system prompt, the
 * version's config under the target's model, temperature and token limit. A variable missing or
 * not the prompt's is the item's error, naming it.
 */
export function callOfPromptItem(item: DatasetItem, prompt: PromptVersion, target: PromptTarget & { model: string }): ReplayCall | string {
  const variables = variablesOf(item.input, prompt.variables);
  if (typeof variables === 'string') return variables;
  let compiled: PromptVersion['prompt'];
  try {
    compiled = compilePrompt(prompt.prompt, variables);
  } catch (error) {
    return `prompt ${prompt.name} version ${prompt.version}: ${(error as Error).message}`;
  }
  const chat = typeof compiled === 'string' ? [{ role: 'user', content: compiled }] : compiled;
  const system = chat.filter((m) => m.role === 'system').map((m) => m.content);
  const messages = chat.filter((m) => m.role !== 'system');
  if (messages.length === 0) return `prompt ${prompt.name} version ${prompt.version} has no message but the system's to send`;
  return {
    provider: target.provider,
    model: target.model,
    system: system.join('\n\n'),
    messages: chatMessagesFrom(messages),
    temperature: target.temperature ?? prompt.config.temperature,
    topP: null,
    maxTokens: target.maxTokens ?? prompt.config.maxTokens,
    tools: prompt.config.tools,
    responseFormat: openAiResponseFormat(prompt.config.responseFormat),
  };
}

function variablesOf(input: JsonValue, names: readonly string[]): Record<string, string> | string {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  if (names.length === 0 && (input === null || input === '')) return {};
  if (names.length === 1 && input !== null) return { [names[0]!]: typeof input === 'string' ? input : JSON.stringify(input) };
  return `the item's input must be an object of the prompt's variables (${names.join(', ') || 'none'})`;
}

/** The root span of an item's call: named for the experiment, carrying its ids (and more `attributes`), linked to the recorded call it makes again. */
export function itemTrace(experimentId: string, name: string, item: DatasetItem, source: SourceSpan | undefined, attributes: Attributes = {}) {
  return {
    name: `experiment ${name}`,
    attributes: { ...attributes, [EXPERIMENT_ATTRIBUTES.id]: experimentId, [EXPERIMENT_ATTRIBUTES.item]: item.itemId },
    links:
      source === undefined
        ? []
        : [{ context: { traceId: source.traceId, spanId: source.spanId, traceFlags: 1 }, attributes: { 'spoor.link.type': 'replay_of' } }],
  };
}

/** What an item's call answered, as its result: the completion's text, its tokens as the call's span counted them, its latency. */
export function runOfCall(experimentId: string, item: DatasetItem, call: TracedCall, timeUs: number): ItemRun {
  // The completion's text as evaluators read an LLM call's output (`targets.ts`).
  const text = textOf(llmMessagesFrom(call.attributes).output) ?? '';
  const result: ExperimentResultRecord = {
    experimentId,
    itemId: item.itemId,
    traceId: call.traceId,
    spanId: call.spanId,
    output: JSON.stringify(text),
    error: null,
    latencyMs: call.durationMs,
    inputTokens: numberOf(call.attributes['gen_ai.usage.input_tokens']),
    outputTokens: numberOf(call.attributes['gen_ai.usage.output_tokens']),
    costUsd: null,
    timeUs,
    unpricedCalls: null,
  };
  return { item, result, clientScores: [], stored: call.stored };
}

/** An item that could not be run, or whose provider failed: errored, with why. */
export function erroredRun(experimentId: string, item: DatasetItem, error: string, latencyMs: number | null, timeUs: number): ItemRun {
  return {
    item,
    clientScores: [],
    result: {
      experimentId,
      itemId: item.itemId,
      traceId: null,
      spanId: null,
      output: null,
      error,
      latencyMs,
      inputTokens: null,
      outputTokens: null,
      costUsd: null,
      timeUs,
      unpricedCalls: null,
    },
  };
}

function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

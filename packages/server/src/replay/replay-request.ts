import type { Attributes, ChatMessage, ChatPart, LlmFields, LlmMessages } from '@spoor/model';
import { AppError } from '../errors.js';
import type { ProviderName } from './providers.js';

/**
 * What a replay sends: the recorded call (its model, messages and parameters, from whichever
 * convention recorded them) with the user's overrides, and that call in each provider's wire form.
 */

/** `POST /api/replay`'s `overrides`: every field optional; what is given replaces what was recorded. */
export interface ReplayOverrides {
  provider?: ProviderName;
  model?: string;
  /** The system prompt, as text. */
  system?: string;
  messages?: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  /** Tool definitions in the provider's own form, sent as they are. */
  tools?: unknown[];
  /** OpenAI's `response_format`, sent as it is. */
  responseFormat?: unknown;
}

export interface ReplayCall {
  provider: ProviderName;
  model: string;
  system: string;
  messages: ChatMessage[];
  temperature: number | null;
  topP: number | null;
  maxTokens: number | null;
  tools: unknown[] | null;
  /** OpenAI's `response_format` (JSON mode, a JSON schema); Anthropic has none, so it is not sent there. */
  responseFormat?: unknown;
}

export interface ReplayTarget {
  traceId: string;
  spanId: string;
  overrides: ReplayOverrides;
}

/** A message as `POST /api/replay` takes one (its shape checked by the route's schema): text `content`, or `parts`. */
export interface ReplayMessageInput {
  role: string;
  content?: string;
  parts?: Array<{ type: string; [field: string]: unknown }>;
}

/**
 * The call to make: the recorded one with the overrides applied. `null` when the span recorded
 * no request (its instrumentation did not capture content) and no messages are given.
 */
export function replayCallOf(llm: LlmFields | null, messages: LlmMessages, attributes: Attributes, overrides: ReplayOverrides): ReplayCall | null {
  const recorded = messages.input.length > 0;
  if (!recorded && overrides.messages === undefined) return null;
  const provider = overrides.provider ?? providerOf(llm?.provider ?? null);
  const model = overrides.model ?? llm?.requestModel ?? llm?.responseModel ?? null;
  if (model === null) throw bad("the recorded call names no model: give one in 'overrides.model'");
  return {
    provider,
    model,
    system: overrides.system ?? messages.system.map(partText).join('\n'),
    messages: overrides.messages ?? messages.input,
    temperature: overrides.temperature ?? numberAttribute(attributes, 'gen_ai.request.temperature'),
    topP: overrides.topP ?? numberAttribute(attributes, 'gen_ai.request.top_p'),
    maxTokens: overrides.maxTokens ?? numberAttribute(attributes, 'gen_ai.request.max_tokens'),
    tools: overrides.tools ?? null,
    responseFormat: overrides.responseFormat ?? null,
  };
}

/** Anthropic's name, or OpenAI's for everything that speaks its API (Azure, gateways, compatible servers). */
function providerOf(recorded: string | null): ProviderName {
  return recorded !== null && /anthropic/i.test(recorded) ? 'anthropic' : 'openai';
}

/** The call as OpenAI's chat completions take it. */
export function openAiRequest(call: ReplayCall): Record<string, unknown> {
  const messages: unknown[] = [];
  if (call.system !== '') messages.push({ role: 'system', content: call.system });
  for (const message of call.messages) {
    const texts = message.parts.filter((p) => p.type === 'text' || p.type === 'other').map(partText);
    const calls = message.parts.filter((p): p is Extract<ChatPart, { type: 'tool_call' }> => p.type === 'tool_call');
    const results = message.parts.filter((p): p is Extract<ChatPart, { type: 'tool_call_response' }> => p.type === 'tool_call_response');
    for (const result of results) messages.push({ role: 'tool', tool_call_id: result.id ?? '', content: textOf(result.response) });
    if (results.length > 0 && texts.length === 0 && calls.length === 0) continue;
    const out: Record<string, unknown> = { role: message.role === 'tool' ? 'user' : message.role, content: texts.length === 0 ? null : texts.join('\n') };
    if (calls.length > 0) {
      out.tool_calls = calls.map((c) => ({
        id: c.id ?? '',
        type: 'function',
        function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) },
      }));
    }
    messages.push(out);
  }
  const request: Record<string, unknown> = { model: call.model, messages };
  if (call.temperature !== null) request.temperature = call.temperature;
  if (call.topP !== null) request.top_p = call.topP;
  if (call.maxTokens !== null) request.max_completion_tokens = call.maxTokens;
  if (call.tools !== null) request.tools = call.tools;
  if (call.responseFormat !== undefined && call.responseFormat !== null) request.response_format = call.responseFormat;
  return request;
}

/** The call as Anthropic's messages API takes it (which needs `max_tokens`: 1,024 unless recorded or given). */
export function anthropicRequest(call: ReplayCall): Record<string, unknown> {
  const messages = call.messages
    .filter((m) => m.role !== 'system')
    .map((message) => ({
      role: message.role === 'assistant' ? 'assistant' : 'user',
      content: message.parts.map((part) => {
        if (part.type === 'tool_call')
          return {
            type: 'tool_use',
            id: part.id ?? '',
            name: part.name,
            input: typeof part.arguments === 'string' ? safeJson(part.arguments) : (part.arguments ?? {}),
          };
        if (part.type === 'tool_call_response') return { type: 'tool_result', tool_use_id: part.id ?? '', content: textOf(part.response) };
        return { type: 'text', text: partText(part) };
      }),
    }));
  const request: Record<string, unknown> = { model: call.model, max_tokens: call.maxTokens ?? 1024, messages };
  if (call.system !== '') request.system = call.system;
  if (call.temperature !== null) request.temperature = Math.min(1, call.temperature);
  if (call.topP !== null) request.top_p = call.topP;
  if (call.tools !== null) request.tools = call.tools;
  return request;
}

function partText(part: ChatPart): string {
  if (part.type === 'text' || part.type === 'reasoning') return part.content;
  if (part.type === 'other') return textOf(part.content);
  if (part.type === 'tool_call') return `${part.name}(${textOf(part.arguments)})`;
  return textOf(part.response);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { input: text };
  }
}

function numberAttribute(attributes: Attributes, key: string): number | null {
  const value = attributes[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * Messages in the canonical form (`{ role, parts }`) from `{ role, content }` with text content or
 * `{ role, parts }`: what a part of each type needs is checked here, where the schema cannot say it.
 */
export function chatMessagesFrom(messages: readonly ReplayMessageInput[], field = 'overrides.messages'): ChatMessage[] {
  return messages.map((message, i) => {
    const at = `'${field}[${i}]'`;
    if (message.content !== undefined) return { role: message.role, parts: [{ type: 'text', content: message.content }], finishReason: null };
    if (message.parts === undefined) throw bad(`${at} needs content (text) or parts`);
    return { role: message.role, parts: message.parts.map((part, j) => partFrom(part, `${at}.parts[${j}]`)), finishReason: null };
  });
}

function partFrom(part: { type: string; [field: string]: unknown }, at: string): ChatPart {
  if ((part.type === 'text' || part.type === 'reasoning') && typeof part.content === 'string') return { type: part.type, content: part.content };
  if (part.type === 'tool_call' && typeof part.name === 'string')
    return { type: 'tool_call', id: typeof part.id === 'string' ? part.id : null, name: part.name, arguments: part.arguments ?? {} };
  if (part.type === 'tool_call_response')
    return { type: 'tool_call_response', id: typeof part.id === 'string' ? part.id : null, response: part.response ?? null };
  throw bad(`${at} must be a text or reasoning part with content, a tool_call with a name, or a tool_call_response`);
}

function bad(message: string): AppError {
  return new AppError('ERR_BAD_REQUEST', message);
}

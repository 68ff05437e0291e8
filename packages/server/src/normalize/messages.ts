import type { AttributeValue, Attributes, ChatMessage, ChatPart, LlmMessages } from '@spoor/model';
import { text } from './llm.js';

type Json = Record<string, unknown>;

/**
 * The prompt and completion of an LLM span, whichever convention carried them: the GenAI
 * conventions' `gen_ai.input.messages` / `gen_ai.output.messages` (JSON text or structured),
 * OpenLLMetry's `gen_ai.prompt.{i}.*` / `gen_ai.completion.{i}.*`, OpenInference's
 * `llm.input_messages.{i}.message.*` (else its raw `input.value` / `output.value`), and the Vercel
 * AI SDK's `ai.prompt.messages` / `ai.response.*`. Empty lists when the span carries no content.
 * Pure; read when a span is inspected, so stored spans keep only their raw attributes.
 */
export function llmMessagesFrom(attributes: Attributes): LlmMessages {
  const instructions = partsOf(parsed(attributes['gen_ai.system_instructions']));
  for (const read of [fromGenAi, fromOpenLlmetry, fromOpenInference, fromVercel]) {
    const found = read(attributes);
    if (found !== null) return { system: instructions.length > 0 ? instructions : (found.system ?? []), input: found.input, output: found.output };
  }
  return { system: instructions, input: raw(attributes['input.value'], 'user'), output: raw(attributes['output.value'], 'assistant') };
}

type Found = { input: ChatMessage[]; output: ChatMessage[]; system?: ChatPart[] } | null;

function fromGenAi(attributes: Attributes): Found {
  const input = parsed(attributes['gen_ai.input.messages']);
  const output = parsed(attributes['gen_ai.output.messages']);
  if (!Array.isArray(input) && !Array.isArray(output)) return null;
  return { input: messagesOf(input), output: messagesOf(output) };
}

/** Messages in the GenAI form: `[{ role, parts: [...], finish_reason? }]`. */
function messagesOf(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) return [];
  return value.map((m: Json) => ({
    role: text(m.role as AttributeValue) ?? 'user',
    parts: m.parts !== undefined ? partsOf(m.parts) : partsOf(m.content),
    finishReason: text(m.finish_reason as AttributeValue),
  }));
}

function partsOf(value: unknown): ChatPart[] {
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', content: value }];
  if (!Array.isArray(value)) return [];
  return value.map((p: Json): ChatPart => {
    const type = typeof p.type === 'string' ? p.type : 'text';
    if ((type === 'text' || type === 'reasoning') && typeof p.content === 'string') return { type, content: p.content };
    if (type === 'text' && typeof p.text === 'string') return { type: 'text', content: p.text };
    if (type === 'tool_call') return { type, id: str(p.id), name: str(p.name) ?? 'unknown', arguments: p.arguments ?? null };
    if (type === 'tool_use') return { type: 'tool_call', id: str(p.id), name: str(p.name) ?? 'unknown', arguments: p.input ?? null };
    if (type === 'tool_call_response') return { type, id: str(p.id), response: p.response ?? p.result ?? null };
    return { type: 'other', kind: type, content: p.content ?? p.uri ?? null };
  });
}

/** OpenLLMetry before 0.23: `gen_ai.prompt.{i}.role/content`, `gen_ai.completion.{i}.*`. */
function fromOpenLlmetry(attributes: Attributes): Found {
  if (attributes['gen_ai.prompt.0.role'] === undefined && attributes['gen_ai.completion.0.role'] === undefined) return null;
  const indexed = (prefix: string): ChatMessage[] => {
    const out: ChatMessage[] = [];
    for (let i = 0; attributes[`${prefix}.${i}.role`] !== undefined || attributes[`${prefix}.${i}.content`] !== undefined; i++) {
      const at = `${prefix}.${i}`;
      const parts = contentParts(attributes[`${at}.content`]);
      for (let j = 0; attributes[`${at}.tool_calls.${j}.name`] !== undefined; j++) {
        parts.push({
          type: 'tool_call',
          id: text(attributes[`${at}.tool_calls.${j}.id`]),
          name: text(attributes[`${at}.tool_calls.${j}.name`]) ?? 'unknown',
          arguments: parsed(attributes[`${at}.tool_calls.${j}.arguments`]),
        });
      }
      out.push({ role: text(attributes[`${at}.role`]) ?? 'user', parts, finishReason: text(attributes[`${at}.finish_reason`]) });
    }
    return out;
  };
  return { input: indexed('gen_ai.prompt'), output: indexed('gen_ai.completion') };
}

/** OpenInference: `llm.input_messages.{i}.message.*`, `llm.output_messages.{i}.message.*`. */
function fromOpenInference(attributes: Attributes): Found {
  if (attributes['llm.input_messages.0.message.role'] === undefined && attributes['llm.output_messages.0.message.role'] === undefined) return null;
  const indexed = (prefix: string): ChatMessage[] => {
    const out: ChatMessage[] = [];
    for (let i = 0; attributes[`${prefix}.${i}.message.role`] !== undefined; i++) {
      const at = `${prefix}.${i}.message`;
      const parts = contentParts(attributes[`${at}.content`]);
      for (let j = 0; attributes[`${at}.contents.${j}.message_content.type`] !== undefined; j++) {
        const content = text(attributes[`${at}.contents.${j}.message_content.text`]);
        if (content !== null) parts.push({ type: 'text', content });
      }
      for (let j = 0; attributes[`${at}.tool_calls.${j}.tool_call.function.name`] !== undefined; j++) {
        const call = `${at}.tool_calls.${j}.tool_call`;
        parts.push({
          type: 'tool_call',
          id: text(attributes[`${call}.id`]),
          name: text(attributes[`${call}.function.name`]) ?? 'unknown',
          arguments: parsed(attributes[`${call}.function.arguments`]),
        });
      }
      const role = text(attributes[`${at}.role`]) ?? 'user';
      const callId = text(attributes[`${at}.tool_call_id`]);
      if (role === 'tool' && callId !== null)
        out.push({ role, parts: [{ type: 'tool_call_response', id: callId, response: attributes[`${at}.content`] ?? null }], finishReason: null });
      else out.push({ role, parts, finishReason: null });
    }
    return out;
  };
  const output = indexed('llm.output_messages');
  const finish = text(attributes['llm.finish_reason']);
  if (finish !== null && output.length > 0) output[output.length - 1]!.finishReason = finish;
  const input = indexed('llm.input_messages');
  // Its Anthropic instrumentation leaves the system prompt out of the messages; the raw request has it.
  const request = parsed(attributes['input.value']);
  const system = typeof request === 'object' && request !== null && !input.some((m) => m.role === 'system') ? partsOf((request as Json).system) : [];
  return { input, output, system };
}

/** The Vercel AI SDK: `ai.prompt.messages` (its own message form), `ai.response.text` / `.toolCalls`. */
function fromVercel(attributes: Attributes): Found {
  const prompt = parsed(attributes['ai.prompt.messages']);
  const responseText = text(attributes['ai.response.text']);
  const toolCalls = parsed(attributes['ai.response.toolCalls']);
  if (!Array.isArray(prompt) && responseText === null && !Array.isArray(toolCalls)) return null;
  const input = (Array.isArray(prompt) ? prompt : []).map(
    (m: Json): ChatMessage => ({
      role: str(m.role) ?? 'user',
      parts: typeof m.content === 'string' ? [{ type: 'text', content: m.content }] : vercelParts(m.content),
      finishReason: null,
    }),
  );
  const parts: ChatPart[] = responseText === null ? [] : [{ type: 'text', content: responseText }];
  for (const call of Array.isArray(toolCalls) ? (toolCalls as Json[]) : []) {
    const args = call.input ?? call.args;
    parts.push({
      type: 'tool_call',
      id: str(call.toolCallId),
      name: str(call.toolName) ?? 'unknown',
      arguments: typeof args === 'string' ? parsed(args) : (args ?? null),
    });
  }
  const output = parts.length === 0 ? [] : [{ role: 'assistant', parts, finishReason: text(attributes['ai.response.finishReason']) }];
  return { input, output };
}

function vercelParts(content: unknown): ChatPart[] {
  if (!Array.isArray(content)) return [];
  return content.map((p: Json): ChatPart => {
    if (p.type === 'text' && typeof p.text === 'string') return { type: 'text', content: p.text };
    if (p.type === 'reasoning' && typeof p.text === 'string') return { type: 'reasoning', content: p.text };
    if (p.type === 'tool-call') return { type: 'tool_call', id: str(p.toolCallId), name: str(p.toolName) ?? 'unknown', arguments: p.input ?? p.args ?? null };
    if (p.type === 'tool-result') return { type: 'tool_call_response', id: str(p.toolCallId), response: p.output ?? p.result ?? null };
    return { type: 'other', kind: str(p.type) ?? 'unknown', content: null };
  });
}

/** A content attribute that may be plain text or a JSON array of content blocks. */
function contentParts(value: AttributeValue | undefined): ChatPart[] {
  if (typeof value !== 'string' || value === '') return [];
  const blocks = value.startsWith('[') ? parsed(value) : null;
  if (Array.isArray(blocks)) return partsOf(blocks);
  return [{ type: 'text', content: value }];
}

/** OpenInference's raw request / response text, when nothing structured is there. */
function raw(value: AttributeValue | undefined, role: string): ChatMessage[] {
  const content = text(value);
  return content === null ? [] : [{ role, parts: [{ type: 'text', content }], finishReason: null }];
}

/** An attribute that holds JSON text (most dialects) or the structure itself (OTLP arrays). */
function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trimStart();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

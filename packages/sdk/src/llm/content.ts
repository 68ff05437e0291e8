import { capturedJson } from '../trace/capture.js';

// Prompts and completions, captured only when the app asks for content: their shapes in the GenAI
// conventions' JSON form, and how they are written (masked, bounded) onto the span.

/** Longest captured prompt or completion JSON, in characters. */
export const MAX_CONTENT_LENGTH = 32_768;

/** One message in the GenAI conventions' JSON form (`gen_ai.input.messages`). */
export interface GenAiMessage {
  role: string;
  parts: GenAiPart[];
  finish_reason?: string;
}

/** One part of a {@link GenAiMessage}: text, reasoning, a tool call or its response, or a provider's own kind. */
export type GenAiPart =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: string; [key: string]: unknown };

/** One choice of a response, collected for `gen_ai.output.messages`. */
export interface OutputChoice {
  text: string;
  reasoning: string;
  toolCalls: { id?: string; name: string; arguments: string }[];
  finishReason: string | undefined;
}

/** A new, empty output choice. */
export function newChoice(): OutputChoice {
  return { text: '', reasoning: '', toolCalls: [], finishReason: undefined };
}

/** Output choices as GenAI output messages. */
export function outputMessages(choices: OutputChoice[]): GenAiMessage[] {
  return choices.map((choice) => {
    const parts: GenAiPart[] = [];
    if (choice.reasoning !== '') parts.push({ type: 'reasoning', content: choice.reasoning });
    if (choice.text !== '') parts.push({ type: 'text', content: choice.text });
    for (const call of choice.toolCalls) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: parseJsonOr(call.arguments) });
    const message: GenAiMessage = { role: 'assistant', parts };
    if (choice.finishReason !== undefined) message.finish_reason = choice.finishReason;
    return message;
  });
}

/** Prompt or completion content as masked JSON (masked key by key, then as text). */
export function contentJson(value: unknown): string {
  return capturedJson(value, MAX_CONTENT_LENGTH);
}

/** Tool-call arguments as the JSON they hold, or as they came when they are not JSON text. */
export function parseJsonOr(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Whether to record prompts and completions: the option, else the OTel environment variable. */
export function captureContentFrom(option: boolean | undefined): boolean {
  if (option !== undefined) return option;
  return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.toLowerCase() === 'true';
}

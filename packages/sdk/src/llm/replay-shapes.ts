import type { GenAiMessage } from './content.js';
import type { LlmRequest } from './method.js';
import type { RecordedOutput } from '../replay/cassette.js';

/** How one client method answers from a recording, in its provider's shapes. */
export interface LlmReplay {
  /** The response `request` would have got, rebuilt from what was recorded. */
  response(output: RecordedOutput, request: LlmRequest): unknown;
  /** The events of a stream answering `request`. */
  stream(output: RecordedOutput, request: LlmRequest): unknown[];
  /** The response header that carries the request id (`x-request-id`, Anthropic's `request-id`). */
  requestIdHeader: string;
}

/** A recorded tool call, with its arguments as JSON text as the APIs send them. */
export interface ReplayToolCall {
  id: string;
  name: string;
  arguments: string;
  input: unknown;
}

/** The text parts of a recorded message, joined. */
export function textOf(message: GenAiMessage): string {
  return partsOf(message, 'text');
}

/** The reasoning parts of a recorded message, joined. */
export function reasoningOf(message: GenAiMessage): string {
  return partsOf(message, 'reasoning');
}

/** A recorded message's parts, read as the untyped JSON they came back from the server as. */
function rawParts(message: GenAiMessage): Record<string, unknown>[] {
  return Array.isArray(message.parts) ? (message.parts as Record<string, unknown>[]) : [];
}

function partsOf(message: GenAiMessage, type: string): string {
  return rawParts(message)
    .filter((part) => part.type === type && typeof part.content === 'string')
    .map((part) => part.content as string)
    .join('');
}

/** The tool calls of a recorded message; a call recorded without an id gets `${prefix}N`. */
export function toolCallsOf(message: GenAiMessage, prefix: string): ReplayToolCall[] {
  return rawParts(message)
    .filter((part) => part.type === 'tool_call')
    .map((part, i) => {
      const input = part.arguments;
      return {
        id: typeof part.id === 'string' ? part.id : `${prefix}${i}`,
        name: typeof part.name === 'string' ? part.name : 'unknown',
        arguments: typeof input === 'string' ? input : JSON.stringify(input ?? {}),
        input: typeof input === 'string' ? parseOr(input) : (input ?? {}),
      };
    });
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** The finish reason of the `index`th recorded message. */
export function finishOf(output: RecordedOutput, index: number, fallback: string): string {
  return output.messages[index]?.finish_reason ?? output.finishReasons[index] ?? fallback;
}

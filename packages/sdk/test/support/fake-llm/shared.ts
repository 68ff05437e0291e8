import { type Ctx } from './exchange.js';
import { DEFAULT_TEXT, DEFAULT_USAGE, type FakeReply, type FakeToolCall, type FakeUsage, type Json } from './types.js';

// What every provider derives from a reply, before putting it in its own wire format.

/** The reply's usage over the defaults, with `totalTokens` (input + output) as OpenAI reports it. */
export function usageOf(reply: FakeReply): Required<FakeUsage> & { totalTokens: number } {
  const u: Required<FakeUsage> = { ...DEFAULT_USAGE, ...stripUndefined(reply.usage ?? {}) };
  return { ...u, totalTokens: u.inputTokens + u.outputTokens };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function replyText(reply: FakeReply): string {
  if (reply.chunks) return reply.chunks.join('');
  return reply.text ?? (reply.toolCalls?.length ? '' : DEFAULT_TEXT);
}

/** Whether a reply gets a text part: when it has text, or nothing else to say. */
export function hasTextPart(text: string, toolCalls: number): boolean {
  return text !== '' || toolCalls === 0;
}

export function textChunks(reply: FakeReply): string[] {
  if (reply.chunks) return reply.chunks;
  const text = replyText(reply);
  // Each word with the whitespace before it; trailing whitespace stays on the last piece.
  const pieces: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const rest = text.slice(pieces.join('').length);
  if (rest !== '' && pieces.length > 0) pieces[pieces.length - 1] += rest;
  else if (rest !== '') pieces.push(rest);
  return pieces;
}

export interface ToolCall {
  id: string;
  name: string;
  /** As a JSON string. */
  arguments: string;
}

/** The reply's tool calls, each with an id (`${prefix}…` when not scripted) and its arguments as a JSON string. */
export function toolCallsOf(reply: FakeReply, ctx: Ctx, prefix: string): ToolCall[] {
  return (reply.toolCalls ?? []).map((c) => toolCallOf(c, ctx, prefix));
}

export function toolCallOf(call: FakeToolCall, ctx: Ctx, prefix: string): ToolCall {
  return {
    id: call.id ?? `${prefix}${ctx.nextId()}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  };
}

/** Splits tool-call JSON into small pieces, as the real APIs stream it. */
export function splitArguments(json: string, size = 8): string[] {
  const parts: string[] = [];
  for (let i = 0; i < json.length; i += size) parts.push(json.slice(i, i + size));
  return parts;
}

export function modelOf(request: Json, reply: FakeReply): string {
  return reply.model ?? (typeof request.model === 'string' ? request.model : 'fake-model');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { type Ctx, type SseEvent, typedEvent } from './exchange.js';
import { hasTextPart, modelOf, replyText, splitArguments, textChunks, type ToolCall, toolCallOf, usageOf } from './shared.js';
import { type FakeError, type FakeReply, type Json } from './types.js';

// The Anthropic wire formats: messages and the error body.

type ToolUse = ToolCall & { input: unknown };

export function messages(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  // Parsed call by call, so arguments that are not JSON fail before the next call takes an id.
  const tools: ToolUse[] = (reply.toolCalls ?? []).map((c) => {
    const call = toolCallOf(c, ctx, 'toolu_fake_');
    return { ...call, input: JSON.parse(call.arguments) as unknown };
  });
  const text = replyText(reply);
  const withText = hasTextPart(text, tools.length);
  const stopReason = reply.finishReason ?? (tools.length > 0 ? 'tool_use' : 'end_turn');
  const { outputTokens } = usageOf(reply);
  if (request.stream !== true) {
    const content: Json[] = [];
    if (withText) content.push({ type: 'text', text });
    for (const t of tools) content.push({ type: 'tool_use', id: t.id, name: t.name, input: t.input });
    return ctx.json(200, message(ctx, request, reply, content, stopReason, outputTokens));
  }
  // Like the real API, message_start carries the input counts and a token or so of output; message_delta has the final output count.
  const start = message(ctx, request, reply, [], null, Math.min(1, outputTokens));
  return ctx.stream(messageEvents(start, withText, tools, stopReason, outputTokens, reply));
}

function message(ctx: Ctx, request: Json, reply: FakeReply, content: Json[], stopReason: string | null, outputTokens: number): Json {
  return {
    id: reply.id ?? `msg_fake_${ctx.nextId()}`,
    type: 'message',
    role: 'assistant',
    model: modelOf(request, reply),
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: anthropicUsage(reply, outputTokens),
  };
}

function* messageEvents(start: Json, withText: boolean, tools: ToolUse[], stopReason: string, outputTokens: number, reply: FakeReply): Generator<SseEvent> {
  yield typedEvent('message_start', { message: start });
  let index = 0;
  if (withText) {
    yield typedEvent('content_block_start', { index, content_block: { type: 'text', text: '' } });
    yield typedEvent('ping');
    for (const piece of textChunks(reply)) yield typedEvent('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    yield typedEvent('content_block_stop', { index });
    index++;
  }
  for (const t of tools) {
    yield typedEvent('content_block_start', { index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } });
    for (const part of ['', ...splitArguments(t.arguments)])
      yield typedEvent('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
    yield typedEvent('content_block_stop', { index });
    index++;
  }
  yield typedEvent('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  yield typedEvent('message_stop');
}

function anthropicUsage(reply: FakeReply, outputTokens: number): Json {
  const u = usageOf(reply);
  return {
    input_tokens: Math.max(0, u.inputTokens - u.cachedTokens - u.cacheCreationTokens),
    cache_creation_input_tokens: u.cacheCreationTokens,
    cache_read_input_tokens: u.cachedTokens,
    cache_creation: { ephemeral_5m_input_tokens: u.cacheCreationTokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

/** A scripted error as Anthropic's error JSON, its type and message defaulting by status. */
export function anthropicError(error: FakeError, requestId: string | null): Json {
  const type = error.type ?? anthropicErrorType(error.status);
  return { type: 'error', error: { type, message: error.message ?? anthropicErrorMessage(type) }, request_id: requestId };
}

function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    402: 'billing_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    504: 'timeout_error',
    529: 'overloaded_error',
  };
  return types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

function anthropicErrorMessage(type: string): string {
  const messages: Record<string, string> = {
    rate_limit_error: 'This request would exceed the rate limit for your organization. Please try again later.',
    overloaded_error: 'Overloaded',
    api_error: 'Internal server error',
    authentication_error: 'invalid x-api-key',
  };
  return messages[type] ?? 'fake-llm: scripted error';
}

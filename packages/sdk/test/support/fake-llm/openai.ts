import { type Ctx, type SseEvent, typedEvent } from './exchange.js';
import { hasTextPart, isObject, modelOf, nowSeconds, replyText, splitArguments, textChunks, type ToolCall, toolCallsOf, usageOf } from './shared.js';
import { DEFAULT_EMBEDDING_DIMENSIONS, type FakeError, type FakeReply, type Json } from './types.js';

// The OpenAI wire formats: chat completions, responses, embeddings and the error body.

// ---------------------------------------------------------------------------------------------
// Chat completions

export function chatCompletions(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  const calls = toolCallsOf(reply, ctx, 'call_fake_');
  const id = reply.id ?? `chatcmpl-fake${ctx.nextId()}`;
  const finishReason = reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  if (request.stream === true) {
    const base = {
      id,
      object: 'chat.completion.chunk',
      created: nowSeconds(),
      model: modelOf(request, reply),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
    const includeUsage = isObject(request.stream_options) && request.stream_options.include_usage === true;
    return ctx.stream(chatChunks(base, calls, finishReason, includeUsage, reply));
  }
  const text = replyText(reply);
  return ctx.json(200, {
    id,
    object: 'chat.completion',
    created: nowSeconds(),
    model: modelOf(request, reply),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasTextPart(text, calls.length) ? text : null,
          refusal: null,
          annotations: [],
          ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: chatUsage(reply),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  });
}

function* chatChunks(base: Json, calls: ToolCall[], finishReason: string, includeUsage: boolean, reply: FakeReply): Generator<SseEvent> {
  const chunk = (delta: Json, finish: string | null = null): SseEvent => ({
    data: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) },
  });
  yield chunk({ role: 'assistant', content: '', refusal: null });
  for (const piece of textChunks(reply)) yield chunk({ content: piece });
  for (const [index, call] of calls.entries()) {
    yield chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const part of splitArguments(call.arguments)) yield chunk({ tool_calls: [{ index, function: { arguments: part } }] });
  }
  yield chunk({}, finishReason);
  if (includeUsage) yield { data: { ...base, choices: [], usage: chatUsage(reply) } };
  yield { data: '[DONE]' };
}

function chatUsage(reply: FakeReply): Json {
  const u = usageOf(reply);
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.totalTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

// ---------------------------------------------------------------------------------------------
// Responses

interface ResponsesPlan {
  response: Json;
  messageId: string;
  text: string;
  calls: { itemId: string; callId: string; name: string; arguments: string }[];
  incomplete: boolean;
}

export function responses(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  const plan = planResponses(ctx, request, reply);
  return request.stream === true ? ctx.stream(responsesEvents(plan, reply)) : ctx.json(200, finalResponse(plan, reply));
}

function planResponses(ctx: Ctx, request: Json, reply: FakeReply): ResponsesPlan {
  const incomplete = reply.finishReason === 'max_output_tokens' || reply.finishReason === 'content_filter';
  const calls = toolCallsOf(reply, ctx, 'call_fake_').map((c) => ({ itemId: `fc_fake_${ctx.nextId()}`, callId: c.id, name: c.name, arguments: c.arguments }));
  const response: Json = {
    id: reply.id ?? `resp_fake_${ctx.nextId()}`,
    object: 'response',
    created_at: nowSeconds(),
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: isObject(request.metadata) ? request.metadata : {},
    model: modelOf(request, reply),
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: isObject(request.text) ? request.text : { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: null,
    user: null,
  };
  return { response, messageId: `msg_fake_${ctx.nextId()}`, text: replyText(reply), calls, incomplete };
}

function messageItem(plan: ResponsesPlan, text: string, status: string): Json {
  return { id: plan.messageId, type: 'message', status, role: 'assistant', content: [outputText(text)] };
}

function outputText(text: string): Json {
  return { type: 'output_text', annotations: [], logprobs: [], text };
}

function functionItem(call: ResponsesPlan['calls'][number], args: string, status: string): Json {
  return { id: call.itemId, type: 'function_call', status, arguments: args, call_id: call.callId, name: call.name };
}

function finalResponse(plan: ResponsesPlan, reply: FakeReply): Json {
  const status = plan.incomplete ? 'incomplete' : 'completed';
  const output: Json[] = [];
  if (hasTextPart(plan.text, plan.calls.length)) output.push(messageItem(plan, plan.text, status));
  for (const call of plan.calls) output.push(functionItem(call, call.arguments, 'completed'));
  const u = usageOf(reply);
  return {
    ...plan.response,
    status,
    ...(plan.incomplete ? { incomplete_details: { reason: reply.finishReason } } : { completed_at: nowSeconds() }),
    output,
    usage: {
      input_tokens: u.inputTokens,
      input_tokens_details: { cached_tokens: u.cachedTokens },
      output_tokens: u.outputTokens,
      output_tokens_details: { reasoning_tokens: u.reasoningTokens },
      total_tokens: u.totalTokens,
    },
  };
}

function* responsesEvents(plan: ResponsesPlan, reply: FakeReply): Generator<SseEvent> {
  let sequence = 0;
  const send = (type: string, fields: Json) => typedEvent(type, { ...fields, sequence_number: sequence++ });

  yield send('response.created', { response: plan.response });
  yield send('response.in_progress', { response: plan.response });
  let outputIndex = 0;
  if (hasTextPart(plan.text, plan.calls.length)) {
    const ids = { item_id: plan.messageId, output_index: outputIndex, content_index: 0 };
    const status = plan.incomplete ? 'incomplete' : 'completed';
    yield send('response.output_item.added', { output_index: outputIndex, item: { ...messageItem(plan, '', 'in_progress'), content: [] } });
    yield send('response.content_part.added', { ...ids, part: outputText('') });
    for (const delta of textChunks(reply)) yield send('response.output_text.delta', { ...ids, delta, logprobs: [] });
    yield send('response.output_text.done', { ...ids, text: plan.text, logprobs: [] });
    yield send('response.content_part.done', { ...ids, part: outputText(plan.text) });
    yield send('response.output_item.done', { output_index: outputIndex, item: messageItem(plan, plan.text, status) });
    outputIndex++;
  }
  for (const call of plan.calls) {
    const ids = { item_id: call.itemId, output_index: outputIndex };
    yield send('response.output_item.added', { output_index: outputIndex, item: functionItem(call, '', 'in_progress') });
    for (const delta of splitArguments(call.arguments)) yield send('response.function_call_arguments.delta', { ...ids, delta });
    yield send('response.function_call_arguments.done', { ...ids, name: call.name, arguments: call.arguments });
    yield send('response.output_item.done', { output_index: outputIndex, item: functionItem(call, call.arguments, 'completed') });
    outputIndex++;
  }
  yield send(plan.incomplete ? 'response.incomplete' : 'response.completed', { response: finalResponse(plan, reply) });
}

// ---------------------------------------------------------------------------------------------
// Embeddings

export function embeddings(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  const input = request.input;
  const inputs: unknown[] = Array.isArray(input) && !input.every((x) => typeof x === 'number') ? input : [input];
  const dimensions = typeof request.dimensions === 'number' ? request.dimensions : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = request.encoding_format === 'base64';
  const inputTokens = reply.usage?.inputTokens ?? inputs.reduce<number>((n, x) => n + approxTokens(x), 0);
  return ctx.json(200, {
    object: 'list',
    data: inputs.map((x, index) => {
      const vector = reply.embeddings?.[index] ?? fakeVector(JSON.stringify(x), dimensions);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    }),
    model: modelOf(request, reply),
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  });
}

/** A deterministic unit-ish vector whose components are exact in float32, so base64 and float round-trip equal. */
export function fakeVector(seed: string, dimensions = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ i;
    out.push(((h >>> 0) % 2049) / 1024 - 1);
  }
  return out;
}

function approxTokens(x: unknown): number {
  if (typeof x === 'string') return Math.max(1, x.split(/\s+/).filter(Boolean).length);
  if (Array.isArray(x)) return x.length;
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Errors

export function openAiErrorBody(message: string, type: string, code: string | null): Json {
  return { error: { message, type, param: null, code } };
}

/** A scripted error as OpenAI's error JSON, its fields defaulting by status. */
export function openAiError(error: FakeError): Json {
  const [type, code, message] = openAiErrorDefaults(error.status);
  return openAiErrorBody(error.message ?? message, error.type ?? type, error.code === undefined ? code : error.code);
}

function openAiErrorDefaults(status: number): [type: string, code: string | null, message: string] {
  if (status === 429) return ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again in 1s.'];
  if (status === 401) return ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'];
  if (status === 404) return ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'];
  if (status >= 500) return ['server_error', null, 'The server had an error while processing your request. Sorry about that!'];
  return ['invalid_request_error', null, 'fake-llm: scripted error'];
}

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A loopback fake of the OpenAI and Anthropic HTTP APIs, in their real wire formats, so the real
 * `openai`, `@anthropic-ai/sdk` and Vercel `ai` clients can run against it in tests.
 *
 * Routes (anything else is a 404, and a body that is not a JSON object a 400; neither consumes a
 * scripted reply):
 * - `POST /v1/chat/completions`, `POST /v1/responses`, `POST /v1/embeddings`: OpenAI; point the
 *   `openai` client and `createOpenAI()` at `${baseUrl}/v1`.
 * - `POST /v1/messages`: Anthropic; point the `@anthropic-ai/sdk` client at `baseUrl` and
 *   `createAnthropic()` at `${baseUrl}/v1`.
 *
 * A request streams when its JSON body has `stream: true`. Each request takes the next scripted
 * reply; with none queued it gets the default reply ({@link DEFAULT_TEXT}, {@link DEFAULT_USAGE}).
 * The real clients retry 408/409/429/5xx and dropped connections twice by default, and each retry
 * takes the next reply: create them with `maxRetries: 0` when scripting errors.
 */

export const DEFAULT_TEXT = 'Hello from the fake LLM.';
export const DEFAULT_USAGE = { inputTokens: 12, outputTokens: 6, cachedTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0 } as const;
/** Dimensions of a default embedding vector when the request names none. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

/** Token counts in provider-neutral terms; each provider's wire fields are derived from them. */
export interface FakeUsage {
  /**
   * All input tokens, cached ones included: OpenAI's `prompt_tokens`/`input_tokens`. Anthropic's
   * `input_tokens` is sent as `inputTokens - cachedTokens - cacheCreationTokens`.
   */
  inputTokens?: number;
  /** All output tokens, reasoning included (`completion_tokens`, `output_tokens`). */
  outputTokens?: number;
  /** Cache reads: OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`. */
  cachedTokens?: number;
  /** Cache writes, Anthropic only: `cache_creation_input_tokens`. */
  cacheCreationTokens?: number;
  /** OpenAI only: `reasoning_tokens`. */
  reasoningTokens?: number;
}

export interface FakeToolCall {
  name: string;
  /** The call's arguments; a string is sent as is (OpenAI) or parsed (Anthropic's `input`, so it must be JSON there). */
  arguments: Record<string, unknown> | string;
  /** Default: a generated `call_…` / `toolu_…` id. */
  id?: string;
}

export interface FakeError {
  /** HTTP status, e.g. 400, 401, 429, 500, 529. */
  status: number;
  /** Default: a message in the provider's style. */
  message?: string;
  /** The provider's error type; default by status (`rate_limit_error`, `server_error`, …). */
  type?: string;
  /** OpenAI's `error.code`; default by status (`rate_limit_exceeded` for 429). */
  code?: string | null;
  /** `retry-after` header in seconds; default 1 for a 429, none otherwise; null sends none. */
  retryAfter?: number | null;
}

/** What to answer one request with; every field is optional. */
export interface FakeReply {
  /** Assistant text; default {@link DEFAULT_TEXT}, or none when `toolCalls` are given. */
  text?: string;
  /** The text's stream deltas; default: `text` split at word boundaries. Overrides `text`. */
  chunks?: string[];
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  /**
   * Sent verbatim as chat `finish_reason` / Anthropic `stop_reason`; default `stop`/`end_turn`, or
   * `tool_calls`/`tool_use` with tool calls. For Responses, `max_output_tokens` or `content_filter`
   * make the response `incomplete` with that reason; other values are ignored there.
   */
  finishReason?: string;
  /** Response model id; default: the request's `model`. */
  model?: string;
  /** Response id; default a generated `chatcmpl-…`, `resp_…` or `msg_…`. */
  id?: string;
  /** Embeddings endpoint: the vectors, one per input; default deterministic vectors per input. */
  embeddings?: number[][];
  /** Answer with this HTTP error, in the provider's error JSON, instead. */
  error?: FakeError;
  /** Wait this long before the first byte (plain) or the first SSE event (stream; headers go out at once). */
  delayMs?: number;
  /** Wait this long between SSE events. */
  chunkDelayMs?: number;
  /**
   * Destroy the socket after writing this many SSE events (a plain reply: after half its body, any
   * number). Counts every event, e.g. chat's role chunk and Anthropic's `message_start` and `ping`.
   */
  disconnectAfter?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

export type FakeEndpoint = 'chat' | 'responses' | 'embeddings' | 'messages';

export interface RecordedRequest {
  method: string;
  /** URL path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** The route it matched, if any. */
  endpoint: FakeEndpoint | undefined;
  /** Lower-cased request headers. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface FakeLlm {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
  /** Queues replies; each routed request takes the next one. */
  script(...replies: FakeReply[]): void;
  /** How many scripted replies are still queued. */
  pending(): number;
  /** Stops listening and drops every connection, including streams in flight. */
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

const ROUTES: Record<string, FakeEndpoint> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'messages',
};

/** Starts a fake on 127.0.0.1 at an ephemeral port. */
export async function startFakeLlm(): Promise<FakeLlm> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  const closing = new AbortController();
  let seq = 0;
  const nextId = () => (++seq).toString().padStart(6, '0');

  const server: Server = createServer((req, res) => {
    res.on('error', () => undefined);
    void handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"fake-llm: internal error","type":"server_error","param":null,"code":null}}');
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const endpoint = req.method === 'POST' ? ROUTES[path] : undefined;
    let body: unknown = raw;
    let parsed = false;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
      parsed = true;
    } catch {
      // Recorded as the raw text below, answered with a 400.
    }
    requests.push({ method: req.method ?? 'GET', path, endpoint, headers: req.headers, body });

    const ctx = new Ctx(res, closing.signal, nextId);
    if (!endpoint) {
      return ctx.json(404, openAiErrorBody(`fake-llm: no route for ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'));
    }
    ctx.headers = endpoint === 'messages' ? { 'request-id': `req_fake_${nextId()}` } : { 'x-request-id': `req_fake_${nextId()}` };
    if (!parsed || !isObject(body)) {
      return ctx.error(endpoint, { status: 400, message: 'fake-llm: the request body is not a JSON object', retryAfter: null });
    }
    const request: Json = body;
    const reply = queue.shift() ?? {};
    ctx.headers = { ...ctx.headers, ...reply.headers };
    ctx.configure(reply);
    // A stream sends its headers at once and waits before its first event instead.
    if (reply.delayMs && (request.stream !== true || reply.error)) await ctx.sleep(reply.delayMs);
    if (reply.error) return ctx.error(endpoint, reply.error);
    switch (endpoint) {
      case 'chat':
        return request.stream === true ? chatStream(ctx, request, reply) : ctx.json(200, chatCompletion(ctx, request, reply));
      case 'responses':
        return request.stream === true ? responsesStream(ctx, request, reply) : ctx.json(200, responsesResponse(ctx, request, reply));
      case 'embeddings':
        return ctx.json(200, embeddings(request, reply));
      case 'messages':
        return request.stream === true ? messagesStream(ctx, request, reply) : ctx.json(200, anthropicMessage(ctx, request, reply));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    script: (...replies) => void queue.push(...replies),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** One exchange: writes to the response, honouring the reply's delays, disconnect and extra headers. */
class Ctx {
  headers: Record<string, string> = {};
  private events = 0;
  private disconnectAfter: number | undefined;
  private chunkDelayMs = 0;
  private firstDelayMs = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
    readonly nextId: () => string,
  ) {}

  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded || this.signal.aborted;
  }

  async sleep(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.signal }).catch(() => undefined);
  }

  /** Takes the reply's delays and disconnect point. */
  configure(reply: FakeReply): void {
    this.disconnectAfter = reply.disconnectAfter;
    this.chunkDelayMs = reply.chunkDelayMs ?? 0;
    this.firstDelayMs = reply.delayMs ?? 0;
  }

  async json(status: number, body: unknown, extraHeaders: Record<string, string> = {}): Promise<void> {
    if (this.gone) return;
    const text = JSON.stringify(body);
    this.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...this.headers, ...extraHeaders });
    if (status < 400 && this.disconnectAfter !== undefined) {
      await this.write(text.slice(0, Math.floor(text.length / 2)));
      this.res.destroy();
      return;
    }
    this.res.end(text);
  }

  async error(endpoint: FakeEndpoint, error: FakeError): Promise<void> {
    const { status } = error;
    const retryAfter = error.retryAfter === undefined ? (status === 429 ? 1 : null) : error.retryAfter;
    const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': String(retryAfter) };
    if (endpoint === 'messages') {
      const type = error.type ?? anthropicErrorType(status);
      const body = { type: 'error', error: { type, message: error.message ?? anthropicErrorMessage(type) }, request_id: this.headers['request-id'] ?? null };
      return this.json(status, body, headers);
    }
    const [type, code, message] = openAiErrorDefaults(status);
    return this.json(status, openAiErrorBody(error.message ?? message, error.type ?? type, error.code === undefined ? code : error.code), headers);
  }

  /** Starts an SSE response; headers are flushed at once, so time-to-first-token is the delay before the first event. */
  startStream(): void {
    if (this.gone) return;
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...this.headers });
    this.res.flushHeaders();
  }

  /** Writes one SSE event; false once the stream is gone (client left, server closing or scripted disconnect). */
  async event(data: unknown, event?: string): Promise<boolean> {
    if (this.gone) return false;
    if (this.disconnectAfter !== undefined && this.events >= this.disconnectAfter) {
      this.res.destroy();
      return false;
    }
    const delay = this.events === 0 ? this.firstDelayMs : this.chunkDelayMs;
    if (delay > 0) await this.sleep(delay);
    if (this.gone) return false;
    this.events++;
    await this.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    return !this.gone;
  }

  async endStream(): Promise<void> {
    if (this.gone) return;
    if (this.disconnectAfter !== undefined) {
      this.res.destroy();
      return;
    }
    this.res.end();
  }

  private write(chunk: string): Promise<void> {
    return new Promise((resolve) => this.res.write(chunk, () => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// OpenAI chat completions

function chatCompletion(ctx: Ctx, request: Json, reply: FakeReply): Json {
  const text = replyText(reply);
  const calls = toolCallsOf(reply, ctx, 'call_fake_');
  return {
    id: reply.id ?? `chatcmpl-fake${ctx.nextId()}`,
    object: 'chat.completion',
    created: nowSeconds(),
    model: modelOf(request, reply),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' && calls.length > 0 ? null : text,
          refusal: null,
          annotations: [],
          ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: chatUsage(reply),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

async function chatStream(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  const includeUsage = isObject(request.stream_options) && request.stream_options.include_usage === true;
  const calls = toolCallsOf(reply, ctx, 'call_fake_');
  const base = { id: reply.id ?? `chatcmpl-fake${ctx.nextId()}`, object: 'chat.completion.chunk', created: nowSeconds(), model: modelOf(request, reply), service_tier: 'default', system_fingerprint: 'fp_fake' };
  const chunk = (delta: Json, finishReason: string | null = null): Json => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const pieces = textChunks(reply);

  ctx.startStream();
  if (!(await ctx.event(chunk({ role: 'assistant', content: '', refusal: null })))) return;
  for (const piece of pieces) {
    if (!(await ctx.event(chunk({ content: piece })))) return;
  }
  for (const [index, call] of calls.entries()) {
    const first = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    if (!(await ctx.event(chunk({ tool_calls: [first] })))) return;
    for (const part of splitArguments(call.arguments)) {
      if (!(await ctx.event(chunk({ tool_calls: [{ index, function: { arguments: part } }] })))) return;
    }
  }
  if (!(await ctx.event(chunk({}, reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'))))) return;
  if (includeUsage && !(await ctx.event({ ...base, choices: [], usage: chatUsage(reply) }))) return;
  if (!(await ctx.event('[DONE]'))) return;
  await ctx.endStream();
}

function chatUsage(reply: FakeReply): Json {
  const u = usageOf(reply);
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAI responses

interface ResponsesPlan {
  response: Json;
  messageId: string;
  text: string;
  calls: { itemId: string; callId: string; name: string; arguments: string }[];
  incomplete: boolean;
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
  if (plan.text !== '' || plan.calls.length === 0) output.push(messageItem(plan, plan.text, status));
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
      total_tokens: u.inputTokens + u.outputTokens,
    },
  };
}

function responsesResponse(ctx: Ctx, request: Json, reply: FakeReply): Json {
  return finalResponse(planResponses(ctx, request, reply), reply);
}

async function responsesStream(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  const plan = planResponses(ctx, request, reply);
  let sequence = 0;
  const send = (type: string, fields: Json) => ctx.event({ type, ...fields, sequence_number: sequence++ }, type);

  ctx.startStream();
  if (!(await send('response.created', { response: plan.response }))) return;
  if (!(await send('response.in_progress', { response: plan.response }))) return;
  let outputIndex = 0;
  if (plan.text !== '' || plan.calls.length === 0) {
    const ids = { item_id: plan.messageId, output_index: outputIndex, content_index: 0 };
    const status = plan.incomplete ? 'incomplete' : 'completed';
    if (!(await send('response.output_item.added', { output_index: outputIndex, item: { ...messageItem(plan, '', 'in_progress'), content: [] } }))) return;
    if (!(await send('response.content_part.added', { ...ids, part: outputText('') }))) return;
    for (const delta of textChunks(reply)) {
      if (!(await send('response.output_text.delta', { ...ids, delta, logprobs: [] }))) return;
    }
    if (!(await send('response.output_text.done', { ...ids, text: plan.text, logprobs: [] }))) return;
    if (!(await send('response.content_part.done', { ...ids, part: outputText(plan.text) }))) return;
    if (!(await send('response.output_item.done', { output_index: outputIndex, item: messageItem(plan, plan.text, status) }))) return;
    outputIndex++;
  }
  for (const call of plan.calls) {
    const ids = { item_id: call.itemId, output_index: outputIndex };
    if (!(await send('response.output_item.added', { output_index: outputIndex, item: functionItem(call, '', 'in_progress') }))) return;
    for (const delta of splitArguments(call.arguments)) {
      if (!(await send('response.function_call_arguments.delta', { ...ids, delta }))) return;
    }
    if (!(await send('response.function_call_arguments.done', { ...ids, name: call.name, arguments: call.arguments }))) return;
    if (!(await send('response.output_item.done', { output_index: outputIndex, item: functionItem(call, call.arguments, 'completed') }))) return;
    outputIndex++;
  }
  if (!(await send(plan.incomplete ? 'response.incomplete' : 'response.completed', { response: finalResponse(plan, reply) }))) return;
  await ctx.endStream();
}

// ---------------------------------------------------------------------------------------------
// OpenAI embeddings

function embeddings(request: Json, reply: FakeReply): Json {
  const input = request.input;
  const inputs: unknown[] = Array.isArray(input) && !input.every((x) => typeof x === 'number') ? input : [input];
  const dimensions = typeof request.dimensions === 'number' ? request.dimensions : DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = request.encoding_format === 'base64';
  const inputTokens = reply.usage?.inputTokens ?? inputs.reduce<number>((n, x) => n + approxTokens(x), 0);
  return {
    object: 'list',
    data: inputs.map((x, index) => {
      const vector = reply.embeddings?.[index] ?? fakeVector(JSON.stringify(x), dimensions);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
    }),
    model: modelOf(request, reply),
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  };
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
// Anthropic messages

function anthropicBlocks(ctx: Ctx, reply: FakeReply): { text: string; tools: { id: string; name: string; input: unknown; json: string }[] } {
  const tools = (reply.toolCalls ?? []).map((c) => {
    const json = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
    return { id: c.id ?? `toolu_fake_${ctx.nextId()}`, name: c.name, input: JSON.parse(json) as unknown, json };
  });
  return { text: replyText(reply), tools };
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

function anthropicMessage(ctx: Ctx, request: Json, reply: FakeReply): Json {
  const { text, tools } = anthropicBlocks(ctx, reply);
  const content: Json[] = [];
  if (text !== '' || tools.length === 0) content.push({ type: 'text', text });
  for (const t of tools) content.push({ type: 'tool_use', id: t.id, name: t.name, input: t.input });
  return {
    id: reply.id ?? `msg_fake_${ctx.nextId()}`,
    type: 'message',
    role: 'assistant',
    model: modelOf(request, reply),
    content,
    stop_reason: reply.finishReason ?? (tools.length > 0 ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: anthropicUsage(reply, usageOf(reply).outputTokens),
  };
}

async function messagesStream(ctx: Ctx, request: Json, reply: FakeReply): Promise<void> {
  const { text, tools } = anthropicBlocks(ctx, reply);
  const send = (type: string, fields: Json = {}) => ctx.event({ type, ...fields }, type);
  const message = {
    id: reply.id ?? `msg_fake_${ctx.nextId()}`,
    type: 'message',
    role: 'assistant',
    model: modelOf(request, reply),
    content: [],
    stop_reason: null,
    stop_sequence: null,
    // Like the real API, message_start carries the input counts and a token or so of output; message_delta has the final output count.
    usage: anthropicUsage(reply, Math.min(1, usageOf(reply).outputTokens)),
  };

  ctx.startStream();
  if (!(await send('message_start', { message }))) return;
  let index = 0;
  if (text !== '' || tools.length === 0) {
    if (!(await send('content_block_start', { index, content_block: { type: 'text', text: '' } }))) return;
    if (!(await send('ping'))) return;
    for (const piece of textChunks(reply)) {
      if (!(await send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }))) return;
    }
    if (!(await send('content_block_stop', { index }))) return;
    index++;
  }
  for (const t of tools) {
    if (!(await send('content_block_start', { index, content_block: { type: 'tool_use', id: t.id, name: t.name, input: {} } }))) return;
    for (const part of ['', ...splitArguments(t.json)]) {
      if (!(await send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } }))) return;
    }
    if (!(await send('content_block_stop', { index }))) return;
    index++;
  }
  const stopReason = reply.finishReason ?? (tools.length > 0 ? 'tool_use' : 'end_turn');
  if (!(await send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usageOf(reply).outputTokens } }))) return;
  if (!(await send('message_stop'))) return;
  await ctx.endStream();
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

// ---------------------------------------------------------------------------------------------
// Shared

function openAiErrorBody(message: string, type: string, code: string | null): Json {
  return { error: { message, type, param: null, code } };
}

function openAiErrorDefaults(status: number): [type: string, code: string | null, message: string] {
  if (status === 429) return ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again in 1s.'];
  if (status === 401) return ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'];
  if (status === 404) return ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'];
  if (status >= 500) return ['server_error', null, 'The server had an error while processing your request. Sorry about that!'];
  return ['invalid_request_error', null, 'fake-llm: scripted error'];
}

function usageOf(reply: FakeReply): Required<FakeUsage> {
  return { ...DEFAULT_USAGE, ...stripUndefined(reply.usage ?? {}) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function replyText(reply: FakeReply): string {
  if (reply.chunks) return reply.chunks.join('');
  return reply.text ?? (reply.toolCalls?.length ? '' : DEFAULT_TEXT);
}

function textChunks(reply: FakeReply): string[] {
  if (reply.chunks) return reply.chunks;
  const text = replyText(reply);
  // Each word with the whitespace before it; trailing whitespace stays on the last piece.
  const pieces: string[] = [...(text.match(/\s*\S+/g) ?? [])];
  const rest = text.slice(pieces.join('').length);
  if (rest !== '' && pieces.length > 0) pieces[pieces.length - 1] += rest;
  else if (rest !== '') pieces.push(rest);
  return pieces;
}

function toolCallsOf(reply: FakeReply, ctx: Ctx, prefix: string): { id: string; name: string; arguments: string }[] {
  return (reply.toolCalls ?? []).map((c) => ({
    id: c.id ?? `${prefix}${ctx.nextId()}`,
    name: c.name,
    arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
  }));
}

/** Splits tool-call JSON into small pieces, as the real APIs stream it. */
function splitArguments(json: string, size = 8): string[] {
  const parts: string[] = [];
  for (let i = 0; i < json.length; i += size) parts.push(json.slice(i, i + size));
  return parts;
}

function modelOf(request: Json, reply: FakeReply): string {
  return reply.model ?? (typeof request.model === 'string' ? request.model : 'fake-model');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { anthropicError, messages } from './anthropic.js';
import { Ctx } from './exchange.js';
import { chatCompletions, embeddings, openAiError, openAiErrorBody, responses } from './openai.js';
import { isObject } from './shared.js';
import { type FakeEndpoint, type FakeError, type FakeLlm, type FakeReply, type Json, type RecordedRequest } from './types.js';

// The node:http server: routing, request recording, the script queue, and errors.

const ROUTES: Record<string, FakeEndpoint> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'messages',
};

/** Answers a routed request that is a JSON object with a reply that is not an error. */
const ANSWER: Record<FakeEndpoint, (ctx: Ctx, request: Json, reply: FakeReply) => Promise<void>> = {
  chat: chatCompletions,
  responses,
  embeddings,
  messages,
};

/** Starts a fake on 127.0.0.1 at an ephemeral port. */
export async function startFakeLlm(): Promise<FakeLlm> {
  const requests: RecordedRequest[] = [];
  const queue: FakeReply[] = [];
  let answer: ((request: Json) => FakeReply | undefined) | null = null;
  const closing = new AbortController();
  let seq = 0;
  const nextId = () => (++seq).toString().padStart(6, '0');

  const server: Server = createServer((req, res) => {
    res.on('error', () => undefined);
    void handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(openAiErrorBody('fake-llm: internal error', 'server_error', null)));
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
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, endpoint, headers: req.headers, body, closed: false };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished) recorded.closed = true;
    });

    const ctx = new Ctx(res, closing.signal, nextId);
    if (!endpoint) {
      return ctx.json(404, openAiErrorBody(`fake-llm: no route for ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'));
    }
    ctx.headers = endpoint === 'messages' ? { 'request-id': `req_fake_${nextId()}` } : { 'x-request-id': `req_fake_${nextId()}` };
    if (!parsed || !isObject(body)) {
      return sendError(ctx, endpoint, { status: 400, message: 'fake-llm: the request body is not a JSON object', retryAfter: null });
    }
    const request: Json = body;
    const reply = queue.shift() ?? answer?.(request) ?? {};
    ctx.headers = { ...ctx.headers, ...reply.headers };
    ctx.configure(reply);
    if (reply.heldUntil !== undefined)
      await Promise.race([reply.heldUntil.catch(() => undefined), new Promise((resolve) => closing.signal.addEventListener('abort', resolve, { once: true }))]);
    // A stream sends its headers at once and waits before its first event instead.
    if (reply.delayMs && (request.stream !== true || reply.error)) await ctx.sleep(reply.delayMs);
    if (reply.error) return sendError(ctx, endpoint, reply.error);
    return ANSWER[endpoint](ctx, request, reply);
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
    answerWith: (fn) => {
      answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An error in the endpoint's provider's JSON, with `retry-after` (default 1 for a 429). */
function sendError(ctx: Ctx, endpoint: FakeEndpoint, error: FakeError): Promise<void> {
  const { status } = error;
  const retryAfter = error.retryAfter === undefined ? (status === 429 ? 1 : null) : error.retryAfter;
  const headers: Record<string, string> = retryAfter === null ? {} : { 'retry-after': String(retryAfter) };
  const body = endpoint === 'messages' ? anthropicError(error, ctx.headers['request-id'] ?? null) : openAiError(error);
  return ctx.json(status, body, headers);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from '../errors.js';
import { accepts } from '../http/content.js';
import { SSE_HEADERS, sseText } from '../http/event-stream.js';
import type { RunWatch } from './replayer.js';

/** The stream's events, for the OpenAPI document. */
export const STREAM_EVENTS =
  '`delta` ({ text }) for each piece of the completion as the provider sends it, then `result` (the JSON answer) or `error` ({ error: { code, message } })';

/**
 * Answers a run as JSON, or, when the request accepts `text/event-stream`, as Server-Sent Events
 * (`STREAM_EVENTS`): the playground shows the completion as it is written, not a minute later.
 * What refuses a request (its body, a provider this server lacks) runs before `run`, so a refusal
 * is an ordinary JSON error with its status; once the stream has begun, a failure is its `error`
 * event. An asker who leaves cancels the provider's call, and nothing is stored of it.
 */
export async function runAnswer<T>(request: FastifyRequest, reply: FastifyReply, run: (watch: RunWatch) => Promise<T>): Promise<FastifyReply> {
  // One URL, two forms: a cache must key on Accept.
  reply.header('vary', 'Accept');
  if (!accepts(request.headers.accept, 'text/event-stream')) return reply.type('application/json; charset=utf-8').send(await run({}));
  void reply.hijack();
  const res = reply.raw;
  const leaving = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) leaving.abort();
  });
  res.writeHead(200, { ...SSE_HEADERS, vary: 'Accept' });
  let next = 0;
  const send = (name: string, data: unknown): void => {
    if (!res.writableEnded && !res.destroyed) res.write(sseText(name, String(next++), JSON.stringify(data)));
  };
  try {
    send('result', await run({ onText: (text) => send('delta', { text }), cancel: leaving.signal }));
  } catch (error) {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, appError.message);
    else request.log.info({ code: appError.code, url: request.url }, appError.message);
    send('error', { error: { code: appError.code, message: appError.message } });
  }
  res.end();
  return reply;
}

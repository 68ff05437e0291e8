import { Readable } from 'node:stream';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorAnswer } from '../http/answers/errors.js';
import { isSchema } from '../http/content.js';

/**
 * The answer check (`SPOOR_CHECK_ANSWERS=1`, set for every test run): each answer a route sends
 * is checked against the schema its route declares for that status (`schema.response`), after
 * serialization, as the client will read it. An answer that does not match becomes a 500
 * `ERR_ANSWER_SCHEMA` naming the route, the status and the first mismatches (also written to
 * stderr), so the test that received it fails whatever client it used.
 *
 * An error (4xx, 5xx) a route does not declare is checked against the shared `ErrorAnswer`. A
 * route that declares no answer at all is not checked (the OpenAPI test lists those). An answer
 * declared by a content type other than JSON (an event stream, bytes, Prometheus text) is only
 * checked to be one the route declares.
 */

const MAX_MISMATCHES = 5;

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();
function checkOf(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

const mediaOf = (contentType: string): string => contentType.split(';', 1)[0]!.trim().toLowerCase();
const isJson = (media: string): boolean => media === 'application/json' || media.endsWith('+json');

/** The answer a route declares for a status: the status itself, its class (`2XX`), or `default`. */
function declaredFor(response: Record<string, unknown>, status: number): unknown {
  const code = String(status);
  return response[code] ?? response[`${code[0]}XX`] ?? response[`${code[0]}xx`] ?? response.default;
}

/** What is wrong with an answer, or `null` when it matches what its route declares. */
export function mismatchesOf(response: Record<string, unknown>, status: number, contentType: string | undefined, body: string | null): string[] | null {
  const declared = declaredFor(response, status) ?? (status >= 400 ? ErrorAnswer : undefined);
  if (declared === undefined) return [`status ${status} is not declared (declared: ${Object.keys(response).join(', ')})`];
  const media = contentType === undefined ? null : mediaOf(contentType);
  let schema: TSchema;
  if (isSchema(declared)) {
    if (media !== null && !isJson(media)) return [`the answer is ${media}; its schema declares JSON`];
    if (body === null || body === '') return declared.type === 'null' || status === 204 ? null : ['the answer has no body; its schema declares one'];
    if (media === null) return ['the answer has no content type; its schema declares JSON'];
    schema = declared;
  } else {
    const content = (declared as { content?: Record<string, { schema: TSchema }> }).content ?? {};
    const entry = media === null ? undefined : Object.entries(content).find(([type]) => mediaOf(type) === media);
    if (entry === undefined) return [`the answer is ${media ?? 'untyped'}; declared: ${Object.keys(content).join(', ')}`];
    if (!isJson(media!) || !isSchema(entry[1].schema)) return null;
    schema = entry[1].schema;
  }
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return ['the answer is not JSON'];
  }
  const check = checkOf(schema);
  if (check.Check(value)) return null;
  const found: string[] = [];
  for (const error of check.Errors(value)) {
    found.push(`${error.path || '/'}: ${error.message} (got ${JSON.stringify(error.value)?.slice(0, 80)})`);
    if (found.length === MAX_MISMATCHES) break;
  }
  return found;
}

async function textOf(payload: unknown): Promise<string | null> {
  if (payload === null || payload === undefined) return null;
  if (typeof payload === 'string') return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.length).toString('utf8');
  if (payload instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const chunk of payload) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  return null;
}

/** Adds the check to every route registered after it. */
export function checkAnswers(app: FastifyInstance): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const response = request.routeOptions.schema?.response as Record<string, unknown> | undefined;
    if (request.is404 || response === undefined) return payload;
    const contentType = reply.getHeader('content-type') as string | undefined;
    if (payload instanceof Readable && !(contentType !== undefined && isJson(mediaOf(contentType)))) {
      // A stream that is not JSON passes unread (read, it would be gone): only its content type is checked.
      const problems = mismatchesOf(response, reply.statusCode, contentType, null);
      if (problems === null) return payload;
      payload.destroy();
      return refuse(request, reply, problems);
    }
    const text = await textOf(payload);
    const problems = mismatchesOf(response, reply.statusCode, contentType, text);
    if (problems === null) return payload instanceof Readable ? text : payload;
    return refuse(request, reply, problems);
  });
}

function refuse(request: FastifyRequest, reply: FastifyReply, problems: string[]): string {
  const message = `${request.method} ${request.routeOptions.url} answered ${reply.statusCode}, which does not match its declared answer: ${problems.join(
    '; ',
  )}`;
  process.stderr.write(`ERR_ANSWER_SCHEMA ${message}\n`);
  reply.code(500).type('application/json; charset=utf-8');
  reply.removeHeader('content-length');
  return JSON.stringify({ error: { code: 'ERR_ANSWER_SCHEMA', message } });
}

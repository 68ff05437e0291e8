import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifySchema } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkAnswers } from './answer-check.js';
import { NoContent, contentAnswer } from '../http/content.js';

/** The answer check: a route's answer that does not match its declared schema becomes a 500 naming why. */

const Thing = Type.Object({ id: Type.String(), count: Type.Integer() }, { additionalProperties: false });

let app: FastifyInstance;
beforeEach(async () => {
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  app = Fastify();
  checkAnswers(app);
  const json = (text: string) => async (_request: unknown, reply: { type: (t: string) => { send: (b: unknown) => unknown } }) =>
    reply.type('application/json; charset=utf-8').send(text);
  app.get('/thing/:text', { schema: { response: { 200: Thing } } }, async (request, reply) =>
    json(decodeURIComponent((request.params as { text: string }).text))(request, reply),
  );
  app.get('/object', { schema: { response: { 200: Thing } } }, async () => ({ id: 'a', count: 1 }));
  app.get('/stream/:text', { schema: { response: { 200: Thing } } }, async (request, reply) => {
    const bytes = Buffer.from(decodeURIComponent((request.params as { text: string }).text));
    return reply
      .type('application/json')
      .header('content-length', String(bytes.length))
      .send(Readable.from([bytes]));
  });
  // Typed as any schema: answering a status the route does not declare is what these test.
  const onlyCreated: FastifySchema = { response: { 201: Thing } };
  const onlyOk: FastifySchema = { response: { 200: Thing } };
  app.get('/created', { schema: onlyCreated }, async (_request, reply) => reply.code(202).send({ id: 'a', count: 1 }));
  app.delete('/thing', { schema: { response: { 204: NoContent } } }, async (_request, reply) => reply.code(204).send());
  app.get('/refused/:text', { schema: onlyOk }, async (request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(decodeURIComponent((request.params as { text: string }).text)),
  );
  app.get('/text/:type', { schema: { response: { 200: contentAnswer('Prometheus text', { 'text/plain': Type.String() }) } } }, async (request, reply) =>
    reply.type((request.params as { type: string }).type).send('x 1\n'),
  );
  app.get('/undeclared', async (_request, reply) => reply.type('application/json').send('{"anything":1}'));
  await app.ready();
});
afterEach(async () => {
  await app.close();
  vi.restoreAllMocks();
});

const get = async (url: string, method: 'GET' | 'DELETE' = 'GET') => {
  const answer = await app.inject({ method, url });
  return { status: answer.statusCode, body: answer.body === '' ? null : (answer.json() as { error?: { code: string; message: string } }) };
};
const at = (text: string): string => encodeURIComponent(text);

describe('the answer check', () => {
  it('passes an answer that matches its schema, sent as text, as an object or as a stream', async () => {
    expect(await get(`/thing/${at('{"id":"a","count":2}')}`)).toEqual({ status: 200, body: { id: 'a', count: 2 } });
    expect(await get('/object')).toEqual({ status: 200, body: { id: 'a', count: 1 } });
    expect(await get(`/stream/${at('{"id":"b","count":3}')}`)).toEqual({ status: 200, body: { id: 'b', count: 3 } });
    expect(await get('/thing', 'DELETE')).toEqual({ status: 204, body: null });
  });

  it('turns a property the schema does not have into a 500 naming the route, the status and the property', async () => {
    const answer = await get(`/thing/${at('{"id":"a","count":2,"extra":true}')}`);
    expect(answer.status).toBe(500);
    expect(answer.body!.error!.code).toBe('ERR_ANSWER_SCHEMA');
    expect(answer.body!.error!.message).toContain('GET /thing/:text answered 200');
    expect(answer.body!.error!.message).toContain('/extra');
    expect(process.stderr.write).toHaveBeenCalledWith(expect.stringContaining('ERR_ANSWER_SCHEMA GET /thing/:text'));
  });

  it('refuses a missing field, a wrong type and text that is not JSON, in a stream too', async () => {
    expect((await get(`/thing/${at('{"id":"a"}')}`)).body!.error!.message).toContain('/count');
    expect((await get(`/thing/${at('{"id":"a","count":1.5}')}`)).body!.error!.message).toMatch(/\/count: .*integer/i);
    expect((await get(`/thing/${at('{"id":')}`)).body!.error!.message).toContain('not JSON');
    const streamed = await get(`/stream/${at('{"id":7,"count":3}')}`);
    expect(streamed).toMatchObject({ status: 500, body: { error: { code: 'ERR_ANSWER_SCHEMA' } } });
    expect(streamed.body!.error!.message).toContain('/id');
  });

  it('refuses a status the route does not declare', async () => {
    const answer = await get('/created');
    expect(answer.status).toBe(500);
    expect(answer.body!.error!.message).toContain('status 202 is not declared');
  });

  it('checks an error against the shared error answer', async () => {
    expect(await get(`/refused/${at('{"error":{"code":"ERR_NOT_FOUND","message":"no thing"}}')}`)).toMatchObject({ status: 404 });
    const wrong = await get(`/refused/${at('{"message":"no thing"}')}`);
    expect(wrong.status).toBe(500);
    expect(wrong.body!.error!.message).toContain('answered 404');
  });

  it('checks only the content type of an answer that is not JSON', async () => {
    expect((await app.inject({ url: '/text/text%2Fplain' })).statusCode).toBe(200);
    const answer = await get('/text/text%2Fhtml');
    expect(answer.status).toBe(500);
    expect(answer.body!.error!.message).toContain('the answer is text/html; declared: text/plain');
  });

  it('leaves a route that declares no answer alone', async () => {
    expect(await get('/undeclared')).toEqual({ status: 200, body: { anything: 1 } });
  });
});

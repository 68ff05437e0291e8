import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { routesOf } from '../../src/api/app.js';
import { needOf } from '../../src/auth/access-control.js';
import { isAppError } from '../../src/errors.js';
import { DecodeCore } from '../../src/ingest/decoder.js';
import { type TestServer, startTestServer } from '../support/server.js';
import { encodeSpanBatch } from '../support/otlp-encode.js';
import { caseRandom, keepFailure, mutatedBody, seeds, transportOf } from './fuzz.js';
import { type RestAnswer, readRest, restRequest, spelledPath } from './rest-requests.js';

/**
 * The seeded fuzzer. `npm test` runs a few thousand cases with a fixed seed;
 * `npm run fuzz` runs as many as FUZZ_CASES says (default 100,000) with a new seed each time.
 * A decoder may refuse a body with its own 4xx error, never anything else; the server answers
 * every request below 500 within the time limit, and still takes and reads back a valid request
 * at the end (no wedge).
 */

/** Fixed in `npm test`; `random` (what `npm run fuzz` passes unless told) explores new ground each run. */
const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 20261122);
const CASES = Number(process.env.FUZZ_CASES ?? 3000);
/** HTTP cases cost a round trip each: a tenth of the decoder cases, at least 300. */
const HTTP_CASES = Math.max(300, Math.round(CASES / 10));
const REST_CASES = Math.max(400, Math.round(CASES / 10));
/** Spelled paths without a key: as many as the REST cases, at least 1,000. */
const SPELLED_CASES = Math.max(1000, Math.round(CASES / 10));
/** Where an MCP client looks for OAuth on a 401 (each once a dashboard page, which its SDK failed to parse). */
const OAUTH_PATHS = [
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-authorization-server',
  '/.well-known/openid-configuration',
  '/register',
  '/authorize',
  '/token',
];
const OAUTH_CASES = Math.max(200, Math.round(CASES / 50));
/** What counts as a hang: far beyond any body's decoding or any request's answer. */
const HANG_MS = 5000;

const corpus = seeds();
const report: string[] = [];
afterAll(() => {
  if (process.env.FUZZ_REPORT !== undefined) console.log(`fuzz seed ${SEED}:\n${report.join('\n')}`);
});

describe('the OTLP decoders under fuzzing', () => {
  it(`refuse bad bodies with their own 4xx error and never fail otherwise (${CASES} cases, seed ${SEED})`, () => {
    const core = new DecodeCore(null);
    const failures: string[] = [];
    let refused = 0;
    let records = 0;
    for (let index = 0; index < CASES; index++) {
      const random = caseRandom(SEED, index);
      const input = mutatedBody(random, corpus);
      const started = performance.now();
      try {
        const result = core.decode({ signal: input.signal, encoding: input.encoding, projectId: 'fuzz', receivedUs: 1_763_719_200_000_000, body: input.body });
        records += result.records;
        core.settle(result.ticket, true);
      } catch (error) {
        if (isAppError(error) && error.status < 500) refused++;
        else
          failures.push(
            keepFailure(`decode-${input.signal}-${input.encoding}`, SEED, index, input.body, `threw ${(error as Error).name}: ${(error as Error).message}`),
          );
      }
      const ms = performance.now() - started;
      if (ms > HANG_MS) failures.push(keepFailure(`decode-${input.signal}-${input.encoding}`, SEED, index, input.body, `took ${ms.toFixed(0)} ms`));
    }
    // The span metrics of every accepted case render.
    expect(core.metrics.render()).toContain('spoor_spans_total');
    report.push(`decoders: ${CASES} cases, ${refused} refused with a 4xx, ${records} records decoded, ${failures.length} failures`);
    expect(failures).toEqual([]);
  });
});

describe('the server under fuzzing', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(`answers every OTLP request below 500, in time, and still ingests afterwards (${HTTP_CASES} cases)`, async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let index = 0; index < HTTP_CASES; index++) {
      const random = caseRandom(SEED ^ 0x5f5f, index);
      const input = mutatedBody(random, corpus);
      const transport = transportOf(random, input);
      const headers: Record<string, string> = {};
      if (transport.contentType !== '') headers['content-type'] = transport.contentType;
      if (transport.contentEncoding !== null) headers['content-encoding'] = transport.contentEncoding;
      let status: number;
      try {
        const response = await fetch(`${server.url}/v1/${input.signal}`, {
          method: 'POST',
          headers,
          body: transport.body,
          signal: AbortSignal.timeout(HANG_MS),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch (error) {
        failures.push(keepFailure(`http-${input.signal}`, SEED, index, transport.body, `no answer: ${(error as Error).message}`));
        continue;
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) failures.push(keepFailure(`http-${input.signal}`, SEED, index, transport.body, `answered ${status}`));
    }
    // No wedge: a valid request after all that is taken and reads back.
    const valid = encodeSpanBatch({ traces: 1, spansPerTrace: 2, seed: 0xf022 });
    expect((await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: valid })).status).toBe(200);
    const trace = await fetch(`${server.url}/api/traces/${'0000f022'.padStart(16, '0')}0000000000000001`);
    expect(trace.status).toBe(200);
    report.push(`http: ${HTTP_CASES} cases, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${failures.length} failures`);
    expect(failures).toEqual([]);
  }, 600_000);

  it(`answers every REST read below 500, whatever its parameters (${REST_CASES} cases)`, async () => {
    const routes = routesOf(server.app)
      .filter((r) => r.method === 'GET' && r.url.startsWith('/api/'))
      .map((r) => r.url);
    expect(routes.length).toBeGreaterThan(20);
    const failures: string[] = [];
    let streams = 0;
    // Every route once as it is (its path ids a trace's), then the random cases.
    const bare = routes.map((route) =>
      route.replace(/:(\w+)/g, (_, name: string) => (name === 'spanId' ? '00f067aa0ba902b7' : '4bf92f3577b34da6a3ce929d0e0e4736')),
    );
    for (let index = 0; index < bare.length + REST_CASES; index++) {
      const random = caseRandom(SEED ^ 0x7e57, index);
      const path = index < bare.length ? bare[index]! : restRequest(random, random.pick(routes));
      let answer: RestAnswer;
      try {
        answer = await readRest(`${server.url}${path}`, HANG_MS);
      } catch (error) {
        failures.push(keepFailure('rest', SEED, index, path, `no answer: ${(error as Error).message}`));
        continue;
      }
      if (answer.stream) streams++;
      if (answer.status >= 500) failures.push(keepFailure('rest', SEED, index, path, `answered ${answer.status}`));
    }
    // `/api/live` as it is opens a stream: it was read as one.
    expect(streams).toBeGreaterThan(0);
    report.push(`rest: ${bare.length + REST_CASES} cases over ${routes.length} routes (${streams} streams opened), ${failures.length} failures`);
    expect(failures).toEqual([]);
  }, 600_000);
});

describe('a server that requires keys, under spelled paths', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ auth: 'required' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Sends `target` as the request line's target, byte for byte (`fetch` would tidy it first). */
  function sendRaw(method: string, target: string): Promise<{ status: number; type: string }> {
    const url = new URL(server.url);
    const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{}' : undefined;
    const headers: Record<string, string> = { connection: 'close', 'spoor-project': 'default' };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(body.length) });
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, method, path: target, headers, timeout: HANG_MS, agent: false }, (res) => {
        res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '' }));
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  it(`answers every route, spelled any way and sent without a key, with a refusal or no route (${SPELLED_CASES} cases)`, async () => {
    const routes = routesOf(server.app).filter((r) => needOf(r.method, r.url) !== 'public');
    expect(routes.length).toBeGreaterThan(40);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let index = 0; index < SPELLED_CASES; index++) {
      const random = caseRandom(SEED ^ 0x5e11, index);
      const route = random.pick(routes);
      const target = spelledPath(random, restRequest(random, route.url), server.url);
      let answer: { status: number; type: string };
      try {
        answer = await sendRaw(route.method, target);
      } catch (error) {
        failures.push(keepFailure('spelled', SEED, index, `${route.method} ${target}`, `no answer: ${(error as Error).message}`));
        continue;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      // A page of the dashboard is public; any other success, or a 5xx, is a failure.
      const page = answer.status === 200 && answer.type.startsWith('text/html') && (route.method === 'GET' || route.method === 'HEAD');
      if (!page && ![400, 401, 404, 414, 415].includes(answer.status))
        failures.push(keepFailure('spelled', SEED, index, `${route.method} ${target}`, `answered ${answer.status} (${route.method} ${route.url})`));
    }
    report.push(
      `spelled paths: ${SPELLED_CASES} cases over ${routes.length} routes, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
  }, 600_000);

  it(`answers where an OAuth client looks, spelled any way, with JSON and never the dashboard's page (${OAUTH_CASES} cases)`, async () => {
    const failures: string[] = [];
    for (let index = 0; index < OAUTH_CASES; index++) {
      const random = caseRandom(SEED ^ 0x0a17, index);
      const method = random.pick(['GET', 'POST']);
      const target = spelledPath(random, random.pick(OAUTH_PATHS), server.url);
      let answer: { status: number; type: string };
      try {
        answer = await sendRaw(method, target);
      } catch (error) {
        failures.push(keepFailure('oauth', SEED, index, `${method} ${target}`, `no answer: ${(error as Error).message}`));
        continue;
      }
      if (answer.type.startsWith('text/html') || answer.status === 200 || answer.status >= 500)
        failures.push(keepFailure('oauth', SEED, index, `${method} ${target}`, `answered ${answer.status} ${answer.type}`));
    }
    expect(failures).toEqual([]);
  }, 600_000);
});

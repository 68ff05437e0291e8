import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  isoFromMicros,
  type EffectiveModelPrice,
  type PriceListResponse,
  type RepriceResponse,
  type TraceDetail,
  type TraceListResponse,
  type TraceSummary,
  type UnpricedModelListResponse,
} from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { type AttributesInput, type SpanInput, encodeTraces } from './support/otlp-encode.js';
import { type TestServer, getJson, perTestServers } from './support/server.js';

/**
 * The price API against a real server: prices set with PUT price spans at ingest, survive a
 * restart and can be deleted; POST /api/prices/reprice brings stored spans and trace totals up to
 * date; the --prices file sits between Spoor's table and the API.
 */

const SPOOR_BIN = fileURLToPath(new URL('../bin/spoor.js', import.meta.url));

const { dir, start } = perTestServers('spoor-prices-');

const newTraceId = (): string => randomBytes(16).toString('hex');
const newSpanId = (): string => randomBytes(8).toString('hex');

/** A minute ago, and a window around the test's spans. */
const BASE_MS = Date.now() - 60_000;
const FROM = new Date(BASE_MS - 1_000).toISOString();
const TO = new Date(Date.now() + 3_600_000).toISOString();
const nanos = (ms: number): bigint => BigInt(ms) * 1_000_000n;

interface LlmCall {
  model: string;
  responseModel?: string;
  provider: string;
  input: number;
  output: number;
  cacheRead?: number;
}

/** A trace: an `agent run` root and one GenAI chat span per call, `offsetMs` after BASE_MS. */
async function sendTrace(server: TestServer, calls: LlmCall[], offsetMs = 0): Promise<{ traceId: string; startUs: number; spanIds: string[] }> {
  const traceId = newTraceId();
  const rootId = newSpanId();
  const startMs = BASE_MS + offsetMs;
  const spans: SpanInput[] = [
    { traceId, spanId: rootId, name: 'agent run', kind: 1, startTimeUnixNano: nanos(startMs), endTimeUnixNano: nanos(startMs + 5_000) },
  ];
  const spanIds: string[] = [];
  calls.forEach((call, i) => {
    const attributes: AttributesInput = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': call.provider,
      'gen_ai.request.model': call.model,
      'gen_ai.usage.input_tokens': call.input,
      'gen_ai.usage.output_tokens': call.output,
    };
    if (call.responseModel !== undefined) attributes['gen_ai.response.model'] = call.responseModel;
    if (call.cacheRead !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = call.cacheRead;
    const spanId = newSpanId();
    spanIds.push(spanId);
    const at = startMs + 10 + i * 100;
    spans.push({
      traceId,
      spanId,
      parentSpanId: rootId,
      name: `chat ${call.model}`,
      kind: 3,
      startTimeUnixNano: nanos(at),
      endTimeUnixNano: nanos(at + 50),
      attributes,
    });
  });
  const body = encodeTraces([{ resource: { attributes: { 'service.name': 'prices-test' } }, scopes: [{ scope: { name: 'test' }, items: spans }] }]);
  const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  expect(response.status).toBe(200);
  return { traceId, startUs: (startMs + 10) * 1000, spanIds };
}

/** An API answer: a result, or `{ error: { code, message } }`. */
interface Answer {
  status: number;
  body: Record<string, unknown> & { error: { code: string; message: string } };
}

async function send(server: TestServer, method: 'PUT' | 'DELETE' | 'POST', path: string, body?: unknown): Promise<Answer> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  if (body !== undefined) init.headers = { 'content-type': 'application/json' };
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function llmOf(server: TestServer, traceId: string, spanId: string) {
  const { status, body } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
  expect(status).toBe(200);
  return body.spans.find((s) => s.spanId === spanId)!.llm!;
}

async function summaryOf(server: TestServer, traceId: string): Promise<TraceSummary> {
  const { body } = await getJson<TraceListResponse>(server.url, `/api/traces?from=${FROM}&limit=100`);
  const found = body.traces.find((t) => t.traceId === traceId);
  expect(found, traceId).toBeDefined();
  return found!;
}

async function prices(server: TestServer): Promise<PriceListResponse> {
  const { status, body } = await getJson<PriceListResponse>(server.url, '/api/prices');
  expect(status).toBe(200);
  return body;
}

const priceOf = async (server: TestServer, model: string): Promise<EffectiveModelPrice | undefined> =>
  (await prices(server)).models.find((m) => m.model === model);

const unpriced = async (server: TestServer): Promise<UnpricedModelListResponse> => {
  const { status, body } = await getJson<UnpricedModelListResponse>(server.url, `/api/prices/unpriced?from=${FROM}&to=${TO}`);
  expect(status).toBe(200);
  return body;
};

const reprice = async (server: TestServer): Promise<RepriceResponse> => {
  const { status, body } = await send(server, 'POST', '/api/prices/reprice', { from: FROM, to: TO });
  expect(status).toBe(200);
  return body as unknown as RepriceResponse;
};

const ACME = { model: 'acme-llm-1', provider: 'acme', input: 1000, output: 300, cacheRead: 200 } as const;
const MINI = { model: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', provider: 'openai', input: 1000, output: 500 } as const;
/** The price set through the API, in USD per million tokens. */
const ACME_PRICE = { provider: 'acme', aliases: ['acme-llm-1-preview'], input: 2, output: 8, cacheRead: 0.5 };
/** 800 uncached input x $2 + 200 cache reads x $0.50 + 300 output x $8 = 1,600 + 100 + 2,400 micro-dollars. */
const ACME_COST = 0.0041;
/** Spoor's table: gpt-4o-mini at $0.15 in, $0.60 out: 1000 x 0.15 + 500 x 0.6 = 150 + 300 micro-dollars. */
const MINI_COST = 0.00045;

describe('the price API', () => {
  it("lists Spoor's table with each price's origin", async () => {
    const server = await start();
    const list = await prices(server);
    expect(list.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(list.models.length).toBeGreaterThan(10);
    expect(list.models.every((m) => m.origin === 'default')).toBe(true);
    expect(list.models.find((m) => m.model === 'gpt-4o-mini')).toEqual({
      model: 'gpt-4o-mini',
      provider: 'openai',
      aliases: ['gpt-4o-mini-2024-07-18'],
      input: 0.15,
      output: 0.6,
      cacheRead: 0.075,
      origin: 'default',
    });
    // One entry per model: aliases are inside their model's entry.
    const ids = list.models.flatMap((m) => [m.model, ...(m.aliases ?? [])]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(list.models.find((m) => m.model === 'acme-llm-1')).toBeUndefined();
  });

  it('prices an unknown model once it is set, re-prices the stored spans, keeps the price over a restart, and deletes it', async () => {
    let server = await start();

    // An unknown model has no cost and is listed as unpriced; the known one is priced by Spoor's table.
    const t1 = await sendTrace(server, [ACME, MINI]);
    const [acme1, mini1] = t1.spanIds as [string, string];
    expect(await llmOf(server, t1.traceId, acme1)).toMatchObject({
      requestModel: 'acme-llm-1',
      inputTokens: 1000,
      outputTokens: 300,
      costUsd: null,
      costSource: null,
    });
    const miniLlm = await llmOf(server, t1.traceId, mini1);
    expect(miniLlm.costSource).toBe('price_table');
    expect(miniLlm.costUsd).toBeCloseTo(MINI_COST, 12);
    const before = await summaryOf(server, t1.traceId);
    expect(before).toMatchObject({ rootName: 'agent run', serviceName: 'prices-test', spanCount: 3, errorCount: 0, inputTokens: 2000, outputTokens: 800 });
    expect(before.costUsd).toBeCloseTo(MINI_COST, 12);
    expect(await unpriced(server)).toEqual({
      models: [{ model: 'acme-llm-1', provider: 'acme', spanCount: 1, inputTokens: 1000, outputTokens: 300, lastSeen: isoFromMicros(t1.startUs) }],
    });

    // PUT answers with the effective price; the list shows it as set through the API.
    const put = await send(server, 'PUT', '/api/prices/acme-llm-1', ACME_PRICE);
    expect(put).toEqual({ status: 200, body: { model: 'acme-llm-1', ...ACME_PRICE, origin: 'api' } });
    expect(await priceOf(server, 'acme-llm-1')).toEqual({ model: 'acme-llm-1', ...ACME_PRICE, origin: 'api' });
    // A body may name the model too, when it is the path's.
    expect(await send(server, 'PUT', '/api/prices/acme-llm-1', { model: 'acme-llm-1', ...ACME_PRICE })).toMatchObject({
      status: 200,
      body: { model: 'acme-llm-1', origin: 'api' },
    });

    // New spans are priced at ingest, by the model or an alias; the old span keeps its null cost until re-priced.
    const t2 = await sendTrace(server, [{ ...ACME, responseModel: 'acme-llm-1-preview' }], 1_000);
    const acme2 = await llmOf(server, t2.traceId, t2.spanIds[0]!);
    expect(acme2.costSource).toBe('price_table');
    expect(acme2.costUsd).toBeCloseTo(ACME_COST, 12);
    expect((await llmOf(server, t1.traceId, acme1)).costUsd).toBeNull();

    // Re-pricing the range prices the old span (the only one whose cost changes) and its trace's total.
    expect(await reprice(server)).toEqual({ spans: 1, traces: 1 });
    const repriced = await llmOf(server, t1.traceId, acme1);
    expect(repriced.costSource).toBe('price_table');
    expect(repriced.costUsd).toBeCloseTo(ACME_COST, 12);
    const after = await summaryOf(server, t1.traceId);
    expect(after.costUsd).toBeCloseTo(ACME_COST + MINI_COST, 12);
    // The call priced now, the trace's cost no longer leaves it out.
    expect([before.unpricedCalls, after.unpricedCalls]).toEqual([1, 0]);
    expect({ ...after, costUsd: null, unpricedCalls: 0 }).toEqual({ ...before, costUsd: null, unpricedCalls: 0 });
    expect(await unpriced(server)).toEqual({ models: [] });
    expect(await reprice(server)).toEqual({ spans: 0, traces: 0 });

    // Prices set through the API are stored: they survive a restart, and price ingest after it.
    await server.stop();
    server = await start();
    expect(await priceOf(server, 'acme-llm-1')).toEqual({ model: 'acme-llm-1', ...ACME_PRICE, origin: 'api' });
    const t3 = await sendTrace(server, [ACME], 2_000);
    expect((await llmOf(server, t3.traceId, t3.spanIds[0]!)).costUsd).toBeCloseTo(ACME_COST, 12);
    expect((await summaryOf(server, t1.traceId)).costUsd).toBeCloseTo(ACME_COST + MINI_COST, 12);

    // DELETE removes it (once); spans from then on are unpriced again.
    expect(await send(server, 'DELETE', '/api/prices/acme-llm-1')).toEqual({ status: 200, body: { deleted: 'acme-llm-1' } });
    const again = await send(server, 'DELETE', '/api/prices/acme-llm-1');
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('ERR_NOT_FOUND');
    expect(await priceOf(server, 'acme-llm-1')).toBeUndefined();
    const t4 = await sendTrace(server, [ACME], 3_000);
    expect((await llmOf(server, t4.traceId, t4.spanIds[0]!)).costUsd).toBeNull();
    expect(await unpriced(server)).toEqual({
      models: [{ model: 'acme-llm-1', provider: 'acme', spanCount: 1, inputTokens: 1000, outputTokens: 300, lastSeen: isoFromMicros(t4.startUs) }],
    });

    // Re-pricing without the price takes the costs off again: a trace with no cost left has a null total, not 0.
    expect(await reprice(server)).toEqual({ spans: 3, traces: 3 });
    expect((await summaryOf(server, t1.traceId)).costUsd).toBeCloseTo(MINI_COST, 12);
    expect(await summaryOf(server, t2.traceId)).toMatchObject({ costUsd: null, inputTokens: 1000, outputTokens: 300, spanCount: 2 });
    // Grouped by the response model: trace 2's call named the alias.
    expect((await unpriced(server)).models).toEqual([
      { model: 'acme-llm-1', provider: 'acme', spanCount: 3, inputTokens: 3000, outputTokens: 900, lastSeen: isoFromMicros(t4.startUs) },
      { model: 'acme-llm-1-preview', provider: 'acme', spanCount: 1, inputTokens: 1000, outputTokens: 300, lastSeen: isoFromMicros(t2.startUs) },
    ]);
  });

  it('keeps every field of a price set through the API, with lowercase ids, and prices long contexts by it', async () => {
    const server = await start();
    const price = {
      provider: 'acme',
      aliases: ['ACME-LLM-2-PREVIEW'],
      input: 1,
      output: 2,
      cacheRead: 0.1,
      cacheWrite: 1.25,
      reasoning: 3,
      longContext: { aboveInputTokens: 1000, input: 2, output: 4, cacheRead: 0.2 },
    };
    const expected = { ...price, model: 'acme-llm-2', aliases: ['acme-llm-2-preview'], origin: 'api' };
    expect(await send(server, 'PUT', '/api/prices/ACME-LLM-2', price)).toEqual({ status: 200, body: expected });
    expect(await priceOf(server, 'acme-llm-2')).toEqual(expected);
    // 2000 input over the 1000 threshold: 2000 x $2 + 100 x $4 = 4,400 micro-dollars; 500 x $1 + 100 x $2 = 700 under it.
    const t = await sendTrace(server, [
      { model: 'acme-llm-2', provider: 'acme', input: 2000, output: 100 },
      { model: 'x', responseModel: 'Acme-LLM-2-Preview', provider: 'acme', input: 500, output: 100 },
    ]);
    expect((await llmOf(server, t.traceId, t.spanIds[0]!)).costUsd).toBeCloseTo(0.0044, 12);
    expect((await llmOf(server, t.traceId, t.spanIds[1]!)).costUsd).toBeCloseTo(0.0007, 12);
    expect((await summaryOf(server, t.traceId)).costUsd).toBeCloseTo(0.0051, 12);
    expect(await send(server, 'DELETE', '/api/prices/Acme-LLM-2')).toEqual({ status: 200, body: { deleted: 'acme-llm-2' } });
  });

  it('does not delete prices it did not set', async () => {
    const server = await start();
    const response = await send(server, 'DELETE', '/api/prices/gpt-4o-mini');
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('gpt-4o-mini');
    expect(await priceOf(server, 'gpt-4o-mini')).toMatchObject({ origin: 'default', input: 0.15 });
  });

  it('rejects an invalid price with a 400 that names the field', async () => {
    const server = await start();
    const cases: Array<[body: unknown, mentions: string[]]> = [
      [{ provider: 'acme', output: 8 }, ["'input'"]],
      [{ provider: 'acme', input: 2 }, ["'output'"]],
      [{ provider: 'acme', input: -1, output: 8 }, ["'input'"]],
      [{ provider: 'acme', input: '2', output: 8 }, ["'input'"]],
      [{ provider: 'acme', input: 2, output: 8, cacheRead: 'cheap' }, ["'cacheRead'"]],
      [{ input: 2, output: 8 }, ["'provider'"]],
      [{ provider: 'acme', input: 2, output: 8, inptu: 3 }, ["'inptu'"]],
      [{ provider: 'acme', input: 2, output: 8, aliases: 'acme' }, ["'aliases'"]],
      [{ provider: 'acme', input: 2, output: 8, longContext: { aboveInputTokens: 1000, input: 4 } }, ['longContext.output']],
      [{ model: 'other-model', provider: 'acme', input: 2, output: 8 }, ['other-model', 'acme-llm-1']],
      [[1, 2], ['JSON object']],
    ];
    for (const [body, mentions] of cases) {
      const response = await send(server, 'PUT', '/api/prices/acme-llm-1', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      for (const text of mentions) expect(response.body.error.message, JSON.stringify(body)).toContain(text);
    }
    const bad = await send(server, 'PUT', '/api/prices/acme-llm-1', '{"provider":');
    expect(bad.status).toBe(400);
    expect(await priceOf(server, 'acme-llm-1')).toBeUndefined();

    const badRange = await send(server, 'POST', '/api/prices/reprice', { from: 'yesterday' });
    expect(badRange.status).toBe(400);
    expect(badRange.body.error.message).toContain('from');
    const unknown = await send(server, 'POST', '/api/prices/reprice', { since: FROM });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('since');
  });

  it("re-prices every stored span when the request names no range, and nothing for another site's page", async () => {
    const server = await start();
    const t = await sendTrace(server, [ACME]);
    await send(server, 'PUT', '/api/prices/acme-llm-1', ACME_PRICE);
    // Any page could send a bodiless POST, with its Origin: it changes nothing.
    expect((await fetch(`${server.url}/api/prices/reprice`, { method: 'POST', headers: { origin: 'https://evil.example' } })).status).toBe(415);
    expect((await summaryOf(server, t.traceId)).costUsd).toBeNull();
    // A script may send none: the body's fields are all optional.
    const response = await fetch(`${server.url}/api/prices/reprice`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ spans: 1, traces: 1 });
    expect((await summaryOf(server, t.traceId)).costUsd).toBeCloseTo(ACME_COST, 12);
  });
});

describe('spoor serve --prices', () => {
  it("prices ingest with the file over Spoor's table, under prices set through the API", async () => {
    const file = join(dir(), 'prices.json');
    await writeFile(file, JSON.stringify({ asOf: '2099-01-15', models: [{ model: 'gpt-4o-mini', provider: 'openai', input: 1, output: 2 }] }));
    const server = await start({ prices: file });

    const list = await prices(server);
    expect(list.asOf).toBe('2099-01-15');
    expect(list.models.find((m) => m.model === 'gpt-4o-mini')).toEqual({ model: 'gpt-4o-mini', provider: 'openai', input: 1, output: 2, origin: 'file' });
    expect(list.models.find((m) => m.model === 'gpt-4o')).toMatchObject({ origin: 'default' });

    // 1000 input x $1 + 500 output x $2 = 2,000 micro-dollars (Spoor's table would say 450).
    const t1 = await sendTrace(server, [MINI]);
    const llm = await llmOf(server, t1.traceId, t1.spanIds[0]!);
    expect(llm.costSource).toBe('price_table');
    expect(llm.costUsd).toBeCloseTo(0.002, 12);

    // A price set through the API beats the file; deleting it brings the file's back.
    expect(await send(server, 'PUT', '/api/prices/gpt-4o-mini', { provider: 'openai', input: 3, output: 4 })).toMatchObject({
      status: 200,
      body: { origin: 'api' },
    });
    expect(await priceOf(server, 'gpt-4o-mini')).toMatchObject({ origin: 'api', input: 3 });
    const t2 = await sendTrace(server, [MINI], 1_000);
    expect((await llmOf(server, t2.traceId, t2.spanIds[0]!)).costUsd).toBeCloseTo(0.005, 12);
    expect(await send(server, 'DELETE', '/api/prices/gpt-4o-mini')).toEqual({ status: 200, body: { deleted: 'gpt-4o-mini' } });
    expect(await priceOf(server, 'gpt-4o-mini')).toMatchObject({ origin: 'file', input: 1 });
    // Re-pricing goes by the file's price now.
    expect(await reprice(server)).toEqual({ spans: 1, traces: 1 });
    expect((await llmOf(server, t2.traceId, t2.spanIds[0]!)).costUsd).toBeCloseTo(0.002, 12);
  });

  it('refuses to start with a price file it cannot use, naming the file and the problem', async () => {
    const cases: Array<[name: string, content: string | null, problem: string]> = [
      ['missing.json', null, 'cannot read'],
      ['not-json.json', '{"asOf": "2025-01-01", "models": [', 'not valid JSON'],
      ['no-date.json', JSON.stringify({ models: [] }), "'asOf'"],
      [
        'bad-price.json',
        JSON.stringify({ asOf: '2025-01-01', models: [{ model: 'gpt-4o-mini', provider: 'openai', input: 'cheap', output: 2 }] }),
        "models[0] (gpt-4o-mini): 'input'",
      ],
      ['no-provider.json', JSON.stringify({ asOf: '2025-01-01', models: [{ model: 'x', input: 1, output: 2 }] }), "'provider'"],
    ];
    for (const [name, content, problem] of cases) {
      const file = join(dir(), name);
      if (content !== null) await writeFile(file, content);
      const started = start({ prices: file });
      await expect(started, name).rejects.toThrow(file);
      await expect(started, name).rejects.toThrow(problem);
    }
  });

  it('makes the spoor CLI exit with the problem on stderr', async () => {
    const file = join(dir(), 'bad-price.json');
    await writeFile(file, JSON.stringify({ asOf: '2025-01-01', models: [{ model: 'acme-llm-1', provider: 'acme', input: 1 }] }));
    const child = spawn(process.execPath, [SPOOR_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--data', join(dir(), 'cli-data'), '--prices', file], {
      cwd: dir(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SPOOR_'))),
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toContain(file);
    expect(stderr).toContain("'output' (USD per million tokens) is required");
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TraceDetail } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../src/alerting/alert-service.js';
import { AlertEngine } from '../src/alerting/engine.js';
import { createApp } from '../src/api/app.js';
import { AccessControl } from '../src/auth/access-control.js';
import { KeyRing } from '../src/auth/key-ring.js';
import { InProcessDecoder } from '../src/ingest/decode-client.js';
import { ingestRoutes } from '../src/ingest/routes.js';
import { projectOf } from '../src/http/request-access.js';
import { routes } from '../src/parts/part.js';
import { PriceService } from '../src/pricing/price-service.js';
import { SelfMetrics, createIngestMetrics } from '../src/self-metrics.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { alertBackendOver } from '../src/alerting/backend.js';
import { alertRoutes } from '../src/alerting/routes.js';
import { type DbClient, createDbCalls } from '../src/dbthread/calls.js';
import { inProcessClient } from '../src/dbthread/in-process-client.js';

/**
 * The registry of database-thread calls, run in process: the whole API and the alert engine over
 * a real DuckDB store, with no worker and no built `dist/`.
 */

let dir: string;
let store: DuckDbStore;
let alerts: AlertService;
let app: FastifyInstance;
let ring: KeyRing | undefined;
let db: DbClient;
/** How often the routes gave the answer region back (`traces.releaseAnswerRegion`). */
let releases = 0;
/** What the app waits on before a read: every acknowledged write visible (nothing outstanding here, unless a test says). */
let visible: () => Promise<void> = async () => {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-calls-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  const pricing = new PriceService(store.prices, null);
  await pricing.load(['default']);
  db = inProcessClient(createDbCalls(store, pricing));
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const engine = await AlertEngine.open({ projectId: 'default', ...alertBackendOver(db, 'default'), logger: quiet, externalUrl: () => 'http://spoor.test' });
  alerts = await AlertService.start({ engine, rulesFile: null, intervalMs: 60_000, nowUs: () => Date.now() * 1000, onError: () => {}, onInfo: () => {} });
  const selfMetrics = new SelfMetrics();
  ring = await KeyRing.start(() => store.access.listKeys(), { refreshMs: 60_000, onError: () => {} });
  // The app's client counts what it gives back of the answer region.
  const traces = new Proxy(db.traces, {
    get: (target, name, receiver) =>
      name === 'releaseAnswerRegion' ? async () => (releases++, target.releaseAnswerRegion()) : Reflect.get(target, name, receiver),
  });
  const counted = new Proxy(db, { get: (target, name, receiver) => (name === 'traces' ? traces : Reflect.get(target, name, receiver)) });
  const decoder = new InProcessDecoder();
  app = await createApp({
    db: counted,
    access: new AccessControl({ mode: 'auto', ring, sessionSecret: 'test', metricsToken: null, ratePerSecond: 0 }),
    decoder,
    visible: () => visible(),
    selfMetrics,
    maxBodyBytes: 1024 * 1024,
    isReady: () => true,
    routes: [
      {
        ...routes('otlp', ingestRoutes, {
          maxBodyBytes: 1024 * 1024,
          projectOf,
          decoder,
          // Ingest straight into the store: what the spool and the commit loop do, minus durability.
          accept: async ({ batch }) => {
            await store.writer.write(batch, null);
          },
          metrics: createIngestMetrics(selfMetrics),
        }),
        receives: true,
      },
      routes('alerts', alertRoutes, { alertsFor: async () => alerts }),
    ],
  });
});

afterAll(async () => {
  ring?.close();
  await app?.close();
  await alerts?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('the database calls in process', () => {
  it('serve the API and the alert engine over a real store, without a worker', async () => {
    const start = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, parentSpanId: string, name: string, attributes: object[] = []): object => ({
      traceId: TRACE_ID,
      spanId,
      parentSpanId,
      name,
      kind: 1,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 5_000_000n),
      attributes,
    });
    const llm = [
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '1000' } },
    ];
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'in-process' } }] },
          scopeSpans: [{ spans: [span('00000000000000a1', '', 'run'), span('00000000000000a2', '00000000000000a1', 'chat gpt-4o', llm)] }],
        },
      ],
    };
    const posted = await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(posted.statusCode).toBe(200);

    const trace = await app.inject({ method: 'GET', url: `/api/traces/${TRACE_ID}` });
    expect(trace.statusCode).toBe(200);
    const detail = trace.json<TraceDetail>();
    expect(detail.spans.map((s) => s.name)).toEqual(['run', 'chat gpt-4o']);
    expect(detail.spans[1]!.llm).toMatchObject({ requestModel: 'gpt-4o', inputTokens: 1000 });
    expect(detail.spans[1]!.llm!.costUsd).toBeGreaterThan(0);

    const missing = await app.inject({ method: 'GET', url: '/api/traces/00000000000000000000000000000001' });
    expect(missing.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/stats/spans' })).json()).toMatchObject({
      groups: expect.arrayContaining([expect.objectContaining({ key: 'run' })]),
    });

    const rule = { name: 'slow-runs', expr: 'p95(duration_ms{name="run"})[5m] > 1s' };
    expect((await app.inject({ method: 'POST', url: '/api/alerts/rules', payload: rule })).statusCode).toBe(201);
    // Saved through the alert engine's calls, read back through them.
    const saved = await app.inject({ method: 'GET', url: '/api/alerts/rules/slow-runs' });
    expect(saved.json()).toMatchObject({ source: 'api' });
    expect(saved.body).toContain('p95(duration_ms{name=\\"run\\"})[5m] > 1s');
  });
});

describe('the experiment calls', () => {
  it('write and read experiments and their results as values, not JSON text', async () => {
    const id = 'e'.repeat(32);
    const made = {
      experimentId: id,
      name: 'nightly',
      dataset: 'qa',
      datasetVersion: 1,
      target: '{"kind":"sdk","replay":"none"}',
      evaluators: '[]',
      metadata: '{}',
      state: 'running' as const,
      error: null,
      itemCount: 2,
      createdUs: 1_000,
      timeUs: 1_000,
      finishedUs: null,
      deleted: false,
    };
    const done = { ...made, state: 'done' as const, timeUs: 2_000, finishedUs: 2_000 };
    await db.experiments.put('default', made);
    await db.experiments.put('default', done);
    const item = {
      experimentId: id,
      itemId: 'a'.repeat(32),
      traceId: null,
      spanId: null,
      output: '"4"',
      error: null,
      latencyMs: 12.5,
      inputTokens: 3,
      outputTokens: 1,
      costUsd: null,
      timeUs: 1_500,
      unpricedCalls: null,
    };
    await db.experiments.addResults('default', [item, { ...item, itemId: 'b'.repeat(32), output: null, error: 'threw', latencyMs: null }]);
    expect(await db.experiments.get('default', id)).toEqual(done);
    expect(await db.experiments.latestByName('default', 'nightly')).toEqual(done);
    expect(await db.experiments.list('default', 'qa', 10)).toEqual([done]);
    expect(await db.experiments.results('default', id, null, 1)).toEqual([item]);
    expect(await db.experiments.totals('default', [id])).toEqual([
      { experimentId: id, done: 2, errored: 1, inputTokens: 6, outputTokens: 2, costUsd: null, unpricedCalls: 0, latencyMsMean: 12.5 },
    ]);
  });
});

describe('a read under a backlog of acknowledged writes', () => {
  it('says how long it waited for them, and when it answered without them', async () => {
    try {
      expect((await app.inject({ method: 'GET', url: '/api/traces' })).headers['spoor-read-wait-ms']).toBeUndefined();

      visible = () => new Promise((resolve) => setTimeout(resolve, 120));
      const waited = await app.inject({ method: 'GET', url: '/api/traces' });
      expect(waited.statusCode).toBe(200);
      expect(Number(waited.headers['spoor-read-wait-ms'])).toBeGreaterThanOrEqual(100);
      expect(waited.headers['spoor-read-incomplete']).toBeUndefined();

      visible = () => new Promise(() => {});
      const gaveUp = await app.inject({ method: 'GET', url: '/api/traces' });
      expect(gaveUp.statusCode).toBe(200);
      expect(Number(gaveUp.headers['spoor-read-wait-ms'])).toBeGreaterThanOrEqual(1900);
      expect(gaveUp.headers['spoor-read-incomplete']).toBe('1');
    } finally {
      visible = async () => {};
    }
  });
});

describe('a trace answer written into the answer region', () => {
  const LARGE = 'bbf92f3577b34da6a3ce929d0e0e4736';

  beforeAll(async () => {
    // 300 spans of 4 KB text answer past the 1 MiB an answer needs to be written into the region.
    const start = BigInt(Date.now()) * 1_000_000n;
    for (const part of [0, 1]) {
      const spans = Array.from({ length: 150 }, (_, i) => ({
        traceId: LARGE,
        spanId: (0x100 + part * 150 + i).toString(16).padStart(16, '0'),
        name: `step ${i}`,
        kind: 1,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 5_000_000n),
        attributes: [{ key: 'text', value: { stringValue: 't'.repeat(4_000) } }],
      }));
      const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] };
      expect(
        (await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })).statusCode,
      ).toBe(200);
    }
    await app.listen({ host: '127.0.0.1', port: 0 });
  });

  const url = (): string => {
    const address = app.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/api/traces/${LARGE}`;
  };
  const released = async (count: number): Promise<void> => {
    for (let waited = 0; releases < count && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(releases).toBe(count);
  };

  it('is given back once it was sent', async () => {
    const before = releases;
    const response = await fetch(url());
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(2 ** 20);
    await released(before + 1);
  });

  it('is given back when its client left before it was written', async () => {
    const before = releases;
    try {
      let reading!: () => void;
      const read = new Promise<void>((resolve) => (reading = resolve));
      // The read waits until the client has gone: its answer finds the connection closed.
      visible = async () => {
        reading();
        await new Promise((resolve) => setTimeout(resolve, 200));
      };
      const aborted = new AbortController();
      const request = fetch(url(), { signal: aborted.signal }).catch((error: unknown) => error);
      await read;
      aborted.abort();
      expect(await request).toBeInstanceOf(Error);
      await released(before + 1);
    } finally {
      visible = async () => {};
    }
  });
});

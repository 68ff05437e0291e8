import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../src/api/app.js';
import { AccessControl } from '../src/auth/access-control.js';
import { KeyRing } from '../src/auth/key-ring.js';
import { createDbCalls } from '../src/dbthread/calls.js';
import { inProcessClient } from '../src/dbthread/in-process-client.js';
import { PriceService } from '../src/pricing/price-service.js';
import { readOnlyApp } from '../src/serve/read-only-app.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';

/**
 * The app `spoor mcp --data` reads through: the server's own app (`createApp`), with the routes
 * that read traces, analytics and scores, and none that receive, write settings or run anything.
 */

let dir: string;
let store: DuckDbStore;
let ring: KeyRing;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoor-read-only-'));
  store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
  ring = await KeyRing.start(async () => [], { refreshMs: 3_600_000, onError: () => {} });
  app = await readOnlyApp({
    db: inProcessClient(createDbCalls(store, new PriceService(store.prices, null))),
    access: new AccessControl({ mode: 'off', ring, sessionSecret: 'test', metricsToken: null, ratePerSecond: 0 }),
    isReady: () => true,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  ring?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the read-only app', () => {
  it('has the reads the MCP tools call, and no route that receives, configures or runs', () => {
    const routes = routesOf(app).map(({ method, url }) => `${method} ${url}`);
    for (const read of ['GET /api/traces', 'GET /api/traces/:traceId', 'GET /api/stats/spans', 'GET /api/sessions', 'GET /api/errors', 'GET /api/scores']) {
      expect(routes).toContain(read);
    }
    // OTLP's CORS preflights come with the hooks every app has; OTLP itself is not received.
    const receiving = routes.filter((route) => /^POST \/v1\//.test(route));
    const groups = 'evaluators|experiments|datasets|keys|alerts|prices|masking|replay|export|sampling|quarantine';
    const others = routes.filter((route) => new RegExp(` /(api/(${groups})|mcp|health|ready|metrics$)`).test(route));
    expect(receiving).toEqual([]);
    expect(others).toEqual([]);
  });

  it("checks parameters as the server's app does, and answers from the store", async () => {
    const unknown = await app.inject({ method: 'GET', url: '/api/traces?colour=red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'ERR_INVALID_PARAMETER' } });
    expect(unknown.body).toContain("'colour' is not a parameter of this endpoint");
    const list = await app.inject({ method: 'GET', url: '/api/traces?limit=5' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ traces: [] });
    expect((await app.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(404);
  });
});

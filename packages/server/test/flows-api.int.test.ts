import type { ApiErrorBody, FlowComparison, FlowMap } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowFleet, fleetOtlpJson } from './support/flow-fleet.js';
import { getJson, startTestServer, type TestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * The flow map end to end: a generated fleet of two releases sent as OTLP/JSON to a real server
 * (which categorises its spans from their `gen_ai.operation.name`), then `/api/flows` and
 * `/api/flows/compare` checked against the fleet's known mix of paths (`flow-fleet.ts`).
 */

const SEC = 1_000_000;
const P = 'workflow:checkout/agent:planner';
let server: TestServer;
let range: string;

beforeAll(async () => {
  server = await startTestServer();
  const startUs = (Date.now() - 3600_000) * 1000;
  const spans = [
    ...flowFleet({ runs: 20, release: '1.0', startUs }),
    ...flowFleet({ runs: 20, release: '2.0', startUs: startUs + 100 * SEC, firstTrace: 101 }),
  ];
  const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fleetOtlpJson(spans) });
  expect(sent.status).toBe(200);
  range = `from=${Math.floor(startUs / 1000) - 1000}&to=${Math.floor(startUs / 1000) + 1000_000}`;
  // Committed in batches: whole once every run of both releases is folded.
  await until('both fleets committed', async () => {
    const { body } = await getJson<FlowMap>(server.url, `/api/flows?${range}&name=checkout&root=true`);
    return body.runs === 40 && body.nodes.find((n) => n.id === `${P}/tool:notify`)?.runs === 16 ? body : undefined;
  });
});

afterAll(() => server?.stop());

describe('GET /api/flows', () => {
  it("folds one release's runs into the fleet's paths, loop and failing path", async () => {
    const { status, body } = await getJson<FlowMap>(server.url, `/api/flows?${range}&name=checkout&root=true&attr=service.version=1.0`);
    expect(status).toBe(200);
    expect(body.runs).toBe(20);
    expect(body.nodes.map((n) => [n.id, n.category, n.runs, n.spans, n.errorRate, n.loop])).toEqual([
      ['workflow:checkout', 'workflow', 20, 20, 0.2, null],
      [P, 'agent', 20, 20, 0, null],
      [`${P}/llm`, 'llm', 20, 20, 0, null],
      [`${P}/tool:search`, 'tool', 20, 24, 0, { runs: 2, maxRepeats: 3 }],
      [`${P}/tool:pay`, 'tool', 16, 16, 0, null],
      [`${P}/tool:refund`, 'tool', 4, 4, 1, null],
    ]);
    // The server priced the LLM calls (gpt-4o's input tokens): each node and edge into them has a cost.
    expect(body.nodes[2]!.costUsd).toBeGreaterThan(0);
    const refund = body.edges.find((e) => e.kind === 'then' && e.to === `${P}/tool:refund`)!;
    expect([refund.from, refund.runs, refund.errorRate, refund.traceIds.length]).toEqual([`${P}/tool:search`, 4, 1, 4]);
  });

  it('refuses a bad parameter with 400 naming it', async () => {
    const { status, body } = await getJson<ApiErrorBody>(server.url, `/api/flows?${range}&runs=0`);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/runs/);
  });
});

describe('GET /api/flows/compare', () => {
  it('finds the path release 2.0 added, significant in frequency', async () => {
    const { status, body } = await getJson<FlowComparison>(server.url, `/api/flows/compare?${range}&name=checkout&root=true&a=1.0&b=2.0`);
    expect(status).toBe(200);
    expect([body.by, body.runs]).toEqual(['service.version', { a: 20, b: 20 }]);
    const changed = body.nodes.filter((n) => n.kind !== 'both');
    expect(changed.map((n) => [n.id, n.kind, n.change.frequency, n.frequency.significant])).toEqual([[`${P}/tool:notify`, 'added', 0.8, true]]);
  });

  it("refuses two sides that are one with 400 naming 'b'", async () => {
    const { status, body } = await getJson<ApiErrorBody>(server.url, `/api/flows/compare?${range}&a=1.0&b=1.0`);
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/\bb\b/);
  });
});

import { randomBytes } from 'node:crypto';
import type { CompareResponse, PromptStatsResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, errorOf, startTestServer } from './support/server.js';
import { eventually } from './support/trace-bodies.js';

/**
 * A prompt's statistics per version, on DuckDB and on ClickHouse: the LLM calls carrying
 * `spoor.prompt.name` and `spoor.prompt.version` counted per version (latency, tokens, cost,
 * errors, scores' means), another prompt's calls left out, and the link to the comparison of the
 * production split's two versions answering with its p-values.
 */

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/** One LLM call of `prompt` at `version`, `ms` long, as a trace of its own. */
function call(prompt: string, version: number, startMs: number, ms: number, failed: boolean) {
  const [traceId, spanId] = [randomBytes(16).toString('hex'), randomBytes(8).toString('hex')];
  const start = BigInt(startMs) * 1_000_000n;
  const span = {
    traceId,
    spanId,
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(ms) * 1_000_000n),
    status: failed ? { code: 2 } : {},
    attributes: [
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.request.model', 'gpt-4o'),
      int('gen_ai.usage.input_tokens', 100),
      int('gen_ai.usage.output_tokens', 10 * version),
      str('spoor.prompt.name', prompt),
      str('spoor.prompt.version', String(version)),
    ],
  };
  return { prompt, version, traceId, spanId, span };
}

describe.each(['duckdb', 'clickhouse'] as const)('prompt statistics per version (%s store)', (storeName) => {
  let server: TestServer;
  let endpoint: ClickHouseEndpoint | null = null;
  const nowMs = Date.now();
  const range = `from=${nowMs - 600_000}&to=${nowMs + 60_000}`;

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    server = await startTestServer(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/prompt_stats` });
    for (const prompt of ['one {{x}}', 'two {{x}}'])
      expect((await callJson(server.url, 'POST', '/api/prompts', { name: 'greeting', prompt, labels: ['production'] })).status).toBe(201);
    expect(
      (
        await callJson(server.url, 'PUT', '/api/prompts/greeting/labels/production', {
          split: [
            { version: 1, weight: 50 },
            { version: 2, weight: 50 },
          ],
        })
      ).status,
    ).toBe(200);
    // 12 calls each: v1 in 100-111 ms, v2 in 300-311 ms with 3 failures; farewell's v1, far slower, is another prompt.
    const calls = [];
    for (let i = 0; i < 12; i++) {
      calls.push(call('greeting', 1, nowMs - 120_000 + i * 100, 100 + i, false));
      calls.push(call('greeting', 2, nowMs - 120_000 + i * 100, 300 + i, i < 3));
      calls.push(call('farewell', 1, nowMs - 120_000 + i * 100, 5000, false));
    }
    const body = { resourceSpans: [{ resource: { attributes: [str('service.name', 'support-bot')] }, scopeSpans: [{ spans: calls.map((c) => c.span) }] }] };
    expect((await callJson(server.url, 'POST', '/v1/traces', body)).status).toBe(200);
    // Helpfulness of the first 4 calls of each version: v1 all 1, v2 all 0.
    for (const [version, value] of [
      [1, 1],
      [2, 0],
    ] as const) {
      for (const c of calls.filter((c) => c.prompt === 'greeting' && c.version === version).slice(0, 4))
        expect((await callJson(server.url, 'POST', '/api/scores', { traceId: c.traceId, spanId: c.spanId, name: 'helpful', value })).status).toBe(201);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it("gives each version's calls, latency, tokens, errors and scores, newest first, and the link to compare the two in production", async () => {
    const stats = await eventually(
      'the calls and scores',
      async () => (await callJson<PromptStatsResponse>(server.url, 'GET', `/api/prompts/greeting/stats?${range}`)).body,
      (s) => s.versions.length === 2 && s.versions.every((v) => v.count === 12 && v.scores[0]?.count === 4),
    );
    const [v2, v1] = stats.versions;
    expect(v1).toMatchObject({ version: 1, count: 12, errorCount: 0, avgMs: 105.5, inputTokens: 1200, outputTokens: 120 });
    expect(v1!.scores).toEqual([{ name: 'helpful', count: 4, mean: 1 }]);
    expect(v2).toMatchObject({ version: 2, count: 12, errorCount: 3, errorRate: 0.25, avgMs: 305.5, outputTokens: 240 });
    expect(v2!.scores).toEqual([{ name: 'helpful', count: 4, mean: 0 }]);
    expect(v1!.p50Ms).toBeCloseTo(105.5, 6);
    expect(stats.compare).toMatch(/^\/api\/stats\/compare\?by=spoor\.prompt\.version&a=1&b=2&attr=spoor\.prompt\.name%3Dgreeting&from=/);

    const compared = await callJson<CompareResponse>(server.url, 'GET', stats.compare!);
    expect(compared.status).toBe(200);
    const [row] = compared.body.rows;
    expect(row!.a).toMatchObject({ count: 12 });
    expect(row!.latency.significant).toBe(true);
    expect(row!.latency.pValue).toBeLessThan(0.001);
    expect(compared.body.scores[0]).toMatchObject({ name: 'helpful', meanDelta: -1 });
  });

  it('is 404 for a prompt that is not there, and names a bad range', async () => {
    expect(errorOf(await callJson(server.url, 'GET', '/api/prompts/nothing/stats'))).toBe('404 prompt nothing was not found');
    const bad = await callJson(server.url, 'GET', '/api/prompts/greeting/stats?from=yesterday');
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toContain('from');
  });
});

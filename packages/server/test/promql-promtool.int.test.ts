import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { SpanStatsResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCalls } from './support/llm-calls.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Debian's `promtool query` (Prometheus's own client) against a running Spoor: the numbers it
 * prints are those of `/api/stats/spans` for the same range. The server has no key, as this
 * promtool sends no Authorization header on instant queries.
 */

const run = promisify(execFile);
let server: TestServer;
/** The instant queried, in seconds: a minute after the last span; its `[1h]` window holds them all. */
let atS: number;
let range: string;

async function promtool<T>(...args: string[]): Promise<T> {
  const { stdout } = await run('promtool', ['query', ...args]);
  return JSON.parse(stdout) as T;
}

beforeAll(async () => {
  server = await startTestServer();
  const nowMs = Date.now();
  await sendCalls(server.url, null, 'gpt-4o', 12, (i) => 200 + i * 10, nowMs - 60_000);
  await sendCalls(server.url, null, 'gpt-4o-mini', 8, (i) => 50 + i, nowMs - 50_000);
  atS = Math.ceil(nowMs / 1000) + 60;
  // The window `(atS - 1h, atS]` in the stats' milliseconds, `[from, to)`.
  range = `from=${(atS - 3600) * 1000 + 1}&to=${atS * 1000 + 1}`;
  await until('the 20 calls stored', async () => {
    const { body } = await getJson<SpanStatsResponse>(server.url, `/api/stats/spans?groupBy=model&${range}`);
    return body.groups.reduce((n, g) => n + g.count, 0) === 20 ? true : undefined;
  });
});

afterAll(async () => {
  await server?.stop();
});

type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;
type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

describe('promtool query', () => {
  it('instant: the cost per model of /api/stats/spans', async () => {
    const vector = await promtool<Vector>('instant', '-o', 'json', `--time=${atS}`, server.url, 'cost(spans)[1h] by (model)');
    const stats = await getJson<SpanStatsResponse>(server.url, `/api/stats/spans?groupBy=model&${range}`);
    const expected = new Map(stats.body.groups.map((g) => [g.key, g.costUsd!]));
    expect(vector.map((s) => s.metric.model).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    for (const s of vector) {
      expect(s.value[0]).toBe(atS);
      expect(Number(s.value[1])).toBeGreaterThan(0);
      expect(Number(s.value[1])).toBeCloseTo(expected.get(s.metric.model!)!, 12);
    }
  });

  it('range: the p95 of the step that /api/stats/spans gives for the same range', async () => {
    const matrix = await promtool<Matrix>(
      'range',
      '-o',
      'json',
      `--start=${atS - 3600}`,
      `--end=${atS}`,
      '--step=1h',
      server.url,
      'p95(duration_ms{model="gpt-4o"})[1h]',
    );
    const stats = await getJson<SpanStatsResponse>(server.url, `/api/stats/spans?groupBy=model&${range}`);
    const p95 = stats.body.groups.find((g) => g.key === 'gpt-4o')!.p95Ms!;
    expect(matrix).toHaveLength(1);
    // The step an hour earlier saw no call: a percentile of nothing is no point, as in Prometheus.
    expect(matrix[0]!.values.map(([t]) => t)).toEqual([atS]);
    const last = matrix[0]!.values.at(-1)!;
    // 12 durations 200..310 ms: rank 0.95 · 11 = 10.45 → 300 + 0.45 · 10.
    expect(p95).toBeCloseTo(304.5, 6);
    expect(Number(last[1])).toBeCloseTo(p95, 9);
  });

  it('labels and series answer as Prometheus', async () => {
    const values = await promtool<string[]>('labels', '-o', 'json', `--start=${atS - 3600}`, `--end=${atS}`, server.url, 'model');
    expect(values).toEqual(['gpt-4o', 'gpt-4o-mini']);
    const series = await promtool<Array<Record<string, string>>>('series', '-o', 'json', `--end=${atS}`, '--match=count(spans)[1h] by (model)', server.url);
    expect(series.sort((a, b) => a.model!.localeCompare(b.model!))).toEqual([{ model: 'gpt-4o' }, { model: 'gpt-4o-mini' }]);
  });

  it("answers Grafana's health check query `1+1` as a scalar", async () => {
    const scalar = await promtool<[number, string]>('instant', '-o', 'json', `--time=${atS}`, server.url, '1+1');
    expect(scalar).toEqual([atS, '2']);
  });

  it('prints the bad expression in Prometheus error format', async () => {
    await expect(run('promtool', ['query', 'instant', server.url, 'cost(spans'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/bad_data: invalid parameter "query"/),
    });
  });
});

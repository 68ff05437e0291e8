import type { SpanStatsResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCalls } from './support/llm-calls.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * The Prometheus query API end to end: LLM calls of two models sent by the OpenTelemetry SDK, then
 * read by `/api/v1/*` and by Debian's `promtool query`, and compared with `/api/stats/spans` over
 * the same range.
 */

let server: TestServer;
let key: string;
let otherKey: string;
let ingestKey: string;
/** The instant queried, in seconds: a minute after the last span, whose window `[1h]` holds them all. */
let atS: number;
let range: string;

const v1 = (path: string, k = key) => callJson<Record<string, unknown>>(server.url, 'GET', path, undefined, { key: k });

beforeAll(async () => {
  server = await startTestServer();
  const root = await makeKey(server.url, '*', 'admin');
  ingestKey = await makeKey(server.url, 'shop', 'ingest', root);
  key = await makeKey(server.url, 'shop', 'read', root);
  otherKey = await makeKey(server.url, 'other', 'read', root);
  const nowMs = Date.now();
  await sendCalls(server.url, ingestKey, 'gpt-4o', 12, (i) => 200 + i * 10, nowMs - 60_000);
  await sendCalls(server.url, ingestKey, 'gpt-4o-mini', 8, (i) => 50 + i, nowMs - 50_000);
  atS = Math.ceil(nowMs / 1000) + 60;
  range = `from=${(atS - 3600) * 1000 + 1}&to=${atS * 1000 + 1}`;
  await until('the 20 calls stored', async () => {
    const { body } = await callJson<SpanStatsResponse>(server.url, 'GET', `/api/stats/spans?groupBy=model&${range}`, undefined, { key });
    return body.groups.reduce((n, g) => n + g.count, 0) === 20 ? true : undefined;
  });
});

afterAll(async () => {
  await server?.stop();
});

describe('the Prometheus HTTP API', () => {
  it('answers an instant query as a vector, field by field, with the cost per model of /api/stats/spans', async () => {
    const q = encodeURIComponent('cost(spans)[1h] by (model)');
    const { status, body } = await v1(`/api/v1/query?query=${q}&time=${atS}`);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['data', 'status']);
    expect(body.status).toBe('success');
    const data = body.data as { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    expect(Object.keys(data).sort()).toEqual(['result', 'resultType']);
    expect(data.resultType).toBe('vector');
    const stats = await callJson<SpanStatsResponse>(server.url, 'GET', `/api/stats/spans?groupBy=model&${range}`, undefined, { key });
    const expected = new Map(stats.body.groups.map((g) => [g.key, g.costUsd]));
    expect(data.result).toHaveLength(2);
    for (const sample of data.result) {
      expect(Object.keys(sample).sort()).toEqual(['metric', 'value']);
      expect(sample.value[0]).toBe(atS);
      expect(typeof sample.value[1]).toBe('string');
      expect(Number(sample.value[1])).toBeCloseTo(expected.get(sample.metric.model!)!, 12);
      expect(Number(sample.value[1])).toBeGreaterThan(0);
    }
  });

  it('takes a form post as Grafana sends it, and filters by a comparison', async () => {
    const answer = await callJson<{ data: { result: Array<{ metric: Record<string, string> }> } }>(server.url, 'POST', '/api/v1/query', undefined, {
      key,
      raw: `query=${encodeURIComponent('count(spans)[1h] by (model) > 10')}&time=${atS}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data.result.map((s) => s.metric)).toEqual([{ model: 'gpt-4o' }]);
  });

  it('answers Grafana\'s "Save & test" (a form post of `1+1`) as Prometheus does: a scalar', async () => {
    const answer = await callJson<Record<string, unknown>>(server.url, 'POST', '/api/v1/query', undefined, {
      key,
      raw: `query=${encodeURIComponent('1+1')}&time=${atS}.5`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'success', data: { resultType: 'scalar', result: [atS + 0.5, '2'] } });
    const range = await v1(`/api/v1/query_range?query=${encodeURIComponent('2 ^ 3')}&start=${atS - 60}&end=${atS}&step=30`);
    expect(range.body.data).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [atS - 60, '8'],
            [atS - 30, '8'],
            [atS, '8'],
          ],
        },
      ],
    });
  });

  it('answers a range query as a matrix with points at start + k·step', async () => {
    const q = encodeURIComponent('count(spans)[1h] by (model)');
    const { status, body } = await v1(`/api/v1/query_range?query=${q}&start=${atS - 120}&end=${atS}&step=60s`);
    expect(status).toBe(200);
    const data = body.data as { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    expect(data.resultType).toBe('matrix');
    const byModel = new Map(data.result.map((s) => [s.metric.model, s.values]));
    expect(byModel.get('gpt-4o')?.at(-1)).toEqual([atS, '12']);
    expect(byModel.get('gpt-4o-mini')?.at(-1)).toEqual([atS, '8']);
    expect(byModel.get('gpt-4o')!.map(([t]) => t)).toEqual([atS - 120, atS - 60, atS].slice(-byModel.get('gpt-4o')!.length));
  });

  it('answers errors in Prometheus format: a bad expression, a bad time, too many points', async () => {
    const bad = await v1(`/api/v1/query?query=${encodeURIComponent('cost(spans')}`);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['error', 'errorType', 'status']);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(bad.body.error).toMatch(/invalid parameter "query"/);
    const badTime = await v1(`/api/v1/query?query=${encodeURIComponent('count(spans)[1h]')}&time=yesterday`);
    expect(badTime.status).toBe(400);
    expect(badTime.body).toEqual({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "time": cannot parse "yesterday" to a valid timestamp' });
    const many = await v1(`/api/v1/query_range?query=${encodeURIComponent('count(spans)[1h]')}&start=0&end=11000&step=1`);
    expect(many.status).toBe(400);
    expect(many.body.error).toMatch(/exceeded maximum resolution of 11000 points per timeseries/);
  });

  it('lists labels, label values and series', async () => {
    const labels = await v1('/api/v1/labels');
    expect(labels.body.status).toBe('success');
    expect(labels.body.data).toEqual(expect.arrayContaining(['__name__', 'model', 'service']));
    const values = await v1(`/api/v1/label/model/values?start=${atS - 3600}&end=${atS}`);
    expect(values.body).toEqual({ status: 'success', data: ['gpt-4o', 'gpt-4o-mini'] });
    // A span attribute's key, as a dashboard's picker of a release or an environment asks for it.
    const attribute = await v1(`/api/v1/label/gen_ai.operation.name/values?start=${atS - 3600}&end=${atS}`);
    expect(attribute.body).toEqual({ status: 'success', data: ['chat'] });
    expect((await v1(`/api/v1/label/no_such_label/values?start=${atS - 3600}&end=${atS}`)).body).toEqual({ status: 'success', data: [] });
    const series = await v1(`/api/v1/series?match[]=${encodeURIComponent('count(spans)[1h] by (service, model)')}&end=${atS}`);
    expect(series.body.status).toBe('success');
    expect(new Set(series.body.data as unknown[])).toEqual(
      new Set([
        { service: 'rag', model: 'gpt-4o' },
        { service: 'rag', model: 'gpt-4o-mini' },
      ]),
    );
  });

  it("shows another project's key nothing of this one", async () => {
    const { status, body } = await v1(`/api/v1/query?query=${encodeURIComponent('count(spans)[1h] by (model)')}&time=${atS}`, otherKey);
    expect(status).toBe(200);
    expect((body.data as { result: unknown[] }).result).toEqual([]);
    const values = await v1(`/api/v1/label/model/values?start=${atS - 3600}&end=${atS}`, otherKey);
    expect(values.body.data).toEqual([]);
  });
});

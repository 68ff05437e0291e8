import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertListResponse, ErrorGroupListResponse, SessionListResponse, TraceListResponse, TraceTree } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/cli/demo.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { metricsBody } from './support/json-fixtures.js';
import { type TestServer, getJson, startTestServer } from './support/server.js';
import { eventually } from './support/trace-bodies.js';
import { HANG_MS, until } from './support/wait.js';

/**
 * The same data sent to a Spoor on DuckDB and a Spoor on ClickHouse: every API answer must be
 * the same, field by field (numbers to 1e-9 relative: sums in another order differ in the last
 * bits). The data is the demo's 40 runs (two services, LLM calls with tokens and costs, sessions
 * and users, failures with exceptions, correlated logs) and app metrics of each kind.
 */

let endpoint: ClickHouseEndpoint;
let duck: TestServer;
let click: TestServer;
let fanOut: Server;
let fanOutUrl: string;
const RUNS = 40;

/** Sends each OTLP request to both servers; answers as they both did. */
function startFanOut(targets: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-encoding']) if (typeof request.headers[name] === 'string') headers[name] = request.headers[name];
      Promise.all(
        targets.map((target) => fetch(`${target}${request.url}`, { method: request.method, headers, body: request.method === 'GET' ? undefined : body })),
      )
        .then(async (answers) => {
          const statuses = answers.map((a) => a.status);
          const text = await answers[0]!.arrayBuffer();
          response.writeHead(statuses.every((s) => s === statuses[0]) ? statuses[0]! : 502, {
            'content-type': answers[0]!.headers.get('content-type') ?? 'application/octet-stream',
          });
          response.end(Buffer.from(text));
        })
        .catch((error: unknown) => {
          response.writeHead(502);
          response.end(String(error));
        });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** App metrics of every type, at times around the demo's. */
function appMetrics(startMs: number): Uint8Array {
  const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const attrs = (route: string) => [{ key: 'route', value: { stringValue: route } }];
  const points = (make: (i: number) => Record<string, unknown>) => Array.from({ length: 6 }, (_, i) => make(i));
  return metricsBody([
    {
      name: 'queue.depth',
      unit: '1',
      gauge: { dataPoints: points((i) => ({ timeUnixNano: ns(startMs - 600_000 + i * 60_000), asDouble: 3 + i, attributes: attrs('/ask') })) },
    },
    {
      name: 'requests',
      unit: '1',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: points((i) => ({
          startTimeUnixNano: ns(startMs - 700_000),
          timeUnixNano: ns(startMs - 600_000 + i * 60_000),
          asInt: String(10 * (i + 1)),
          attributes: attrs(i % 2 ? '/ask' : '/search'),
        })),
      },
    },
    {
      name: 'latency',
      unit: 'ms',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: points((i) => ({
          startTimeUnixNano: ns(startMs - 700_000),
          timeUnixNano: ns(startMs - 600_000 + i * 60_000),
          count: String(4 + i),
          sum: 100 + i,
          bucketCounts: ['1', String(2 + i), '1'],
          explicitBounds: [10, 50],
          attributes: attrs('/ask'),
        })),
      },
    },
  ]);
}

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
  duck = await startTestServer({ alertInterval: '1s' });
  click = await startTestServer({ store: 'clickhouse', clickhouseUrl: `${endpoint.url}/parity`, alertInterval: '1s' });
  fanOut = await startFanOut([duck.url, click.url]);
  fanOutUrl = `http://127.0.0.1:${(fanOut.address() as AddressInfo).port}`;
  const startMs = Date.now() - 60_000;
  await runDemo({ endpoint: fanOutUrl, runs: RUNS, startMs });
  const sent = await fetch(`${fanOutUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: appMetrics(startMs) });
  expect(sent.status).toBe(200);
  // Both have committed everything once both list every run.
  for (const server of [duck, click]) {
    await until(
      `${server.url} to list ${RUNS} traces`,
      async () => ((await getJson<TraceListResponse>(server.url, '/api/traces?limit=100')).body.traces?.length === RUNS ? true : undefined),
      HANG_MS,
    );
  }
}, 2 * HANG_MS);

afterAll(async () => {
  fanOut?.closeAllConnections();
  await new Promise((resolve) => fanOut?.close(resolve));
  await click?.stop();
  await duck?.stop();
  await endpoint?.close();
});

/**
 * Where two answers differ: paths into the JSON, with both values. A log's id is left out: each
 * server names the logs it receives (with a prefix of its own), so the two name them differently.
 */
function differences(a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b && Math.abs(a - b) > 1e-9 * Math.max(Math.abs(a), Math.abs(b))) out.push(`${path}: ${a} != ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: ${a.length} items != ${b.length} items`);
    a.slice(0, b.length).forEach((item, i) => differences(item, b[i], `${path}[${i}]`, out));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (key !== 'logId') differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`, out);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  return out;
}

/**
 * What of an answer must be the same: the waterfall's columns are "in any order" (so they are
 * compared as rows sorted by span id), and a realtime answer's time and a log page's cursor (a log
 * id) are each server's own.
 */
function comparable(path: string, body: unknown): unknown {
  if (body === null || typeof body !== 'object') return body;
  const copy = { ...(body as Record<string, unknown>) };
  if (path.endsWith('/tree')) {
    const tree = copy as unknown as TraceTree;
    const rows = tree.spanIds.map((spanId, i) => ({
      spanId,
      parentSpanId: tree.parentSpanIds[i],
      name: tree.names[i],
      service: tree.services[tree.serviceIndexes[i]!],
      startOffsetUs: tree.startOffsetsUs[i],
      durationUs: tree.durationsUs[i],
      statusCode: tree.statusCodes[i],
      category: tree.categories[i],
    }));
    return { traceId: tree.traceId, startTime: tree.startTime, logs: tree.logs, rows: rows.sort((a, b) => a.spanId.localeCompare(b.spanId)) };
  }
  if (path.startsWith('/api/metrics/realtime')) delete copy.at;
  if (path.startsWith('/api/logs')) delete copy.nextCursor;
  return copy;
}

/** Both servers' answers to a GET, which must be a 200 with the same JSON. */
async function expectSame(path: string): Promise<unknown> {
  const [d, c] = await Promise.all([getJson(duck.url, path), getJson(click.url, path)]);
  expect({ path, status: c.status, body: c.status === 200 ? undefined : c.body }).toEqual({
    path,
    status: d.status,
    body: d.status === 200 ? undefined : d.body,
  });
  expect(d.status, `${path} answered ${d.status}`).toBe(200);
  expect(differences(comparable(path, d.body), comparable(path, c.body)), path).toEqual([]);
  return d.body;
}

// Limits for a hang, not speed checks: the detail of every trace is 320 reads, 60 s at a load of 19 on two cores.
describe('the same data on DuckDB and on ClickHouse', { timeout: 4 * HANG_MS }, () => {
  it('lists the same traces, filtered the same ways', async () => {
    const { traces } = (await expectSame('/api/traces?limit=100')) as TraceListResponse;
    expect(traces).toHaveLength(RUNS);
    for (const query of [
      'status=error',
      'service=retrieval-service',
      'name=workflow%20answer-question',
      'minDurationMs=5000',
      'limit=7',
      `sessionId=${traces[0]!.sessionId}`,
      'text=search',
    ]) {
      await expectSame(`/api/traces?${query}`);
    }
    // The second page, through the cursor.
    const first = (await getJson<TraceListResponse>(duck.url, '/api/traces?limit=15')).body;
    await expectSame(`/api/traces?limit=15&cursor=${encodeURIComponent(first.nextCursor!)}`);
  });

  it('gives the same trace detail, tree, critical path, in-trace search and diff for every trace', async () => {
    const { traces } = (await getJson<TraceListResponse>(duck.url, '/api/traces?limit=100')).body;
    for (const { traceId } of traces) {
      await expectSame(`/api/traces/${traceId}`);
      await expectSame(`/api/traces/${traceId}/tree`);
      await expectSame(`/api/traces/${traceId}/critical-path`);
      await expectSame(`/api/traces/${traceId}/search?q=gpt`);
    }
    await expectSame(`/api/traces/${traces[0]!.traceId}/diff/${traces[1]!.traceId}`);
  });

  it('computes the same span statistics, time series, realtime numbers and comparisons', async () => {
    for (const groupBy of ['name', 'service', 'model', 'provider', 'kind', 'category', 'operation', 'session', 'attr:gen_ai.system', 'attr:service.version']) {
      await expectSame(`/api/stats/spans?groupBy=${encodeURIComponent(groupBy)}`);
    }
    await expectSame('/api/stats/spans?groupBy=name&status=error');
    await expectSame('/api/stats/spans?groupBy=model&category=llm');
    for (const metric of ['count', 'errors', 'error_rate', 'p50', 'p95', 'p99', 'avg', 'tokens', 'cost']) {
      await expectSame(`/api/stats/timeseries?metric=${metric}&step=5m`);
      await expectSame(`/api/stats/timeseries?metric=${metric}&step=10m&groupBy=service`);
    }
    await expectSame('/api/metrics/realtime');
    await expectSame('/api/stats/compare?by=attr:service.version&a=1.4.0&b=0.9.2');
    await expectSame('/api/services');
  });

  it('lists the same sessions, error groups and logs', async () => {
    const { sessions } = (await expectSame('/api/sessions')) as SessionListResponse;
    expect(sessions.length).toBeGreaterThan(1);
    // An explicit range: the default one ends at each request's own now.
    const range = `from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}&to=${encodeURIComponent(new Date().toISOString())}`;
    for (const { sessionId } of sessions) await expectSame(`/api/sessions/${encodeURIComponent(sessionId)}?${range}`);
    for (const sort of ['lastSeen', 'firstSeen', 'count']) {
      const { groups } = (await expectSame(`/api/errors?sort=${sort}`)) as ErrorGroupListResponse;
      expect(groups.length).toBeGreaterThan(0);
      for (const { fingerprint } of groups) await expectSame(`/api/errors/${fingerprint}`);
    }
    await expectSame('/api/logs?limit=200');
    await expectSame('/api/logs?severity=error');
    await expectSame('/api/logs?text=search&service=research-agent');
  });

  it('reads the same app metrics', async () => {
    await expectSame('/api/metrics');
    for (const name of ['queue.depth', 'requests', 'latency']) await expectSame(`/api/metrics/points?name=${name}`);
    await expectSame('/api/metrics/series?name=requests&fn=rate&step=1m');
    await expectSame('/api/metrics/series?name=queue.depth&fn=avg&step=2m&groupBy=route');
    await expectSame('/api/metrics/series?name=latency&fn=p95&step=1m');
  });

  it('evaluates alert rules over spans, durations, logs and errors to the same values', async () => {
    // Windows of 2 h hold all the data on both, whenever each server evaluates.
    const rules = {
      spans: 'count(spans)[2h] by (service) >= 0',
      slow: 'p95(duration_ms{service="research-agent"})[2h] by (name) >= 0',
      failing: 'error_rate(spans)[2h] by (service) >= 0',
      spend: 'cost(spans{name=~"chat.*"})[2h] by (model) >= 0',
      tokens: 'tokens(spans)[2h] by (service, model) >= 0',
      // Not `by (severity)`: the rule's own `severity` label would hide it (every group reads 'warning').
      logs: 'count(logs)[2h] by (service) >= 0',
      errors: 'count(errors)[2h] by (fingerprint) >= 0',
      versions: 'count(spans{service.version!="0"})[2h] by (service.version) >= 0',
    };
    for (const server of [duck, click]) {
      for (const [name, expr] of Object.entries(rules)) {
        const created = await fetch(`${server.url}/api/alerts/rules`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name, expr }),
        });
        expect(created.status, await created.text()).toBe(201);
      }
    }
    const answers = async (server: TestServer) => {
      const { alerts } = (await getJson<AlertListResponse>(server.url, '/api/alerts?state=pending&state=firing')).body;
      // Only this test's rules: a new project's default rules (error rate over 5 m, ...) depend on when each server evaluates.
      return alerts.filter(({ rule }) => rule in rules).map(({ rule, labels, value, state }) => ({ rule, labels, value, state }));
    };
    const evaluated = (list: Awaited<ReturnType<typeof answers>>) => new Set(list.map((a) => a.rule)).size === Object.keys(rules).length;
    // Every rule has been evaluated on both once both list an alert for each.
    const [d, c] = await eventually(
      'every rule to be evaluated on both',
      async () => [await answers(duck), await answers(click)] as const,
      ([d, c]) => evaluated(d) && evaluated(c),
      HANG_MS,
    );
    expect(d.length).toBeGreaterThan(8);
    expect(differences(d, c)).toEqual([]);
  });
});

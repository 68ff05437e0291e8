import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { answerOf, callTool } from './support/mcp.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';

/**
 * "The slowest (costliest, most tokens) run of the last hour" is one call of `search_traces`, on
 * each store: `last` for the range up to now, `sort` for the order, and its cursor pages on in
 * that order. Runs of the last hour differ in duration, cost and tokens, each order another; a run
 * of two hours ago beats them all and must not be found.
 */

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
const dbl = (key: string, value: number) => ({ key, value: { doubleValue: value } });

interface Run {
  id: string;
  minutesAgo: number;
  durationMs: number;
  tokens: number;
  costUsd: number | null;
}

const RUNS: Run[] = [
  { id: 'a', minutesAgo: 50, durationMs: 300, tokens: 1_000, costUsd: 0.5 },
  { id: 'b', minutesAgo: 40, durationMs: 900, tokens: 50, costUsd: 0.01 },
  { id: 'c', minutesAgo: 30, durationMs: 600, tokens: 5_000, costUsd: null },
  { id: 'd', minutesAgo: 20, durationMs: 100, tokens: 10, costUsd: 2 },
  { id: 'e', minutesAgo: 10, durationMs: 200, tokens: 700, costUsd: 0.2 },
  { id: 'old', minutesAgo: 120, durationMs: 50_000, tokens: 99_999, costUsd: 10 },
];
const traceIdOf = (run: Run): string => `${run.id === 'old' ? 'f' : run.id}`.repeat(32);

function runsBody(nowMs: number): object {
  const spans = RUNS.map((run) => {
    const startNs = BigInt(nowMs - run.minutesAgo * 60_000) * 1_000_000n;
    return {
      traceId: traceIdOf(run),
      spanId: '00000000000000a1',
      name: `run ${run.id}`,
      kind: 3,
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + BigInt(run.durationMs) * 1_000_000n),
      attributes: [
        str('gen_ai.operation.name', 'chat'),
        str('gen_ai.request.model', 'house-model'),
        int('gen_ai.usage.input_tokens', run.tokens),
        int('gen_ai.usage.output_tokens', 0),
        ...(run.costUsd === null ? [] : [dbl('gen_ai.usage.cost', run.costUsd)]),
      ],
    };
  });
  return { resourceSpans: [{ resource: { attributes: [str('service.name', 'sorted')] }, scopeSpans: [{ scope: { name: 'sort-test' }, spans }] }] };
}

/** The runs of the last hour, greatest first by `key` (ties: none), their trace ids. */
const ordered = (key: (run: Run) => number): string[] =>
  RUNS.filter((run) => run.minutesAgo < 60)
    .sort((a, b) => key(b) - key(a))
    .map(traceIdOf);

describe.each(['duckdb', 'clickhouse'] as const)('search_traces sorted, on %s', (store) => {
  let endpoint: ClickHouseEndpoint | null = null;
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    endpoint = store === 'clickhouse' ? await startClickHouseEndpoint() : null;
    server = await startTestServer(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/sorted` });
    const sent = await callJson(server.url, 'POST', '/v1/traces', runsBody(Date.now()));
    expect(sent.status).toBe(200);
    // Every run is read back before the tools are asked.
    for (;;) {
      const listed = await callJson<{ traces: unknown[] }>(server.url, 'GET', '/api/traces');
      if (listed.body.traces.length === RUNS.length) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    client = new Client({ name: 'spoor-sort', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await server?.stop();
    await endpoint?.close();
  });

  it('finds the slowest run of the last hour in one call', async () => {
    const answer = await answerOf(client, 'search_traces', { last: '1h', sort: 'duration', limit: 1 });
    expect(answer.traces.map((t: { traceId: string }) => t.traceId)).toEqual([traceIdOf(RUNS[1]!)]);
    expect(answer.traces[0]).toMatchObject({ rootName: 'run b', durationMs: 900 });
  });

  it.each([
    { sort: 'duration', key: (run: Run) => run.durationMs },
    { sort: 'cost', key: (run: Run) => run.costUsd ?? -1 },
    { sort: 'tokens', key: (run: Run) => run.tokens },
    { sort: 'start', key: (run: Run) => -run.minutesAgo },
  ])('pages the last hour by $sort, greatest first, one run a page by its cursor', async ({ sort, key }) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await answerOf(client, 'search_traces', { last: '1h', sort, limit: 1, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.traces.map((t: { traceId: string }) => t.traceId));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor as string;
    }
    expect(seen).toEqual(ordered(key));
  });

  it("refuses one order's cursor in another, and last with from", async () => {
    const page = await answerOf(client, 'search_traces', { last: '1h', sort: 'cost', limit: 1 });
    const other = await callTool(client, 'search_traces', { last: '1h', sort: 'duration', cursor: page.nextCursor });
    expect(other).toMatchObject({
      isError: true,
      text: "'cursor' pages the list with sort=cost: ask with that sort, or without a cursor (400 ERR_INVALID_PARAMETER)",
    });
    const both = await callTool(client, 'search_traces', { last: '1h', from: '2026-01-01' });
    expect(both.text).toMatch(/^give 'from' or 'last', not both/);
    const bad = await callTool(client, 'search_traces', { last: 'an hour' });
    expect(bad.text).toBe("'last' must be a duration such as 30m, 1h or 7d, not 'an hour' (400 ERR_INVALID_PARAMETER)");
    const rest = await callJson<{ error: { message: string } }>(server.url, 'GET', '/api/traces?sort=slowest');
    expect(rest.status).toBe(400);
    expect(rest.body.error.message).toMatch(/^'sort' must be one of start, duration, cost, tokens/);
  });
});

import type { Dashboard, DashboardDocument, DashboardSummary } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_DASHBOARDS } from '../src/dashboards/ready.js';
import { runEverything } from '../src/cli/demo.js';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * Dashboards through `/api/dashboards` on a running server, on DuckDB and on ClickHouse: the
 * ready ones listed, a dashboard of three expressions with a variable saved, versioned, refused
 * when stale, exported, deleted and imported the same; bad documents refused naming the path;
 * keys and projects as every route. Then the ready dashboards' panels read on `spoor demo`'s data
 * through `/api/v1/query_range`, as the page reads them: none empty.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of many answer shapes
type Answer = Record<string, any>;

const COSTS: DashboardDocument = {
  name: 'costs',
  title: 'Costs by model',
  variables: [{ name: 'service', label: 'service', default: '' }],
  panels: [
    {
      id: 'cost',
      title: 'Cost per model',
      kind: 'timeseries',
      grid: { x: 0, y: 0, w: 6, h: 4 },
      queries: [{ expr: 'cost(spans{service=~"$service"})[$__interval] by (model)', legend: '{{model}}' }],
      unit: 'usd',
    },
    { id: 'calls', title: 'Calls', kind: 'stat', grid: { x: 6, y: 0, w: 3, h: 2 }, queries: [{ expr: 'count(spans{service=~"$service"})[1d]' }] },
    {
      id: 'p95',
      title: 'p95 by name',
      kind: 'bars',
      grid: { x: 9, y: 0, w: 3, h: 2 },
      queries: [{ expr: 'p95(duration_ms{service=~"$service"})[1d] by (name)' }],
    },
  ],
};

/** A document as exported: the GET's answer without what the server adds. */
function exported(dashboard: Dashboard): DashboardDocument {
  const { version: _v, ready: _r, updatedAt: _u, updatedBy: _b, ...doc } = dashboard;
  return doc;
}

describe.each(['duckdb', 'clickhouse'] as const)('dashboards on a running server (%s store)', (storeName) => {
  let server: TestServer;
  let endpoint: ClickHouseEndpoint | null;
  let admin: string;
  let reader: string;
  let other: string;
  const call = (method: string, path: string, body?: unknown, key = admin) => callJson<Answer>(server.url, method, path, body, { key });

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    const store = endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/dashboards` };
    server = await startTestServer(store);
    const root = await makeKey(server.url, '*', 'admin');
    admin = await makeKey(server.url, 'shop', 'admin', root);
    reader = await makeKey(server.url, 'shop', 'read', root);
    other = await makeKey(server.url, 'other', 'admin', root);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  it('lists the three ready dashboards, each readable as version 0', async () => {
    const list = (await call('GET', '/api/dashboards', undefined, reader)).body.dashboards as DashboardSummary[];
    expect(list.filter((d) => d.ready).map((d) => d.name)).toEqual([...READY_DASHBOARDS.keys()].sort());
    const ready = await call('GET', '/api/dashboards/llm-cost', undefined, reader);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ name: 'llm-cost', version: 0, ready: true });
    expect(exported(ready.body as Dashboard)).toEqual(READY_DASHBOARDS.get('llm-cost'));
  });

  it('saves versions, refuses a stale save (409), exports, deletes and imports the same', async () => {
    const first = await call('PUT', '/api/dashboards/costs?expectedVersion=0', COSTS);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, ready: false, updatedBy: expect.any(String) });
    const renamed = { ...COSTS, title: 'Costs, by model' };
    expect((await call('PUT', '/api/dashboards/costs?expectedVersion=1', renamed)).body.version).toBe(2);
    const stale = await call('PUT', '/api/dashboards/costs?expectedVersion=1', { ...COSTS, title: 'lost?' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('version 2');
    expect((await call('GET', '/api/dashboards/costs/versions')).body.versions.map((v: Answer) => v.version)).toEqual([2, 1]);
    expect((await call('GET', '/api/dashboards/costs?version=1')).body.title).toBe('Costs by model');

    const saved = (await call('GET', '/api/dashboards/costs', undefined, reader)).body as Dashboard;
    expect(saved.title).toBe('Costs, by model');
    const file = JSON.parse(JSON.stringify(exported(saved))) as DashboardDocument;
    expect(file).toEqual(renamed);
    expect((await call('DELETE', '/api/dashboards/costs')).status).toBe(204);
    expect((await call('GET', '/api/dashboards/costs')).status).toBe(404);
    const imported = await call('PUT', '/api/dashboards/costs', file);
    expect(imported.body).toMatchObject({ version: 1, title: 'Costs, by model' });
    expect(exported(imported.body as Dashboard)).toEqual(renamed);
  });

  it('refuses bad documents with a 400 naming the path, the parser saying what it expected', async () => {
    const broken = { ...COSTS, name: 'broken', panels: [{ ...COSTS.panels[0]!, queries: [{ expr: 'cost(spans{service=~"$service"})[5m' }] }] };
    const refused = await call('PUT', '/api/dashboards/broken', broken);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^panels\[0\]\.queries\[0\]\.expr: .*column/);
    const unknownVariable = { ...COSTS, name: 'broken', variables: [] };
    expect((await call('PUT', '/api/dashboards/broken', unknownVariable)).body.error.message).toContain('$service is not a variable');
    expect((await call('PUT', '/api/dashboards/Bad%20Name', COSTS)).status).toBe(400);
    expect((await call('GET', '/api/dashboards/broken')).status).toBe(404);
  });

  it('previews a panel: variables escaped and filled, $__interval the step, a bad expression a 400 naming it', async () => {
    const endS = Math.ceil(Date.now() / 1000);
    const body = {
      queries: [{ expr: 'count(spans{service=~"$service"})[$__interval]', legend: 'calls' }],
      variables: { service: 'a.b' },
      start: endS - 7200,
      end: endS,
      step: 600,
    };
    const ok = await call('POST', '/api/dashboards/preview', body, reader);
    expect(ok.status).toBe(200);
    expect(ok.body.queries).toMatchObject([{ expr: 'count(spans{service=~"a\\\\.b"})[600s]', legend: 'calls' }]);
    const points = (ok.body.queries[0].result as Array<{ values: Array<[number, string]> }>).flatMap((r) => r.values);
    expect(points.length).toBe(13);
    expect(points.every(([, v]) => v === '0')).toBe(true);
    const all = await call('POST', '/api/dashboards/preview', { ...body, variables: { service: '' } }, reader);
    expect(all.body.queries[0].expr).toBe('count(spans{service=~".*"})[600s]');
    const bad = await call('POST', '/api/dashboards/preview', { ...body, queries: [body.queries[0], { expr: 'cost(spans)[5m' }] }, reader);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^queries\[1\]\.expr: .*column/);
    const unknown = await call('POST', '/api/dashboards/preview', { ...body, variables: {} }, reader);
    expect(unknown.body.error.message).toContain('$service is not a variable');
    expect((await call('POST', '/api/dashboards/preview', { ...body, step: 0 }, reader)).body.error.message).toMatch(/^step:/);
    expect((await call('POST', '/api/dashboards/preview', { ...body, extra: 1 }, reader)).body.error.message).toMatch(/^extra: not a field/);
  });

  it('lets read keys read and admin keys write; another project sees none of it', async () => {
    expect((await call('PUT', '/api/dashboards/mine', { ...COSTS, name: 'mine' }, reader)).status).toBe(403);
    expect((await call('PUT', '/api/dashboards/mine', { ...COSTS, name: 'mine' })).status).toBe(200);
    expect((await call('GET', '/api/dashboards/mine', undefined, other)).status).toBe(404);
    const theirs = (await call('GET', '/api/dashboards', undefined, other)).body.dashboards as DashboardSummary[];
    expect(theirs.every((d) => d.ready)).toBe(true);
    expect((await call('DELETE', '/api/dashboards/llm-cost')).status).toBe(409);
  });
});

describe("the ready dashboards on spoor demo's data", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await runEverything({ endpoint: server.url, say: () => {} });
    await until('the demo stored, scored and judged', async () => {
      const { body } = await callJson<Answer>(server.url, 'GET', '/api/v1/query?query=' + encodeURIComponent('count(score{source="evaluator"})[5d]'));
      return Number(body.data?.result?.[0]?.value?.[1] ?? 0) > 0 ? true : undefined;
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('reads every panel of each, with All picked, as series with points', async () => {
    const endS = Math.ceil(Date.now() / 1000);
    const empty: string[] = [];
    for (const dashboard of READY_DASHBOARDS.values()) {
      const all = Object.fromEntries(dashboard.variables.map((v) => [v.name, '.*']));
      for (const panel of dashboard.panels) {
        for (const query of panel.queries) {
          const expr = query.expr.replace(/\$(\w+)/g, (_, name: string) => (name === '__interval' ? '1h' : all[name]!));
          const path = `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${endS - 5 * 86_400}&end=${endS}&step=3600`;
          const { status, body } = await callJson<Answer>(server.url, 'GET', path);
          expect(status, `${dashboard.name}/${panel.id}: ${expr}`).toBe(200);
          const points = (body.data.result as Array<{ values: unknown[] }>).reduce((n, s) => n + s.values.length, 0);
          if (points === 0) empty.push(`${dashboard.name}/${panel.id}: ${expr}`);
        }
      }
    }
    expect(empty).toEqual([]);
  }, 120_000);

  it('previews a panel with the same series query_range gives for its filled expression', async () => {
    const endS = Math.ceil(Date.now() / 1000);
    const range = { start: endS - 5 * 86_400, end: endS, step: 3600 };
    const preview = await callJson<Answer>(server.url, 'POST', '/api/dashboards/preview', {
      queries: [{ expr: 'cost(spans{service=~"$service"})[$__interval] by (model)' }, { expr: 'count(spans)[1d]' }],
      variables: { service: '' },
      ...range,
    });
    expect(preview.status).toBe(200);
    for (const q of preview.body.queries as Answer[]) {
      const path = `/api/v1/query_range?query=${encodeURIComponent(q.expr)}&start=${range.start}&end=${range.end}&step=${range.step}`;
      const direct = await callJson<Answer>(server.url, 'GET', path);
      expect(q.result.length).toBeGreaterThan(0);
      // The same series and instants; a sum's last digits depend on the order the store adds in.
      const shape = (series: Answer[]) => series.map((r) => ({ metric: r.metric, at: r.values.map((v: [number, string]) => v[0]) }));
      expect(shape(q.result)).toEqual(shape(direct.body.data.result));
      const values = (series: Answer[]) => series.flatMap((r) => r.values.map((v: [number, string]) => Number(v[1])));
      const theirs = values(direct.body.data.result);
      values(q.result).forEach((v, i) => expect(v).toBeCloseTo(theirs[i]!, 9));
    }
  });
});

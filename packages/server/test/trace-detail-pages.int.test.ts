import type { LogRecord, Score, TraceDetail, TraceDetailPage } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type ApiAnswer, callJson, makeKey, startTestServer, type TestServer } from './support/server.js';
import { eventually, traceBody } from './support/trace-bodies.js';

/**
 * `GET /api/traces/:id?spans=OFFSET,LIMIT` on a running server, on DuckDB and on ClickHouse: the
 * pages of a trace, concatenated, are its unpaged answer (spans in the same tree order, logs and
 * scores once each), bad `spans=` values are refused naming the parameter, and a trace too big for
 * one answer is refused with the way to page it.
 */
const TRACE = '7a0f00000000000000000000000000a1';
const BIG = '7a0f00000000000000000000000000b2';
const sid = (n: number): string => n.toString(16).padStart(16, '0');
const nanos = (us: number): string => `${us}000`;

describe.each(['duckdb', 'clickhouse'] as const)('trace detail pages (%s store)', (storeName) => {
  let endpoint: ClickHouseEndpoint | null = null;
  let server: TestServer;
  let key: string;
  let readKey: string;
  let otherKey: string;
  const startUs = (Date.now() - 600_000) * 1000;

  const call = <T>(path: string, as = readKey): Promise<ApiAnswer<T>> => callJson<T>(server.url, 'GET', path, undefined, { key: as });
  const post = async (path: string, body: unknown): Promise<void> => {
    const answer = await callJson(server.url, 'POST', path, body, { key });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  };

  /** A root, 6 children of 15 grandchildren each, and an orphan: 98 spans. */
  function spans(): unknown[] {
    const out: unknown[] = [
      { traceId: TRACE, spanId: sid(1), name: 'root', kind: 1, startTimeUnixNano: nanos(startUs), endTimeUnixNano: nanos(startUs + 900_000) },
    ];
    let n = 2;
    for (let c = 0; c < 6; c++) {
      const child = n++;
      // Children start in reverse of their ids, so tree order is not id order.
      out.push({
        traceId: TRACE,
        spanId: sid(child),
        parentSpanId: sid(1),
        name: `step ${c}`,
        kind: 1,
        startTimeUnixNano: nanos(startUs + (6 - c) * 1000),
        endTimeUnixNano: nanos(startUs + 500_000),
      });
      for (let g = 0; g < 15; g++) {
        const at = startUs + (6 - c) * 1000 + 10 + (g % 4) * 7;
        out.push({
          traceId: TRACE,
          spanId: sid(n++),
          parentSpanId: sid(child),
          name: `tool ${g}`,
          kind: 3,
          startTimeUnixNano: nanos(at),
          endTimeUnixNano: nanos(at + 50 + g),
          attributes: [{ key: 'g', value: { intValue: String(g) } }],
        });
      }
    }
    out.push({
      traceId: TRACE,
      spanId: sid(500),
      parentSpanId: sid(999),
      name: 'orphan',
      kind: 1,
      startTimeUnixNano: nanos(startUs + 3),
      endTimeUnixNano: nanos(startUs + 9),
    });
    return out;
  }
  const resourceSpans = (list: unknown[]) => ({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pages' } }] }, scopeSpans: [{ spans: list }] }],
  });
  const logRecord = (spanId: string | null, us: number, text: string) => ({
    timeUnixNano: nanos(us),
    severityNumber: 9,
    traceId: TRACE,
    ...(spanId === null ? {} : { spanId }),
    body: { stringValue: text },
  });

  beforeAll(async () => {
    endpoint = storeName === 'clickhouse' ? await startClickHouseEndpoint() : null;
    server = await startTestServer(endpoint === null ? {} : { store: 'clickhouse', clickhouseUrl: `${endpoint.url}/pages` });
    const admin = await makeKey(server.url, '*', 'admin');
    key = await makeKey(server.url, 'default', 'ingest', admin);
    readKey = await makeKey(server.url, 'default', 'read', admin);
    otherKey = await makeKey(server.url, 'other', 'read', admin);
    await post('/v1/traces', resourceSpans(spans()));
    await post('/v1/logs', {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pages' } }] },
          scopeLogs: [
            {
              logRecords: [
                logRecord(sid(1), startUs + 1, 'on the root'),
                logRecord(sid(40), startUs + 2, 'on a tool'),
                logRecord(sid(97), startUs + 3, 'on the last tool'),
                logRecord(sid(500), startUs + 4, 'on the orphan'),
                logRecord(null, startUs + 5, 'on the trace'),
                logRecord(sid(999), startUs + 6, 'on a span the trace lacks'),
              ],
            },
          ],
        },
      ],
    });
    await post('/api/scores', { traceId: TRACE, name: 'overall', value: 0.5 });
    await post('/api/scores', { traceId: TRACE, spanId: sid(60), name: 'tool quality', value: 1 });
    await eventually(
      'the trace, its logs and scores',
      () => call<TraceDetail>(`/api/traces/${TRACE}`),
      (a) => a.status === 200 && a.body.spans.length === 98 && a.body.logs.length === 6 && a.body.scores.length === 2,
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await endpoint?.close();
  });

  const logKey = (l: LogRecord): string => `${l.time}/${l.logId}`;
  const scoreKey = (s: Score): string => s.scoreId;

  it.each([1, 7, 98, 10_000])('pages of %i spans concatenate to exactly the unpaged answer', async (limit) => {
    const whole = (await call<TraceDetail>(`/api/traces/${TRACE}`)).body;
    // Asked 8 at a time (98 pages of 1 span one after another took 4 s on DuckDB, 12 s on
    // ClickHouse); each page's nextSpans must name the next, and the last none.
    const count = Math.ceil(98 / limit);
    const paged: TraceDetailPage[] = [];
    for (let from = 0; from < count; from += 8) {
      const pages = Array.from({ length: Math.min(8, count - from) }, (_, i) =>
        call<TraceDetailPage>(`/api/traces/${TRACE}?spans=${(from + i) * limit},${limit}`),
      );
      for (const answer of await Promise.all(pages)) {
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        paged.push(answer.body);
      }
    }
    expect(paged.map((p) => p.nextSpans)).toEqual(paged.map((_, i) => (i === count - 1 ? null : `${(i + 1) * limit},${limit}`)));
    expect(paged.map((p) => p.offset)).toEqual(paged.map((_, i) => i * limit));
    expect(paged.every((p) => p.spanCount === 98 && p.traceId === TRACE)).toBe(true);
    expect(paged.flatMap((p) => p.spans)).toEqual(whole.spans);
    expect(paged.flatMap((p) => p.logs).sort((a, b) => logKey(a).localeCompare(logKey(b)))).toEqual(
      [...whole.logs].sort((a, b) => logKey(a).localeCompare(logKey(b))),
    );
    expect(paged.flatMap((p) => p.scores).sort((a, b) => scoreKey(a).localeCompare(scoreKey(b)))).toEqual(
      [...whole.scores].sort((a, b) => scoreKey(a).localeCompare(scoreKey(b))),
    );
  });

  it("carries each span's logs and scores on its own page, the trace's own on the first", async () => {
    const first = (await call<TraceDetailPage>(`/api/traces/${TRACE}?spans=0,1`)).body;
    expect(first.spans.map((s) => s.spanId)).toEqual([sid(1)]);
    expect(first.logs.map((l) => l.body).sort()).toEqual(['on a span the trace lacks', 'on the root', 'on the trace']);
    expect(first.scores.map((s) => s.name).sort()).toEqual(['overall']);
    const whole = (await call<TraceDetail>(`/api/traces/${TRACE}`)).body;
    const row = whole.spans.findIndex((s) => s.spanId === sid(60));
    const its = (await call<TraceDetailPage>(`/api/traces/${TRACE}?spans=${row},1`)).body;
    expect(its.spans.map((s) => [s.spanId, s.depth])).toEqual([[sid(60), 2]]);
    expect(its.scores.map((s) => s.name)).toEqual(['tool quality']);
    expect(its.nextSpans).toBe(`${row + 1},1`);
  });

  it('answers a page past the end with no spans, logs or scores, and no next page', async () => {
    for (const spans of ['98,5', '5000,10']) {
      const answer = await call<TraceDetailPage>(`/api/traces/${TRACE}?spans=${spans}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ traceId: TRACE, spanCount: 98, offset: Number(spans.split(',')[0]), nextSpans: null, spans: [], logs: [], scores: [] });
    }
    const last = await call<TraceDetailPage>(`/api/traces/${TRACE}?spans=95,5`);
    expect([last.body.spans.length, last.body.nextSpans]).toEqual([3, null]);
  });

  it.each(['', 'abc', '5', '0,0', '-1,5', '0,10001', '1,2,3', '0, 5', '01,5', '0,5&spans=5,5'])(
    'refuses spans=%s with 400 naming the parameter',
    async (spans) => {
      const answer = await call<{ error: { code: string; message: string } }>(`/api/traces/${TRACE}?spans=${spans}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('ERR_INVALID_PARAMETER');
      expect(answer.body.error.message).toContain('spans');
    },
  );

  it("answers another project's trace 404, paged or not", async () => {
    for (const path of [`/api/traces/${TRACE}?spans=0,10`, `/api/traces/${TRACE}`, `/api/traces/${TRACE}?spans=500,10`]) {
      const answer = await call<{ error: { code: string } }>(path, otherKey);
      expect([answer.status, answer.body.error.code]).toEqual([404, 'ERR_NOT_FOUND']);
    }
    expect((await call(`/api/traces/${'0'.repeat(31)}9?spans=0,10`)).status).toBe(404);
  });

  it('refuses the whole of a trace of more than 50,000 spans, naming spans=, and pages it', async () => {
    const body = JSON.parse(traceBody(BIG, 50_001, startUs / 1000)) as unknown;
    await post('/v1/traces', body);
    const answer = await eventually(
      'the big trace',
      () => call<{ error: { code: string; message: string } }>(`/api/traces/${BIG}`),
      (a) => a.status !== 404,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('ERR_TRACE_TOO_LARGE');
    expect(answer.body.error.message).toContain('?spans=0,10000');
    const last = await call<TraceDetailPage>(`/api/traces/${BIG}?spans=50000,10000`);
    expect(last.status).toBe(200);
    expect([last.body.spanCount, last.body.spans.length, last.body.spans[0]?.spanId, last.body.nextSpans]).toEqual([50_001, 1, sid(50_001), null]);
    // A full page: on ClickHouse an answer the endpoint streams in several pieces, read whole.
    const first = await call<TraceDetailPage>(`/api/traces/${BIG}?spans=0,10000`);
    expect(first.body.spans.map((s) => [s.spanId, s.name, s.serviceName, s.durationMs])).toEqual(
      Array.from({ length: 10_000 }, (_, i) => [sid(i + 1), i === 0 ? 'run' : `step ${i}`, 'agent', 5]),
    );
  }, 120_000);
});

import { createHash } from 'node:crypto';
import { TREE_MEDIA_TYPE, type TraceListResponse, type TraceSummary, TreeStreamDecoder, isoFromMicros } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * The test of tail sampling: 10,000 traces with 2% errors and 3% slow under `rate: 0.1`
 * (the default keep rules): every error and slow trace is kept whole, 10% ± 1.5% of the rest, and
 * span statistics equal those of the same traces sent to a project without a policy, to the row.
 * On both stores, one server each, the traces completed at once (`--trace-quiet 1s`).
 */

const TRACES = 10_000;
const PER_REQUEST = 2_500;
const idOf = (i: number): string => createHash('md5').update(`trace ${i}`).digest('hex');
/** Every 50th trace fails (2%); of the others, 3 in 100 have an LLM call over 30 s. */
const failing = (i: number): boolean => i % 50 === 0;
const slow = (i: number): boolean => !failing(i) && i % 100 >= 97;
const responseIdOf = (i: number): string => `chatcmpl-${i}`;
const callIdOf = (i: number): string => createHash('md5').update(`call ${i}`).digest('hex').slice(0, 16);

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
const ns = (us: number): string => `${BigInt(us) * 1000n}`;

/** The traces `from` to `to` as one OTLP/JSON body: a workflow, its step, and the step's LLM call with its messages; all ended by `endUs`. */
function body(from: number, to: number, endUs: number): string {
  const spans = [];
  for (let i = from; i < to; i++) {
    const traceId = idOf(i);
    const llmUs = slow(i) ? 35_000_000 : 800_000 + (i % 7) * 1000;
    const startUs = endUs - llmUs - 200_000 - (i % 13);
    const root = {
      traceId,
      spanId: traceId.slice(0, 16),
      name: 'answer',
      kind: 2,
      startTimeUnixNano: ns(startUs),
      endTimeUnixNano: ns(endUs),
      attributes: [str('spoor.kind', 'workflow'), str('session.id', `s-${i % 40}`)],
    };
    const step = {
      traceId,
      spanId: traceId.slice(16),
      parentSpanId: root.spanId,
      name: 'plan',
      startTimeUnixNano: ns(startUs + 50_000),
      endTimeUnixNano: ns(endUs - 50_000),
      attributes: [str('spoor.kind', 'step')],
      ...(failing(i) ? { status: { code: 2, message: 'the planner failed' } } : {}),
    };
    const call = {
      traceId,
      spanId: callIdOf(i),
      parentSpanId: step.spanId,
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: ns(startUs + 100_000),
      endTimeUnixNano: ns(startUs + 100_000 + llmUs),
      attributes: [
        str('gen_ai.provider.name', 'openai'),
        str('gen_ai.operation.name', 'chat'),
        str('gen_ai.request.model', 'gpt-4o'),
        str('gen_ai.response.id', responseIdOf(i)),
        int('gen_ai.usage.input_tokens', 40 + (i % 11)),
        int('gen_ai.usage.output_tokens', 7 + (i % 5)),
        str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Question ${i}: what is the capital of Portugal?` }] }])),
      ],
      events: [{ timeUnixNano: ns(startUs + 200_000), name: 'gen_ai.choice', attributes: [str('content', 'Lisbon.')] }],
    };
    spans.push(root, step, call);
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [str('service.name', 'qa-agent')] }, scopeSpans: [{ spans }] }] });
}

let sharedEndpoint: ClickHouseEndpoint | null = null;
afterAll(async () => {
  await sharedEndpoint?.close();
});

const stores = [
  { name: 'DuckDB', options: async () => ({ store: 'duckdb' as const }) },
  {
    name: 'ClickHouse',
    options: async () => {
      sharedEndpoint ??= await startClickHouseEndpoint();
      return { store: 'clickhouse' as const, clickhouseUrl: `${sharedEndpoint.url}/sampling` };
    },
  },
];

describe.each(stores)('tail sampling on $name', ({ options }) => {
  let server: TestServer;
  let root = '';
  const as = (project: string) => ({ key: root, headers: { 'spoor-project': project } });

  beforeAll(async () => {
    server = await startTestServer({ ...(await options()), traceQuiet: '1s', logLevel: 'error' });
    root = await makeKey(server.url, '*', 'admin');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('keeps every failed and slow trace whole and 10% of the rest, with span statistics equal to an unsampled project', { timeout: 120_000 }, async () => {
    const set = await callJson(server.url, 'PUT', '/api/projects/sampled/sampling', { rate: 0.1 }, { key: root });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({
      source: 'api',
      policy: { rate: 0.1, keep: { errors: true, slowerThan: { workflow: '600s', step: '120s', llm: '30s' }, costOverUsd: 1 } },
    });

    const ingest = { sampled: await makeKey(server.url, 'sampled', 'ingest', root), plain: await makeKey(server.url, 'plain', 'ingest', root) };
    const endUs = Date.now() * 1000;
    const fromIso = new Date(endUs / 1000 - 3_600_000).toISOString();
    for (let from = 0; from < TRACES; from += PER_REQUEST) {
      const text = body(from, from + PER_REQUEST, endUs);
      for (const key of Object.values(ingest)) {
        const response = await fetch(`${server.url}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: text,
        });
        expect(response.status, await response.text()).toBe(200);
      }
    }

    // Every trace decided, once (/metrics counts the decisions of this server, the lease holder).
    const decided = async (): Promise<number | undefined> => {
      const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${root}` } })).text();
      let n = 0;
      for (const m of text.matchAll(/^spoor_traces_(?:sampled_out|kept)_total\{[^}]*project="sampled"[^}]*\} (\S+)$/gm)) n += Number(m[1]);
      return n >= TRACES ? n : undefined;
    };
    expect(await until('every trace decided', decided, 60_000)).toBe(TRACES);
    // Caught up: nothing waits (the gauges are of the lease holder's projects). Read until so: on a
    // loaded machine the first reading can still be of the round before the last.
    let lastLag: string | undefined;
    const caughtUp = async (): Promise<true | undefined> => {
      const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${root}` } })).text();
      const waiting = /^spoor_sampling_traces_waiting\{project="sampled"\} (\S+)$/m.exec(text);
      const oldest = /^spoor_sampling_oldest_waiting_seconds\{project="sampled"\} (\S+)$/m.exec(text);
      lastLag = `${waiting?.[1]} waiting, the oldest ${oldest?.[1]} s`;
      return waiting?.[1] === '0' && oldest?.[1] === '0' ? true : undefined;
    };
    expect(await until('the sampler reported that nothing waits', caughtUp, 30_000).catch(() => lastLag)).toBe(true);

    const list = async (project: string): Promise<{ traces: TraceSummary[]; first: TraceListResponse }> => {
      const traces: TraceSummary[] = [];
      let cursor: string | null = null;
      let first: TraceListResponse | null = null;
      do {
        const page: { status: number; body: TraceListResponse } = await callJson<TraceListResponse>(
          server.url,
          'GET',
          `/api/traces?from=${fromIso}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
          undefined,
          as(project),
        );
        expect(page.status).toBe(200);
        first ??= page.body;
        traces.push(...page.body.traces);
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      return { traces, first: first! };
    };
    const sampled = await list('sampled');
    expect(sampled.traces).toHaveLength(TRACES);
    const out = new Set(sampled.traces.filter((t) => t.sampledOut === true).map((t) => t.traceId));
    const interesting = Array.from({ length: TRACES }, (_, i) => i).filter((i) => failing(i) || slow(i));
    expect(interesting.filter((i) => out.has(idOf(i)))).toEqual([]);
    const rest = TRACES - interesting.length;
    const keptShare = (rest - out.size) / rest;
    expect(keptShare).toBeGreaterThanOrEqual(0.085);
    expect(keptShare).toBeLessThanOrEqual(0.115);
    // The list's header: kept N of M for its range.
    expect(sampled.first.sampling).toEqual({ kept: TRACES - out.size, total: TRACES });

    // A kept trace is whole; a sampled-out one's spans are statistics only (times, status, tokens
    // and cost in span_stats): its page has no spans and says why.
    const kept = idOf(interesting[0]!);
    const dropped = [...out][0]!;
    type Detail = {
      sampledOut?: boolean;
      spans: Array<{ name: string; attributes: Record<string, unknown>; events: unknown[]; durationMs: number; llm: { inputTokens: number | null } | null }>;
    };
    const detail = async (traceId: string) => (await callJson<Detail>(server.url, 'GET', `/api/traces/${traceId}`, undefined, as('sampled'))).body;
    const wholeTrace = await detail(kept);
    const whole = wholeTrace.spans.find((s) => s.name === 'chat gpt-4o')!;
    expect([whole.attributes['gen_ai.request.model'], whole.events]).toEqual(['gpt-4o', [expect.objectContaining({ name: 'gen_ai.choice' })]]);
    const slim = await detail(dropped);
    // The JSON detail says which is which, as the list and /tree do.
    expect([wholeTrace.sampledOut, slim.sampledOut]).toEqual([undefined, true]);
    expect(slim.spans).toEqual([]);
    // The trace page's stream says which is which.
    const sampledOutOf = async (traceId: string): Promise<boolean | undefined> => {
      const response = await fetch(`${server.url}/api/traces/${traceId}/tree`, {
        headers: { accept: TREE_MEDIA_TYPE, authorization: `Bearer ${root}`, 'spoor-project': 'sampled' },
      });
      const decoder = new TreeStreamDecoder();
      decoder.push(new Uint8Array(await response.arrayBuffer()));
      decoder.end();
      return decoder.trailer?.sampledOut;
    };
    expect([await sampledOutOf(kept), await sampledOutOf(dropped)]).toEqual([undefined, true]);

    // A log that comes after its trace was sampled out is deleted by a later round; one of a kept
    // trace, sent in the same request (one commit), stays.
    const logRecords = [dropped, kept].map((traceId) => ({ timeUnixNano: ns(endUs), traceId, body: { stringValue: 'came late' } }));
    const lateLogs = { resourceLogs: [{ resource: { attributes: [str('service.name', 'qa-agent')] }, scopeLogs: [{ logRecords }] }] };
    const sent = await fetch(`${server.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest.sampled}` },
      body: JSON.stringify(lateLogs),
    });
    expect(sent.status, await sent.text()).toBe(200);
    const logsOf = async (traceId: string) =>
      (await callJson<{ logs: unknown[] }>(server.url, 'GET', `/api/logs?traceId=${traceId}&from=${fromIso}`, undefined, as('sampled'))).body.logs.length;
    await until("the kept trace's late log stored", async () => ((await logsOf(kept)) === 1 ? true : undefined));
    await until("the sampled-out trace's late log deleted", async () => ((await logsOf(dropped)) === 0 ? true : undefined), 15_000);
    expect(await logsOf(kept)).toBe(1);

    // A judge scores LLM calls by response id alone, after the decisions: a sampled-out call's
    // response id moved with it to span_stats, so its score finds its trace and span as a kept one's does.
    const scored = [interesting[0]!, Number([...Array(TRACES).keys()].find((i) => out.has(idOf(i))))];
    const judged = scored.map((i) => ({
      timeUnixNano: ns(endUs),
      eventName: 'gen_ai.evaluation.result',
      body: { stringValue: 'judged' },
      attributes: [
        str('gen_ai.evaluation.name', 'faithful'),
        { key: 'gen_ai.evaluation.score.value', value: { doubleValue: 0.25 + (i % 2) / 2 } },
        str('gen_ai.response.id', responseIdOf(i)),
      ],
    }));
    for (const key of Object.values(ingest)) {
      const evaluations = { resourceLogs: [{ resource: { attributes: [str('service.name', 'judge')] }, scopeLogs: [{ logRecords: judged }] }] };
      const response = await fetch(`${server.url}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(evaluations),
      });
      expect(response.status, await response.text()).toBe(200);
    }
    for (const project of ['sampled', 'plain']) {
      for (const i of scored) {
        const found = await until(`${project}: the score of call ${i} on its span`, async () => {
          const { body } = await callJson<{ scores: Array<{ traceId: string | null; spanId: string | null }> }>(
            server.url,
            'GET',
            `/api/scores?from=${fromIso}&traceId=${idOf(i)}`,
            undefined,
            as(project),
          );
          return body.scores.length === 1 ? body.scores[0] : undefined;
        });
        expect(found, project).toMatchObject({ traceId: idOf(i), spanId: callIdOf(i), responseId: responseIdOf(i), value: 0.25 + (i % 2) / 2 });
      }
    }

    // Span statistics and a time series of both projects, to the row.
    // Sums of doubles differ in their last bits with the order rows are added in (threads, row groups): to 12 digits.
    const rounded = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value), (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v));
    for (const path of [
      `/api/stats/spans?from=${fromIso}&groupBy=name`,
      `/api/stats/spans?from=${fromIso}&groupBy=model`,
      `/api/stats/spans?from=${fromIso}&groupBy=status`,
      `/api/stats/timeseries?from=${fromIso}&metric=p95&step=60s`,
      `/api/sessions?from=${fromIso}&limit=100`,
      `/api/stats/scores?from=${fromIso}&by=model`,
      `/api/stats/scores?from=${fromIso}&by=name`,
      `/api/stats/scores?from=${fromIso}&by=service`,
    ]) {
      const [a, b] = await Promise.all([
        callJson(server.url, 'GET', path, undefined, as('sampled')),
        callJson(server.url, 'GET', path, undefined, as('plain')),
      ]);
      expect(a.status, path).toBe(200);
      expect(rounded(a.body), path).toEqual(rounded(b.body));
    }
    // Re-pricing reaches the sampled-out LLM calls too (span_stats keeps their span ids): a new
    // price for gpt-4o re-prices every call of a range in both projects, and their costs by model
    // still agree. The range holds the calls that started 900 and 901 ms before the traces ended
    // (i % 7 of 0 and 1, not slow): 2,771 calls of each project, kept and sampled out, three rounds
    // of ClickHouse's re-pricing (1,000 spans a round) where all 10,000 took ten.
    const repriceRange = { from: isoFromMicros(endUs - 901_500), to: isoFromMicros(endUs - 899_500) };
    const inRange = Array.from({ length: TRACES }, (_, i) => i).filter((i) => !slow(i) && i % 7 <= 1);
    expect(inRange.filter((i) => out.has(idOf(i))).length).toBeGreaterThan(1000);
    const byModel = `/api/stats/spans?from=${fromIso}&groupBy=model`;
    const beforeReprice = (await callJson(server.url, 'GET', byModel, undefined, as('sampled'))).body;
    const repriced: number[] = [];
    for (const project of ['sampled', 'plain']) {
      const put = await callJson(server.url, 'PUT', '/api/prices/gpt-4o', { provider: 'openai', input: 7, output: 21 }, as(project));
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const run = await callJson<{ spans: number }>(server.url, 'POST', '/api/prices/reprice', repriceRange, as(project));
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      repriced.push(run.body.spans);
    }
    expect(repriced).toEqual([inRange.length, inRange.length]);
    const [afterSampled, afterPlain] = [
      await callJson(server.url, 'GET', byModel, undefined, as('sampled')),
      await callJson(server.url, 'GET', byModel, undefined, as('plain')),
    ];
    expect(rounded(afterSampled.body)).toEqual(rounded(afterPlain.body));
    // The costs did change.
    expect(rounded(afterSampled.body)).not.toEqual(rounded(beforeReprice));

    // The project without a policy kept everything and says nothing of sampling.
    const plain = await list('plain');
    expect([plain.traces.filter((t) => t.sampledOut === true).length, plain.first.sampling]).toEqual([0, undefined]);
  });
});

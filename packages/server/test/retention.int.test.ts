import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROJECT_ID, type LogListResponse, type MetricPointListResponse, type TraceDetail, type TraceListResponse } from '@spoor/model';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeRequest } from '../src/ingest/decode.js';
import { type RetentionConfig, type RetentionResult, applyRetention, scheduleRetention } from '../src/pipeline/retention.js';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.js';
import { batchOf } from '../src/store/tables.js';
import { getJson, metricValue, startTestServer, type TestServer } from './support/server.js';
import { eventually } from './support/trace-bodies.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const GAUGE = 'retention.test.queue_depth';

// ---- OTLP/JSON bodies, each record tagged with a label so it can be found again ----

/** Unix nanoseconds as OTLP/JSON writes them: a decimal string. */
function nanos(timeUs: number): string {
  return `${timeUs}000`;
}

function resource(): { attributes: unknown[] } {
  return { attributes: [{ key: 'service.name', value: { stringValue: 'retention-test' } }] };
}

/** A trace of three spans, each starting at `timeUs`. */
function tracesBody(traceId: string, timeUs: number): string {
  const spans = [0, 1, 2].map((i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    name: `span ${i}`,
    kind: 1,
    startTimeUnixNano: nanos(timeUs),
    endTimeUnixNano: nanos(timeUs + 1000),
    attributes: [{ key: 'test.part', value: { intValue: String(i) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: resource(), scopeSpans: [{ scope: { name: 'retention' }, spans }] }] });
}

/** One log record per `[label, timeUs]`, with the label as its body. */
function logsBody(records: Array<[string, number]>): string {
  const logRecords = records.map(([label, timeUs]) => ({
    timeUnixNano: nanos(timeUs),
    severityNumber: 9,
    severityText: 'INFO',
    body: { stringValue: label },
  }));
  return JSON.stringify({ resourceLogs: [{ resource: resource(), scopeLogs: [{ scope: { name: 'retention' }, logRecords }] }] });
}

/** One gauge point per `[label, timeUs]`, with the label as its `age` attribute. */
function metricsBody(points: Array<[string, number]>): string {
  const dataPoints = points.map(([label, timeUs], i) => ({
    timeUnixNano: nanos(timeUs),
    asDouble: i + 0.5,
    attributes: [{ key: 'age', value: { stringValue: label } }],
  }));
  const metric = { name: GAUGE, unit: '{item}', gauge: { dataPoints } };
  return JSON.stringify({ resourceMetrics: [{ resource: resource(), scopeMetrics: [{ scope: { name: 'retention' }, metrics: [metric] }] }] });
}

// ---- Through a running server ----

const servers: TestServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A server on `dataDir`, once its first run of retention (right after it listens) is done. */
async function start(dataDir: string, retention: string): Promise<TestServer> {
  const server = await startTestServer({ data: dataDir, retention });
  servers.push(server);
  await eventually(
    'the first run of retention',
    () => metricValue(server.url, 'spoor_retention_runs_total'),
    (runs) => runs >= 1,
  );
  return server;
}

async function post(server: TestServer, signal: 'traces' | 'logs' | 'metrics', body: string): Promise<void> {
  const response = await fetch(`${server.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status, await response.text()).toBe(200);
}

/** What the API shows of the records sent by `sendAged`. */
async function visible(server: TestServer, traceIds: Record<string, string>): Promise<{ traces: string[]; logs: string[]; points: string[] }> {
  const traces: string[] = [];
  for (const [label, traceId] of Object.entries(traceIds)) {
    const { status, body } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    if (status === 200 && body.spans.length === 3) traces.push(label);
    else expect(status, `trace ${label} is whole or gone`).toBe(404);
  }
  const list = await getJson<TraceListResponse>(server.url, '/api/traces?limit=1000');
  const listed = new Set(list.body.traces.map((t) => t.traceId));
  expect(
    Object.entries(traceIds)
      .filter(([, id]) => listed.has(id))
      .map(([label]) => label),
    'trace listing',
  ).toEqual(traces);
  const logs = await getJson<LogListResponse>(server.url, '/api/logs?limit=1000');
  const points = await getJson<MetricPointListResponse>(server.url, `/api/metrics/points?name=${GAUGE}&limit=1000`);
  return {
    traces: traces.sort(),
    logs: logs.body.logs.map((l) => String(l.body)).sort(),
    points: points.body.points.map((p) => String(p.attributes.age)).sort(),
  };
}

/** Sends one trace, one log record and one gauge point for each `[label, age in ms]`. */
async function sendAged(server: TestServer, ages: Array<[string, number]>): Promise<Record<string, string>> {
  const nowUs = Date.now() * 1000;
  const traceIds: Record<string, string> = {};
  for (const [label, ageMs] of ages) {
    traceIds[label] = randomBytes(16).toString('hex');
    await post(server, 'traces', tracesBody(traceIds[label], nowUs - ageMs * 1000));
  }
  await post(server, 'logs', logsBody(ages.map(([label, ageMs]) => [label, nowUs - ageMs * 1000])));
  await post(server, 'metrics', metricsBody(ages.map(([label, ageMs]) => [label, nowUs - ageMs * 1000])));
  return traceIds;
}

describe('retention at start-up, run once the server listens', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'spoor-retention-'));
    dirs.push(dataDir);
  });

  it('removes spans, logs and metric points older than the retention and keeps newer ones', async () => {
    const first = await start(dataDir, '30d');
    const traceIds = await sendAged(first, [
      ['40 days', 40 * DAY_MS],
      ['29 days', 29 * DAY_MS],
      ['now', 60_000],
    ]);
    // The old records were stored: the restart, not ingest, is what removes them.
    const everything = { traces: ['29 days', '40 days', 'now'], logs: ['29 days', '40 days', 'now'], points: ['29 days', '40 days', 'now'] };
    expect(await visible(first, traceIds)).toEqual(everything);
    await first.stop({ keepData: true });
    servers.splice(servers.indexOf(first), 1);

    const second = await start(dataDir, '30d');
    expect(await visible(second, traceIds)).toEqual({ traces: ['29 days', 'now'], logs: ['29 days', 'now'], points: ['29 days', 'now'] });
  });

  it('applies a separate retention to each signal', async () => {
    const first = await start(dataDir, '30d');
    const traceIds = await sendAged(first, [
      ['10 days', 10 * DAY_MS],
      ['now', 60_000],
    ]);
    expect(await visible(first, traceIds)).toEqual({ traces: ['10 days', 'now'], logs: ['10 days', 'now'], points: ['10 days', 'now'] });
    await first.stop({ keepData: true });
    servers.splice(servers.indexOf(first), 1);

    const second = await start(dataDir, 'traces=7d,logs=30d,metrics=30d');
    expect(await visible(second, traceIds)).toEqual({ traces: ['now'], logs: ['10 days', 'now'], points: ['10 days', 'now'] });
    await second.stop({ keepData: true });
    servers.splice(servers.indexOf(second), 1);

    const third = await start(dataDir, 'traces=30d,logs=7d,metrics=9d');
    expect(await visible(third, traceIds)).toEqual({ traces: ['now'], logs: ['now'], points: ['now'] });
  });
});

// ---- Against the store directly ----

const NOW_MS = Date.UTC(2025, 5, 1, 12);

/** Writes, through the server's own decoding, one trace, one log record and one gauge point per `[label, timeUs]`. */
async function writeAt(store: DuckDbStore, records: Array<[string, number]>): Promise<Record<string, string>> {
  const decode = (signal: 'traces' | 'logs' | 'metrics', text: string) =>
    decodeRequest(signal, 'json', Buffer.from(text), DEFAULT_PROJECT_ID, NOW_MS * 1000).batch;
  const traceIds: Record<string, string> = {};
  const spans = [];
  for (const [label, timeUs] of records) {
    traceIds[label] = randomBytes(16).toString('hex');
    spans.push(...decode('traces', tracesBody(traceIds[label], timeUs)).spans);
  }
  const batch = { spans, logs: decode('logs', logsBody(records)).logs, metricPoints: decode('metrics', metricsBody(records)).metricPoints };
  await store.writer.write(batchOf(batch), null);
  return traceIds;
}

/** Labels of the records the store still holds, per signal. */
async function stored(store: DuckDbStore, traceIds: Record<string, string>): Promise<{ traces: string[]; logs: string[]; points: string[] }> {
  const traces: string[] = [];
  for (const [label, traceId] of Object.entries(traceIds)) {
    const trace = await store.traces.getTrace(DEFAULT_PROJECT_ID, traceId);
    if (trace !== null && trace.spans.length > 0) traces.push(label);
  }
  const range = { fromUs: null, toUs: null };
  const logs = await store.logs.listLogs(
    { projectId: DEFAULT_PROJECT_ID, range, minSeverity: null, service: null, traceId: null, text: null, limit: 1000, cursor: null },
    null,
    1000,
  );
  const points = await store.metrics.listMetricPoints({ projectId: DEFAULT_PROJECT_ID, range, name: GAUGE, service: null, limit: 1000, cursor: null }, 0, 1000);
  return {
    traces: traces.sort(),
    logs: logs.map((l) => String(l.body)).sort(),
    points: points.map((p) => String(p.attributes.age)).sort(),
  };
}

interface Report {
  results: RetentionResult[] | null;
  error: unknown;
}

/**
 * Collects what `scheduleRetention` reports. `next()` resolves after the next report, once the run
 * that made it has finished: a run reports before it clears its "running" flag, so a timer
 * advanced in between would find the previous run still going and skip.
 */
function reportRecorder(): { reports: Report[]; report: (results: RetentionResult[] | null, error?: unknown) => void; next: () => Promise<void> } {
  const reports: Report[] = [];
  let waiting: (() => void) | null = null;
  return {
    reports,
    report: (results, error) => {
      reports.push({ results, error });
      const resolve = waiting;
      waiting = null;
      if (resolve !== null) setImmediate(resolve);
    },
    next: () => new Promise<void>((resolve) => (waiting = resolve)),
  };
}

/** Real time passes (only intervals and Date are faked), so any run still going would report. */
function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('applyRetention and scheduleRetention on a real DuckDB store', () => {
  let dir: string;
  let store: DuckDbStore;
  let storeOpen: boolean;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spoor-retention-store-'));
    dirs.push(dir);
    store = await DuckDbStore.open({ path: join(dir, 'x.duckdb') });
    storeOpen = true;
  });
  afterEach(async () => {
    if (storeOpen) await store.close();
  });

  it('deletes records strictly older than each signal’s window before nowMs, and counts them', async () => {
    const nowUs = NOW_MS * 1000;
    const config: RetentionConfig = { tracesMs: 7 * DAY_MS, logsMs: 3 * DAY_MS, metricsMs: HOUR_MS, intervalMs: HOUR_MS };
    const traceIds = await writeAt(store, [
      ['8 days', nowUs - 8 * DAY_MS * 1000],
      ['7 days and 1 µs', nowUs - 7 * DAY_MS * 1000 - 1],
      ['7 days exactly', nowUs - 7 * DAY_MS * 1000],
      ['2 days', nowUs - 2 * DAY_MS * 1000],
      ['now', nowUs],
    ]);

    const results = await applyRetention(store.retention, config, NOW_MS);

    // Spans are counted one by one: three per trace.
    expect(results).toEqual<RetentionResult[]>([
      { signal: 'traces', deleted: 2 * 3 },
      { signal: 'logs', deleted: 3 },
      { signal: 'metrics', deleted: 4 },
    ]);
    expect(await stored(store, traceIds)).toEqual({
      traces: ['2 days', '7 days exactly', 'now'],
      logs: ['2 days', 'now'],
      points: ['now'],
    });
    expect(await applyRetention(store.retention, config, NOW_MS)).toEqual([
      { signal: 'traces', deleted: 0 },
      { signal: 'logs', deleted: 0 },
      { signal: 'metrics', deleted: 0 },
    ]);
  });

  it('drops an expired trace from the trace listing as well as its spans', async () => {
    const traceIds = await writeAt(store, [
      ['old', (NOW_MS - 40 * DAY_MS) * 1000],
      ['new', NOW_MS * 1000],
    ]);
    await applyRetention(store.retention, { tracesMs: 30 * DAY_MS, logsMs: 30 * DAY_MS, metricsMs: 30 * DAY_MS, intervalMs: HOUR_MS }, NOW_MS);
    const traceQuery = {
      projectId: DEFAULT_PROJECT_ID,
      range: { fromUs: null, toUs: null },
      service: null,
      spanName: null,
      text: null,
      status: null,
      minDurationMs: null,
      maxDurationMs: null,
      attributes: [],
      sessionId: null,
      model: null,
      scores: [],
      limit: 100,
      cursor: null,
    };
    const listed = await store.traces.listTraces(traceQuery, null, 100);
    expect(listed.map((t) => t.traceId)).toEqual([traceIds.new]);
    expect(await store.traces.getTrace(DEFAULT_PROJECT_ID, traceIds.old!)).toBeNull();
  });

  it('keeps datasets however old, and their items whose source traces it deleted', async () => {
    const traceIds = await writeAt(store, [['old', (NOW_MS - 40 * DAY_MS) * 1000]]);
    const oldUs = (NOW_MS - 40 * DAY_MS) * 1000;
    const item = {
      itemId: '1'.repeat(32),
      createdUs: oldUs,
      timeUs: oldUs,
      input: '"q"',
      expectedOutput: null,
      metadata: '{}',
      sourceTraceId: traceIds.old!,
      sourceSpanId: null,
      deleted: false,
    };
    await store.datasets.writeChange(DEFAULT_PROJECT_ID, {
      dataset: { name: 'qa', description: '', createdUs: oldUs, timeUs: oldUs, deleted: false, firstVersion: null },
      items: [item],
    });
    await applyRetention(store.retention, { tracesMs: 30 * DAY_MS, logsMs: 30 * DAY_MS, metricsMs: 30 * DAY_MS, intervalMs: HOUR_MS }, NOW_MS);
    expect(await store.traces.getTrace(DEFAULT_PROJECT_ID, traceIds.old!)).toBeNull();
    const dataset = await store.datasets.getDataset(DEFAULT_PROJECT_ID, 'qa', null);
    expect(dataset).toMatchObject({ version: 1, itemCount: 1 });
    expect(await store.datasets.listItems(DEFAULT_PROJECT_ID, dataset!, 1, null, 10)).toEqual([{ ...item, version: 1 }]);
  });

  it('keeps experiments however old, and their results whose traces it deleted', async () => {
    const traceIds = await writeAt(store, [['old', (NOW_MS - 40 * DAY_MS) * 1000]]);
    const oldUs = (NOW_MS - 40 * DAY_MS) * 1000;
    const experimentId = 'e'.repeat(32);
    const experiment = {
      experimentId,
      name: 'nightly',
      dataset: 'qa',
      datasetVersion: 1,
      target: '{"kind":"sdk","replay":"none"}',
      evaluators: '[]',
      metadata: '{}',
      state: 'done' as const,
      error: null,
      itemCount: 1,
      createdUs: oldUs,
      timeUs: oldUs,
      finishedUs: oldUs,
      deleted: false,
    };
    const result = {
      experimentId,
      itemId: '1'.repeat(32),
      traceId: traceIds.old!,
      spanId: null,
      output: '"a"',
      error: null,
      latencyMs: 5,
      inputTokens: 3,
      outputTokens: 2,
      costUsd: 0.01,
      timeUs: oldUs,
      unpricedCalls: 0,
    };
    await store.experiments.putExperiment(DEFAULT_PROJECT_ID, experiment);
    await store.experiments.addResults(DEFAULT_PROJECT_ID, [result]);
    await applyRetention(store.retention, { tracesMs: 30 * DAY_MS, logsMs: 30 * DAY_MS, metricsMs: 30 * DAY_MS, intervalMs: HOUR_MS }, NOW_MS);
    expect(await store.traces.getTrace(DEFAULT_PROJECT_ID, traceIds.old!)).toBeNull();
    expect(await store.experiments.getExperiment(DEFAULT_PROJECT_ID, experimentId)).toEqual(experiment);
    expect(await store.experiments.listResults(DEFAULT_PROJECT_ID, experimentId, null, 10)).toEqual([result]);
  });

  it('runs again every interval against the time of each run, until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: NOW_MS });
    const nowUs = NOW_MS * 1000;
    const traceIds = await writeAt(store, [
      ['40 days', nowUs - 40 * DAY_MS * 1000],
      ['20 days', nowUs - 20 * DAY_MS * 1000],
      ['now', nowUs],
    ]);
    const { reports, report, next } = reportRecorder();
    const { stop } = scheduleRetention(store.retention, { tracesMs: 30 * DAY_MS, logsMs: 30 * DAY_MS, metricsMs: 30 * DAY_MS, intervalMs: HOUR_MS }, report);
    try {
      vi.advanceTimersByTime(HOUR_MS - 1);
      await realDelay(50);
      expect(reports).toEqual([]);

      let ran = next();
      vi.advanceTimersByTime(1);
      await ran;
      expect(reports).toEqual([
        {
          results: [
            { signal: 'traces', deleted: 3 },
            { signal: 'logs', deleted: 1 },
            { signal: 'metrics', deleted: 1 },
          ],
          error: undefined,
        },
      ]);
      expect(await stored(store, traceIds)).toEqual({ traces: ['20 days', 'now'], logs: ['20 days', 'now'], points: ['20 days', 'now'] });

      // Fifteen days on, the 20-day-old records have passed 30 days too.
      vi.setSystemTime(NOW_MS + 15 * DAY_MS);
      ran = next();
      vi.advanceTimersByTime(HOUR_MS);
      await ran;
      expect(reports[1]).toEqual({
        results: [
          { signal: 'traces', deleted: 3 },
          { signal: 'logs', deleted: 1 },
          { signal: 'metrics', deleted: 1 },
        ],
        error: undefined,
      });
      expect(await stored(store, traceIds)).toEqual({ traces: ['now'], logs: ['now'], points: ['now'] });
    } finally {
      await stop();
    }
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10 * HOUR_MS);
    await realDelay(50);
    expect(reports).toHaveLength(2);
  });

  it('skips a tick that comes while the previous run is still going', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: NOW_MS });
    await writeAt(store, [['old', (NOW_MS - 40 * DAY_MS) * 1000]]);
    const { reports, report, next } = reportRecorder();
    const { stop } = scheduleRetention(store.retention, { tracesMs: DAY_MS, logsMs: DAY_MS, metricsMs: DAY_MS, intervalMs: HOUR_MS }, report);
    try {
      const ran = next();
      // Three ticks in one synchronous step: the first run cannot have finished before the others.
      vi.advanceTimersByTime(3 * HOUR_MS);
      await ran;
      await realDelay(50);
    } finally {
      await stop();
    }
    expect(reports).toEqual([
      {
        results: [
          { signal: 'traces', deleted: 3 },
          { signal: 'logs', deleted: 1 },
          { signal: 'metrics', deleted: 1 },
        ],
        error: undefined,
      },
    ]);
  });

  it('reports a failed run and tries again at the next interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: NOW_MS });
    await store.close();
    storeOpen = false;
    const { reports, report, next } = reportRecorder();
    const { stop } = scheduleRetention(store.retention, { tracesMs: DAY_MS, logsMs: DAY_MS, metricsMs: DAY_MS, intervalMs: HOUR_MS }, report);
    try {
      for (const _ of [1, 2]) {
        const ran = next();
        vi.advanceTimersByTime(HOUR_MS);
        await ran;
      }
    } finally {
      await stop();
    }
    expect(reports).toHaveLength(2);
    for (const { results, error } of reports) {
      expect(results).toBeNull();
      expect(error).toMatchObject({ name: 'StoreError', message: expect.stringContaining('DuckDB failed to apply retention to spans') });
    }
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type ExportFormat, type ExportSignal, exportFileName, microsFromIso } from '@spoor/model';
import { expect } from 'vitest';
import { EXPORT_TABLES, type ExportType } from '../../src/store/sql/export-columns.js';
import { NO_SPILL } from './duckdb.js';
import { callJson } from './server.js';

/**
 * What the export tests send and how they read the files back: a known set of records in project
 * `shop` (three spans of one trace: a root with a session and a user, an LLM call with every token
 * count, a failed step with an exception event; a span two hours earlier; a log, a metric point and
 * a score) and a trace, log, point and score of project `other`; then each file read back with
 * DuckDB (`read_parquet`, `read_json`) and checked column by column against the declared schema
 * and against what the REST API answers for the same spans.
 */

/** The records' time: ten minutes ago, on a whole minute (a score is given now, within the range). */
export const T0_MS = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
/** The range every export asks for: an hour around `T0_MS`, its start as ISO-8601, its end as epoch milliseconds. */
export const RANGE = { from: new Date(T0_MS - 30 * 60_000).toISOString(), to: String(T0_MS + 30 * 60_000) };
export const TRACE = 'e1e2e3e4e5e6e7e8e9eaebecedeeef00';
export const OLD_TRACE = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf';
export const OTHER_TRACE = 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf';
export const ROOT = '1000000000000001';
export const LLM = '1000000000000002';
export const FAILED = '1000000000000003';
/** Text only project `other`'s records carry. */
export const OTHER_MARK = 'other-secret';

const ns = (ms: number, extraUs = 0): string => String(BigInt(ms) * 1_000_000n + BigInt(extraUs) * 1000n);
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

function tracesBody(service: string, spans: object[]): object {
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', service), str('service.version', '2.1.0')] },
        scopeSpans: [{ scope: { name: 'export-test', version: '0.3' }, spans }],
      },
    ],
  };
}

/** The known spans of `shop`: in the range (microseconds past the millisecond, to see them kept) and one before it. */
export function shopTraces(): object {
  return tracesBody('shop-api', [
    {
      traceId: TRACE,
      spanId: ROOT,
      name: 'handle order',
      kind: 2,
      startTimeUnixNano: ns(T0_MS, 123),
      endTimeUnixNano: ns(T0_MS + 900, 456),
      attributes: [str('session.id', 'sess-1'), str('user.id', 'user-1'), str('order.id', 'o-42')],
    },
    {
      traceId: TRACE,
      spanId: LLM,
      parentSpanId: ROOT,
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: ns(T0_MS + 10),
      endTimeUnixNano: ns(T0_MS + 410),
      attributes: [
        str('gen_ai.system', 'openai'),
        str('gen_ai.operation.name', 'chat'),
        str('gen_ai.request.model', 'gpt-4o'),
        str('gen_ai.response.model', 'gpt-4o-2024-08-06'),
        int('gen_ai.usage.input_tokens', 100),
        int('gen_ai.usage.output_tokens', 20),
        int('gen_ai.usage.cache_read_input_tokens', 30),
        int('gen_ai.usage.cache_creation_input_tokens', 10),
        int('gen_ai.usage.reasoning_tokens', 5),
        { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
      ],
    },
    {
      traceId: TRACE,
      spanId: FAILED,
      parentSpanId: ROOT,
      name: 'charge card',
      startTimeUnixNano: ns(T0_MS + 500),
      endTimeUnixNano: ns(T0_MS + 800),
      status: { code: 2, message: 'card declined' },
      events: [
        { name: 'exception', timeUnixNano: ns(T0_MS + 799), attributes: [str('exception.type', 'CardError'), str('exception.message', 'card declined')] },
      ],
      links: [{ traceId: OLD_TRACE, spanId: ROOT }],
    },
    { traceId: OLD_TRACE, spanId: ROOT, name: 'too early', startTimeUnixNano: ns(T0_MS - 2 * 3_600_000), endTimeUnixNano: ns(T0_MS - 2 * 3_600_000 + 5) },
  ]);
}

export function otherTraces(): object {
  return tracesBody('other-api', [{ traceId: OTHER_TRACE, spanId: ROOT, name: OTHER_MARK, startTimeUnixNano: ns(T0_MS + 5), endTimeUnixNano: ns(T0_MS + 50) }]);
}

export function logsBody(service: string, text: string, traceId: string): object {
  return {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', service)] },
        scopeLogs: [
          {
            scope: { name: 'export-test' },
            logRecords: [
              {
                timeUnixNano: ns(T0_MS + 20),
                severityNumber: 17,
                severityText: 'ERROR',
                body: { stringValue: text },
                traceId,
                spanId: FAILED,
                attributes: [str('log.kind', 'audit')],
              },
            ],
          },
        ],
      },
    ],
  };
}

export function metricsBody(service: string, name: string): object {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', service)] },
        scopeMetrics: [
          {
            metrics: [
              { name, unit: 'ms', gauge: { dataPoints: [{ timeUnixNano: ns(T0_MS + 30), asInt: '7', attributes: [str('queue', 'orders')] }] } },
              {
                name: `${name}.latency`,
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      startTimeUnixNano: ns(T0_MS - 60_000),
                      timeUnixNano: ns(T0_MS + 30),
                      count: '3',
                      sum: 12.5,
                      bucketCounts: ['1', '2'],
                      explicitBounds: [5],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Sends the known records with ingest keys of `shop` and `other`, and a score to each. */
export async function sendKnownRecords(url: string, shopIngest: string, otherIngest: string): Promise<void> {
  const post = async (path: string, body: object, key: string): Promise<void> => {
    const answer = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(answer.status, `${path}: ${await answer.text()}`).toBe(200);
  };
  await post('/v1/traces', shopTraces(), shopIngest);
  await post('/v1/logs', logsBody('shop-api', 'payment failed for o-42', TRACE), shopIngest);
  await post('/v1/metrics', metricsBody('shop-api', 'shop.queue.depth'), shopIngest);
  await post('/v1/traces', otherTraces(), otherIngest);
  await post('/v1/logs', logsBody('other-api', OTHER_MARK, OTHER_TRACE), otherIngest);
  await post('/v1/metrics', metricsBody('other-api', OTHER_MARK), otherIngest);
  for (const [key, traceId, comment] of [
    [shopIngest, TRACE, 'good answer'],
    [otherIngest, OTHER_TRACE, OTHER_MARK],
  ] as const) {
    const score = await callJson(
      url,
      'POST',
      '/api/scores',
      { traceId, spanId: traceId === TRACE ? LLM : undefined, name: 'helpful', value: 0.75, label: 'yes', comment },
      { key },
    );
    expect(score.status, JSON.stringify(score.body)).toBe(201);
  }
}

/** A row read back, with times as epoch microseconds and integers as numbers, whatever the format. */
export type ExportRow = Record<string, unknown>;

/** Reads an export file with DuckDB: its columns (`DESCRIBE`) and rows. */
export async function readBack(
  path: string,
  format: ExportFormat,
  signal: ExportSignal,
): Promise<{ columns: Array<{ name: string; type: string }>; rows: ExportRow[] }> {
  const instance = await DuckDBInstance.create(':memory:', NO_SPILL);
  const connection = await instance.connect();
  try {
    const from = format === 'parquet' ? `read_parquet('${path}')` : `read_json('${path}', format = 'newline_delimited')`;
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`)).getRowObjectsJson() as Array<{
      column_name: string;
      column_type: string;
    }>;
    const columns = described.map((c) => ({ name: c.column_name, type: c.column_type }));
    if (format === 'jsonl') {
      // DuckDB reads it (above); the values are checked as JSON, the form a reader of JSON Lines sees.
      const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
      expect((await connection.runAndReadAll(`SELECT count(*) AS n FROM ${from}`)).getRowObjectsJson()[0]!.n).toBe(String(lines.length));
      return { columns, rows: lines.map((line) => normalized(JSON.parse(line) as ExportRow, signal, 'jsonl')) };
    }
    const rows = (await connection.runAndReadAll(`SELECT * FROM ${from}`)).getRowObjectsJson() as ExportRow[];
    return { columns, rows: rows.map((row) => normalized(row, signal, 'parquet')) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** DuckDB's JSON of a value (BIGINT as text, a timestamp as `2026-01-15 12:00:00.000123+00`), or JSON Lines' own, as plain numbers. */
function normalized(row: ExportRow, signal: ExportSignal, format: ExportFormat): ExportRow {
  const out: ExportRow = {};
  for (const column of EXPORT_TABLES[signal].columns) {
    const value = row[column.name];
    if (value === null || value === undefined) out[column.name] = value ?? null;
    else if (column.type === 'TIMESTAMP WITH TIME ZONE') {
      expect(value, `${column.name} in ${format}`).toMatch(
        format === 'jsonl' ? /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/ : /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00$/,
      );
      out[column.name] = microsFromIso(format === 'jsonl' ? (value as string) : (value as string).replace(' ', 'T').replace('+00', 'Z'));
    } else if (column.type === 'BIGINT' || column.type === 'INTEGER') out[column.name] = Number(value);
    else out[column.name] = value;
  }
  return out;
}

/** The declared columns of a signal as DuckDB reads the Parquet file. */
export function declaredColumns(signal: ExportSignal): Array<{ name: string; type: ExportType }> {
  return EXPORT_TABLES[signal].columns.map((c) => ({ name: c.name, type: c.type }));
}

/** What JSON kind a declared type is written as in JSON Lines. */
function jsonKindOf(type: ExportType): string {
  if (type === 'VARCHAR' || type === 'TIMESTAMP WITH TIME ZONE') return 'string';
  if (type === 'BOOLEAN') return 'boolean';
  if (type === 'DOUBLE[]') return 'array';
  return 'number';
}

/**
 * Checks a folder of exported files (one per signal, as `spoor export` writes them): the declared
 * columns and types, every known record of `shop` in the range with its fields (the spans also
 * against the REST API's answer `apiTrace`), nothing outside the range, nothing of `other`.
 */
export async function checkExportDir(
  dir: string,
  format: ExportFormat,
  apiTrace: ApiTrace,
  signals: readonly ExportSignal[] = ['spans', 'logs', 'metrics', 'scores'],
): Promise<void> {
  for (const signal of signals) {
    const path = join(dir, exportFileName(signal, format));
    const text = await readFile(path);
    expect(text.includes(OTHER_MARK), `${signal}.${format} holds another project's records`).toBe(false);
    const { columns, rows } = await readBack(path, format, signal);
    if (format === 'parquet') expect(columns, `${signal}.parquet columns`).toEqual(declaredColumns(signal));
    else {
      // JSON Lines: every line has the declared keys in order, each value of its declared kind or null.
      const lines = text
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '');
      for (const line of lines) {
        const object = JSON.parse(line) as Record<string, unknown>;
        expect(Object.keys(object), `${signal}.jsonl keys`).toEqual(declaredColumns(signal).map((c) => c.name));
        for (const column of declaredColumns(signal)) {
          const value = object[column.name];
          if (value !== null) expect(Array.isArray(value) ? 'array' : typeof value, `${signal}.${column.name}`).toBe(jsonKindOf(column.type));
        }
      }
    }
    CHECKS[signal](rows, apiTrace);
  }
}

/** The REST API's answer for `TRACE` (`GET /api/traces/:traceId`). */
export interface ApiTrace {
  spans: Array<{
    spanId: string;
    parentSpanId: string | null;
    name: string;
    kind: string;
    serviceName: string;
    startTime: string;
    durationMs: number;
    status: { code: string; message: string };
    attributes: Record<string, unknown>;
    resource: Record<string, unknown>;
    events: Array<{ name: string; attributes: Record<string, unknown> }>;
    links: Array<{ traceId: string; spanId: string }>;
    category: string;
    sessionId: string | null;
    userId: string | null;
    llm: Record<string, unknown> | null;
  }>;
}

const byId = (rows: ExportRow[], key: string): Map<string, ExportRow> => new Map(rows.map((row) => [row[key] as string, row]));

const CHECKS: Record<ExportSignal, (rows: ExportRow[], api: ApiTrace) => void> = {
  spans: (rows, api) => {
    // The three spans of the trace in the range; not the one before it, not another project's.
    expect(rows.map((r) => r.span_id).sort()).toEqual([ROOT, LLM, FAILED]);
    const spans = byId(rows, 'span_id');
    for (const want of api.spans) {
      const got = spans.get(want.spanId)!;
      expect(got, want.spanId).toMatchObject({
        project_id: 'shop',
        trace_id: TRACE,
        parent_span_id: want.parentSpanId,
        name: want.name,
        kind: want.kind,
        service_name: want.serviceName,
        start_time: microsFromIso(want.startTime),
        status_code: want.status.code,
        status_message: want.status.message,
        category: want.category,
        session_id: want.sessionId,
        user_id: want.userId,
        is_llm: want.llm !== null,
        scope_name: 'export-test',
        scope_version: '0.3',
      });
      expect(got.duration_ms as number).toBeCloseTo(want.durationMs, 6);
      expect(got.end_time).toBe((got.start_time as number) + Math.round(want.durationMs * 1000));
      expect(JSON.parse(got.attributes as string)).toEqual(want.attributes);
      expect(JSON.parse(got.resource as string)).toEqual(want.resource);
      expect(
        (JSON.parse(got.events as string) as Array<{ name: string; attributes: unknown }>).map((e) => ({ name: e.name, attributes: e.attributes })),
      ).toEqual(want.events.map((e) => ({ name: e.name, attributes: e.attributes })));
      expect((JSON.parse(got.links as string) as Array<{ traceId: string; spanId: string }>).map((l) => [l.traceId, l.spanId])).toEqual(
        want.links.map((l) => [l.traceId, l.spanId]),
      );
      const llm = want.llm;
      expect({
        llm_provider: got.llm_provider,
        llm_operation: got.llm_operation,
        llm_request_model: got.llm_request_model,
        llm_response_model: got.llm_response_model,
        input_tokens: got.input_tokens,
        output_tokens: got.output_tokens,
        total_tokens: got.total_tokens,
        cache_read_input_tokens: got.cache_read_input_tokens,
        cache_creation_input_tokens: got.cache_creation_input_tokens,
        reasoning_tokens: got.reasoning_tokens,
        cost_usd: got.cost_usd,
        time_to_first_token_ms: got.time_to_first_token_ms,
        finish_reasons: got.finish_reasons === null ? null : JSON.parse(got.finish_reasons as string),
      }).toEqual({
        llm_provider: llm?.provider ?? null,
        llm_operation: llm?.operation ?? null,
        llm_request_model: llm?.requestModel ?? null,
        llm_response_model: llm?.responseModel ?? null,
        input_tokens: llm?.inputTokens ?? null,
        output_tokens: llm?.outputTokens ?? null,
        total_tokens: llm?.totalTokens ?? null,
        cache_read_input_tokens: llm?.cacheReadInputTokens ?? null,
        cache_creation_input_tokens: llm?.cacheCreationInputTokens ?? null,
        reasoning_tokens: llm?.reasoningTokens ?? null,
        cost_usd: llm?.costUsd ?? null,
        time_to_first_token_ms: llm?.timeToFirstTokenMs ?? null,
        finish_reasons: llm?.finishReasons ?? null,
      });
    }
    // And what was sent, written out: the LLM call's counts, the failure, the root's session.
    expect(spans.get(LLM)).toMatchObject({
      llm_provider: 'openai',
      llm_request_model: 'gpt-4o',
      input_tokens: 100,
      output_tokens: 20,
      cache_read_input_tokens: 30,
      cache_creation_input_tokens: 10,
      reasoning_tokens: 5,
      kind: 'client',
    });
    expect(spans.get(LLM)!.cost_usd as number).toBeGreaterThan(0);
    expect(spans.get(FAILED)).toMatchObject({ status_code: 'error', status_message: 'card declined' });
    expect(spans.get(FAILED)!.events as string).toContain('CardError');
    expect(spans.get(ROOT)).toMatchObject({
      parent_span_id: null,
      kind: 'server',
      session_id: 'sess-1',
      user_id: 'user-1',
      start_time: T0_MS * 1000 + 123,
      end_time: (T0_MS + 900) * 1000 + 456,
    });
    expect(JSON.parse(spans.get(ROOT)!.resource as string)).toEqual({ 'service.name': 'shop-api', 'service.version': '2.1.0' });
  },
  logs: (rows) => {
    expect(rows).toEqual([
      expect.objectContaining({
        project_id: 'shop',
        time: (T0_MS + 20) * 1000,
        trace_id: TRACE,
        span_id: FAILED,
        severity_number: 17,
        severity_text: 'ERROR',
        body: 'payment failed for o-42',
        service_name: 'shop-api',
        scope_name: 'export-test',
      }),
    ]);
    expect(JSON.parse(rows[0]!.attributes as string)).toEqual({ 'log.kind': 'audit' });
    expect(JSON.parse(rows[0]!.resource as string)).toEqual({ 'service.name': 'shop-api' });
  },
  metrics: (rows) => {
    const points = byId(rows, 'name');
    expect([...points.keys()].sort()).toEqual(['shop.queue.depth', 'shop.queue.depth.latency']);
    expect(points.get('shop.queue.depth')).toMatchObject({
      project_id: 'shop',
      type: 'gauge',
      unit: 'ms',
      value: 7,
      int_value: 7,
      time: (T0_MS + 30) * 1000,
      start_time: null,
      bucket_counts: [],
      service_name: 'shop-api',
    });
    expect(JSON.parse(points.get('shop.queue.depth')!.attributes as string)).toEqual({ queue: 'orders' });
    expect(points.get('shop.queue.depth.latency')).toMatchObject({
      type: 'histogram',
      temporality: 'cumulative',
      count: 3,
      sum: 12.5,
      bucket_counts: [1, 2],
      explicit_bounds: [5],
      start_time: (T0_MS - 60_000) * 1000,
    });
  },
  scores: (rows) => {
    expect(rows).toEqual([
      expect.objectContaining({
        project_id: 'shop',
        trace_id: TRACE,
        span_id: LLM,
        name: 'helpful',
        value: 0.75,
        label: 'yes',
        comment: 'good answer',
        source: 'api',
      }),
    ]);
  },
};

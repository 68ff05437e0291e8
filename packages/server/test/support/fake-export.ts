import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type ExportQuery, type ExportSignal, type LogRecordData, type MetricPointRecord, type SpanRecord, isoFromMicros } from '@spoor/model';
import { EXPORT_TABLES } from '../../src/store/sql/export-columns.js';
import type { RecordExporter } from '../../src/store/store.js';
import type { ScoreRow } from '../../src/store/table-records.js';
import { NO_SPILL } from './duckdb.js';

/**
 * The export port in memory: the rows every engine writes, made here from the records themselves
 * (not from SQL), as JSON Lines; Parquet is that file converted by DuckDB with the declared
 * column types, as no Parquet writer of its own is worth having in a fake.
 */

type Getters<T> = Readonly<Record<string, (record: T) => unknown>>;

const json = (value: unknown): string => JSON.stringify(value);
const iso = (us: number | null): string | null => (us === null ? null : isoFromMicros(us));

const SOURCE = {
  resource: (r: { resource: SpanRecord['resource'] }) => json(r.resource.attributes),
  scope_name: (r: { scope: SpanRecord['scope'] }) => r.scope.name,
  scope_version: (r: { scope: SpanRecord['scope'] }) => r.scope.version,
};

const SPAN: Getters<SpanRecord> = {
  project_id: (s) => s.projectId,
  trace_id: (s) => s.traceId,
  span_id: (s) => s.spanId,
  parent_span_id: (s) => s.parentSpanId,
  trace_state: (s) => s.traceState,
  name: (s) => s.name,
  kind: (s) => s.kind,
  service_name: (s) => s.serviceName,
  start_time: (s) => iso(s.startTimeUs),
  end_time: (s) => iso(s.endTimeUs),
  duration_ms: (s) => Math.max(0, s.endTimeUs - s.startTimeUs) / 1000,
  status_code: (s) => s.status.code,
  status_message: (s) => s.status.message,
  attributes: (s) => json(s.attributes),
  ...SOURCE,
  events: (s) => json(s.events),
  links: (s) => json(s.links),
  dropped_attributes_count: (s) => s.droppedAttributesCount,
  dropped_events_count: (s) => s.droppedEventsCount,
  dropped_links_count: (s) => s.droppedLinksCount,
  category: (s) => s.category,
  is_llm: (s) => s.llm !== null,
  llm_provider: (s) => s.llm?.provider ?? null,
  llm_operation: (s) => s.llm?.operation ?? null,
  llm_request_model: (s) => s.llm?.requestModel ?? null,
  llm_response_model: (s) => s.llm?.responseModel ?? null,
  input_tokens: (s) => s.llm?.inputTokens ?? null,
  output_tokens: (s) => s.llm?.outputTokens ?? null,
  total_tokens: (s) => s.llm?.totalTokens ?? null,
  cache_read_input_tokens: (s) => s.llm?.cacheReadInputTokens ?? null,
  cache_creation_input_tokens: (s) => s.llm?.cacheCreationInputTokens ?? null,
  reasoning_tokens: (s) => s.llm?.reasoningTokens ?? null,
  cost_usd: (s) => s.llm?.costUsd ?? null,
  cost_source: (s) => s.llm?.costSource ?? null,
  time_to_first_token_ms: (s) => s.llm?.timeToFirstTokenMs ?? null,
  finish_reasons: (s) => (s.llm?.finishReasons == null ? null : json(s.llm.finishReasons)),
  session_id: (s) => s.sessionId,
  user_id: (s) => s.userId,
};

const LOG: Getters<LogRecordData> = {
  project_id: (l) => l.projectId,
  log_id: (l) => l.logId,
  time: (l) => iso(l.timeUs),
  observed_time: (l) => iso(l.observedTimeUs),
  trace_id: (l) => l.traceId,
  span_id: (l) => l.spanId,
  severity_number: (l) => Math.min(255, Math.max(0, l.severityNumber)),
  severity_text: (l) => l.severityText,
  body: (l) => (typeof l.body === 'string' ? l.body : l.body === null ? '' : json(l.body)),
  attributes: (l) => json(l.attributes),
  ...SOURCE,
  service_name: (l) => l.serviceName,
  event_name: (l) => l.eventName,
  dropped_attributes_count: (l) => l.droppedAttributesCount,
};

const POINT: Getters<MetricPointRecord> = {
  project_id: (p) => p.projectId,
  name: (p) => p.name,
  description: (p) => p.description,
  unit: (p) => p.unit,
  type: (p) => p.type,
  temporality: (p) => p.temporality,
  is_monotonic: (p) => p.isMonotonic,
  service_name: (p) => p.serviceName,
  attributes: (p) => json(p.attributes),
  ...SOURCE,
  start_time: (p) => iso(p.startTimeUs),
  time: (p) => iso(p.timeUs),
  value: (p) => p.value,
  int_value: (p) => (p.intValue === null ? null : Number(p.intValue)),
  count: (p) => p.count,
  sum: (p) => p.sum,
  min: (p) => p.min,
  max: (p) => p.max,
  bucket_counts: (p) => p.bucketCounts ?? [],
  explicit_bounds: (p) => p.explicitBounds ?? [],
  scale: (p) => p.scale,
  zero_count: (p) => p.zeroCount,
  zero_threshold: (p) => p.zeroThreshold,
  positive_offset: (p) => p.positive?.offset ?? null,
  positive_counts: (p) => p.positive?.bucketCounts ?? [],
  negative_offset: (p) => p.negative?.offset ?? null,
  negative_counts: (p) => p.negative?.bucketCounts ?? [],
  quantiles: (p) => (p.quantiles === null ? null : json(p.quantiles)),
  exemplars: (p) => json(p.exemplars),
  exact_counts: (p) => (p.exactCounts === undefined ? null : json(p.exactCounts)),
};

const SCORE: Getters<ScoreRow> = {
  project_id: (s) => s.projectId,
  score_id: (s) => s.scoreId,
  time: (s) => iso(s.timeUs),
  trace_id: (s) => s.traceId,
  span_id: (s) => s.spanId,
  session_id: (s) => s.sessionId,
  response_id: (s) => s.responseId,
  name: (s) => s.name,
  value: (s) => s.value,
  label: (s) => s.label,
  comment: (s) => s.comment,
  source: (s) => s.source,
  author: (s) => s.author,
};

/** What the fake's export reads: its committed records. */
export interface FakeExportData {
  spans: readonly SpanRecord[];
  logs: readonly LogRecordData[];
  metricPoints: readonly MetricPointRecord[];
  scores: readonly ScoreRow[];
}

export class FakeRecordExport implements RecordExporter {
  constructor(private readonly data: () => FakeExportData) {}

  async toFile(query: ExportQuery, path: string): Promise<void> {
    const text = this.rowsOf(query)
      .map((row) => `${JSON.stringify(row)}\n`)
      .join('');
    if (query.format === 'jsonl') return writeFile(path, text);
    const lines = join(tmpdir(), `spoor-fake-export-${randomUUID()}.jsonl`);
    await writeFile(lines, text);
    const instance = await DuckDBInstance.create(':memory:', NO_SPILL);
    const connection = await instance.connect();
    try {
      const columns = EXPORT_TABLES[query.signal].columns.map((c) => `'${c.name}': '${c.type}'`).join(', ');
      await connection.run(`COPY (SELECT * FROM read_json('${lines}', format = 'newline_delimited', columns = {${columns}})) TO '${path}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
      await rm(lines, { force: true });
    }
  }

  async open(query: ExportQuery): Promise<AsyncGenerator<Uint8Array, void, undefined>> {
    const path = join(tmpdir(), `spoor-fake-export-${randomUUID()}.${query.format}`);
    await this.toFile(query, path);
    const bytes = await readFile(path);
    await rm(path, { force: true });
    return (async function* () {
      // In a few pieces, as an engine's answer comes.
      for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
    })();
  }

  /** The rows of the query, each with the signal's columns in order. */
  private rowsOf(query: ExportQuery): Array<Record<string, unknown>> {
    const data = this.data();
    const inQuery = (projectId: string, timeUs: number): boolean => projectId === query.projectId && timeUs >= query.fromUs && timeUs < query.toUs;
    const rows = (signal: ExportSignal, records: readonly object[], getters: Getters<never>): Array<Record<string, unknown>> =>
      records.map((record) => Object.fromEntries(EXPORT_TABLES[signal].columns.map((c) => [c.name, getters[c.name]!(record as never)])));
    if (query.signal === 'spans')
      return rows(
        'spans',
        data.spans.filter((s) => inQuery(s.projectId, s.startTimeUs)),
        SPAN,
      );
    if (query.signal === 'logs')
      return rows(
        'logs',
        data.logs.filter((l) => inQuery(l.projectId, l.timeUs)),
        LOG,
      );
    if (query.signal === 'metrics')
      return rows(
        'metrics',
        data.metricPoints.filter((p) => inQuery(p.projectId, p.timeUs)),
        POINT,
      );
    // Scores: the newest row of each slot, unless it is a deletion.
    const newest = new Map<string, ScoreRow>();
    for (const s of data.scores) {
      if (s.projectId !== query.projectId) continue;
      const before = newest.get(s.scoreId);
      if (before === undefined || s.timeUs > before.timeUs || (s.timeUs === before.timeUs && s.writtenUs > before.writtenUs)) newest.set(s.scoreId, s);
    }
    return rows(
      'scores',
      [...newest.values()].filter((s) => !s.deleted && inQuery(s.projectId, s.timeUs)),
      SCORE,
    );
  }
}

import type { DuckDBConnection } from '@duckdb/node-api';
import type { ScoreRecord } from '@spoor/model';
import { BatchBuilder, type ColumnSpec, type TableBatch, textsOf } from '../columns.js';
import { SCORES, SPANS } from '../tables.js';
import type { WriteBatch } from '../write-port.js';
import { duckDbDialect } from './dialect.js';
import { partsOfTraces } from '../sql/filters.js';

/**
 * The scored span's facts in the DuckDB `scores` table: its `source_id`, `service_name` and
 * `start_us` (`span_source_id`, `span_service`, `span_start_us`). The release comparison reads a
 * score's side from them when the side is its span's resource's (`sql/score-compare.ts`), with no
 * join of the scores with the spans, which was most of its cost (1M scores on the analytics
 * benchmark). A score gets them when it is written and its span is stored in one form (one
 * source, service and start however many copies); otherwise they stay NULL and a read finds the
 * span as for any score. They are cleared when the span leaves `span_facts` (retention, or tail
 * sampling's move, which keeps no id of a span that is not an LLM call), so they never say more
 * than the spans do. What they do not see: a copy of the span in another form stored after the
 * score (the same ids from another resource or with another start, a sender's mistake; a resent
 * span is the same form), which puts the score on that copy's side too when read by the spans.
 */

/** The facts' columns, after the columns `store/tables.ts` gives `scores`. */
export const SPAN_FACT_COLUMNS: readonly ColumnSpec[] = [
  { name: 'span_source_id', type: 'varchar' },
  { name: 'span_service', type: 'varchar' },
  { name: 'span_start_us', type: 'bigint' },
];

/** A scored span's facts. */
export interface SpanFacts {
  sourceId: string;
  service: string;
  startUs: number;
}

const CLEARED = 'span_source_id = NULL, span_service = NULL, span_start_us = NULL';

/** Clears the facts of the spans retention deletes (`start_us` before `$1`), before it deletes them: in between, reads find the spans. */
export const CLEAR_FACTS_OLDER_THAN = `UPDATE scores SET ${CLEARED} WHERE span_start_us < $1::BIGINT`;

/** Clears the facts of the scores of the traces `ids` (SQL after `IN`) of a project (`project`, a placeholder): their spans are moved to `span_stats`. */
export function clearFactsOfTraces(project: string, ids: string): string {
  return `UPDATE scores SET ${CLEARED} WHERE project_id = ${project} AND span_start_us IS NOT NULL AND trace_id IN ${ids}`;
}

/** The facts of every score stored (the migration that made the columns): the spans of one form, by their ids. */
export function backfillSpanFacts(): string {
  const columns = 'project_id, trace_id, span_id, source_id, service_name, start_us';
  return `UPDATE scores SET span_source_id = f.source_id, span_service = f.service_name, span_start_us = f.start_us
FROM (SELECT project_id, trace_id, span_id, min(source_id) AS source_id, min(service_name) AS service_name, min(start_us) AS start_us
  FROM (SELECT ${columns} FROM spans UNION ALL SELECT ${columns} FROM span_stats) AS copies
  WHERE (project_id, trace_id, span_id) IN (SELECT project_id, trace_id, span_id FROM scores WHERE span_id IS NOT NULL)
  GROUP BY ALL HAVING count(DISTINCT (source_id, service_name, start_us)) = 1) AS f
WHERE scores.span_id IS NOT NULL AND scores.project_id = f.project_id AND scores.trace_id = f.trace_id AND scores.span_id = f.span_id;`;
}

/** Where a scored span is: its project, trace and span ids. */
type Target = Pick<ScoreRecord, 'projectId' | 'traceId' | 'spanId'>;

/** The key of a scored span in the facts `storedFacts` and `spanForms` answer. */
export const factsKey = (traceId: string, spanId: string): string => `${traceId}/${spanId}`;

/** The facts of the spans `scores` name that are stored now, by `trace/span` (`factsKey`): those stored in one form. */
export async function storedFacts(connection: DuckDBConnection, scores: readonly Target[]): Promise<Map<string, SpanFacts>> {
  const found = new Map<string, SpanFacts>();
  for (const [k, facts] of await spanForms(connection, scores)) if (facts !== null) found.set(k, facts);
  return found;
}

/**
 * The spans `scores` name that are stored now, by `trace/span`, each with its facts, or `null`
 * when it is stored in more than one form; one project at a time: the times of the traces' parts
 * first, so that the spans' read skips all but their row groups (a span lies within its trace's
 * parts' times).
 */
export async function spanForms(connection: DuckDBConnection, scores: readonly Target[]): Promise<Map<string, SpanFacts | null>> {
  const found = new Map<string, SpanFacts | null>();
  const byProject = new Map<string, Map<string, [string, string]>>();
  for (const s of scores) {
    if (s.traceId === null || s.spanId === null) continue;
    let spans = byProject.get(s.projectId);
    if (spans === undefined) byProject.set(s.projectId, (spans = new Map()));
    spans.set(factsKey(s.traceId, s.spanId), [s.traceId, s.spanId]);
  }
  for (const [projectId, spans] of byProject) {
    // Ids as a list of values where they are few (DuckDB filters the scan by them), not a join.
    const traces = [...new Set([...spans.values()].map(([t]) => t))];
    const q = duckDbDialect.params();
    const bounds = (
      await connection.runAndReadAll(
        `SELECT min(start_us), max(end_us) FROM trace_parts WHERE project_id = ${q.add(projectId)} AND ${partsOfTraces(q, traces)}`,
        q.values,
      )
    ).getRows()[0];
    if (bounds === undefined || bounds[0] === null) continue;
    const p = duckDbDialect.params();
    const rows = await connection.runAndReadAll(
      `SELECT trace_id, span_id, min(source_id), min(service_name), min(start_us), count(DISTINCT (source_id, service_name, start_us)) FROM span_facts
       WHERE project_id = ${p.add(projectId)} AND start_us >= ${p.int(Number(bounds[0]))} AND start_us <= ${p.int(Number(bounds[1]))}
         AND trace_id IN ${p.texts(traces)} AND span_id IN ${p.texts([...new Set([...spans.values()].map(([, id]) => id))])}
       GROUP BY ALL`,
      p.values,
    );
    for (const [traceId, spanId, sourceId, service, startUs, forms] of rows.getRows()) {
      // The ids are matched each on its own: a span of one trace with the id of another's is no score's.
      const k = factsKey(traceId as string, spanId as string);
      if (!spans.has(k)) continue;
      found.set(k, Number(forms) === 1 ? { sourceId: sourceId as string, service: service as string, startUs: Number(startUs) } : null);
    }
  }
  return found;
}

/** `scores`' columns (`scoreColumns`) with the facts after them: each score's from `facts` by its span, NULL where it has none. */
export function withFacts(
  batch: TableBatch,
  traceIds: ReadonlyArray<string | null>,
  spanIds: ReadonlyArray<string | null>,
  facts: ReadonlyMap<string, SpanFacts>,
): TableBatch {
  const b = new BatchBuilder(batch.table, SPAN_FACT_COLUMNS, batch.rows);
  for (let row = 0; row < batch.rows; row++) {
    const [traceId, spanId] = [traceIds[row], spanIds[row]];
    const f = traceId === null || traceId === undefined || spanId === null || spanId === undefined ? undefined : facts.get(factsKey(traceId, spanId));
    b.varchar(f?.sourceId ?? null)
      .varchar(f?.service ?? null)
      .number(f?.startUs ?? null)
      .endRow();
  }
  return { ...batch, columns: [...batch.columns, ...b.build().columns] };
}

const at = (specs: readonly ColumnSpec[], name: string): number => specs.findIndex((c) => c.name === name);
const texts = (batch: TableBatch, specs: readonly ColumnSpec[], name: string): Array<string | null> =>
  textsOf(batch.columns[at(specs, name)] as Extract<TableBatch['columns'][number], { type: 'varchar' }>, batch.rows);

/**
 * A write batch's `scores` table with its facts, taken from the spans of the same batch (the
 * spans evaluation events came in): no read of the store in the writer's commit. A score whose
 * span came in an earlier batch, or not yet, keeps none.
 */
export function batchScoresWithFacts(batch: WriteBatch, scores: TableBatch): TableBatch {
  const traceIds = texts(scores, SCORES, 'trace_id');
  const spanIds = texts(scores, SCORES, 'span_id');
  const facts = new Map<string, SpanFacts>();
  const mixed = new Set<string>();
  const wanted = new Set<string>();
  for (let row = 0; row < scores.rows; row++) if (traceIds[row] !== null && spanIds[row] !== null) wanted.add(factsKey(traceIds[row]!, spanIds[row]!));
  if (wanted.size > 0) {
    for (const spans of batch.tables) {
      if (spans.table !== 'spans' || spans.rows === 0) continue;
      const [traces, ids, sources, services] = ['trace_id', 'span_id', 'source_id', 'service_name'].map((name) => texts(spans, SPANS, name));
      const starts = spans.columns[at(SPANS, 'start_us')] as Extract<TableBatch['columns'][number], { type: 'bigint' | 'double' }>;
      for (let row = 0; row < spans.rows; row++) {
        const k = factsKey(traces![row]!, ids![row]!);
        if (!wanted.has(k)) continue;
        const f = { sourceId: sources![row]!, service: services![row]!, startUs: starts.values[row]! };
        const before = facts.get(k);
        // A span twice in one batch in two forms: its side is not one fact.
        if (before !== undefined && (before.sourceId !== f.sourceId || before.service !== f.service || before.startUs !== f.startUs)) mixed.add(k);
        facts.set(k, f);
      }
    }
  }
  for (const k of mixed) facts.delete(k);
  return withFacts(scores, traceIds, spanIds, facts);
}

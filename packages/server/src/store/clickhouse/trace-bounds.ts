import { ChParams, type ChClient } from './client.js';

/**
 * A trace's spans are found by time first: the span times its `trace_parts` bound (parts are
 * ordered by project and trace, so that reads a granule or so of each day) let a span read prune
 * day partitions and granules by start time, and the trace id's bloom filter skips the granules
 * of other traces. The bounds go into the span read as scalar subqueries, which ClickHouse runs
 * before it picks the parts to read, so one round trip does both.
 */
export interface TraceBounds {
  /** SQL of the earliest span start of the trace, NULL for a trace the project does not have. */
  fromUs: string;
  /** SQL of the latest span end, likewise. */
  toUs: string;
}

export function traceBoundsSql(ch: ChClient, project: string, trace: string): TraceBounds {
  // minOrNull: a plain min over no rows is 0, not NULL.
  const parts = `FROM ${ch.tables.trace_parts} WHERE project_id = ${project} AND trace_id = ${trace}`;
  return { fromUs: `(SELECT minOrNull(start_us) ${parts})`, toUs: `(SELECT maxOrNull(end_us) ${parts})` };
}

/** `FROM spans WHERE ...`: the spans of a trace, whose start times lie within its parts' bounds. */
export function spansOfTrace(ch: ChClient, p: ChParams, projectId: string, traceId: string): string {
  const project = p.add(projectId);
  const trace = p.add(traceId);
  const bounds = traceBoundsSql(ch, project, trace);
  return `FROM ${ch.tables.spans}
    WHERE project_id = ${project} AND trace_id = ${trace} AND start_us BETWEEN ${bounds.fromUs} AND ${bounds.toUs}`;
}

/** Whether the project has the trace (some part of it). */
export async function hasTrace(ch: ChClient, projectId: string, traceId: string): Promise<boolean> {
  const p = new ChParams();
  const row = await ch.row<{ n: number }>(
    'find a trace',
    `SELECT count() AS n FROM ${ch.tables.trace_parts} WHERE project_id = ${p.add(projectId)} AND trace_id = ${p.add(traceId)}`,
    p,
  );
  return row !== null && row.n > 0;
}

/**
 * `TraceReader.countTraceTextBytes` in one round trip: the bounds as the span read's scalar
 * subqueries, where the engine-neutral count asks for them first (a trace's whole answer waits
 * on this count before it reads anything). The texts' lengths are read, not the texts.
 */
export async function countTraceTextBytes(ch: ChClient, projectId: string, traceId: string): Promise<number> {
  const p = new ChParams();
  const row = await ch.row<{ n: number | string }>(
    "count a trace's stored bytes",
    `SELECT sum(length(attributes) + length(events) + length(links)) AS n ${spansOfTrace(ch, p, projectId, traceId)}`,
    p,
  );
  return Number(row?.n ?? 0);
}

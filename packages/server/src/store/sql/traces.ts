import type { TimeRange, TraceQuery, TraceSort, TraceSummaryRecord } from '@spoor/model';
import { type Row, num, numOrNull } from '../record-rows.js';
import type { ServiceRecord, TimeKey } from '../store.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { attributeEquals, likePattern, originCondition, partsOfTraces, timeFilters } from './filters.js';
import { scoreFilterSet } from './score-tallies.js';

/** The trace list, services, and what every engine's trace reads share. */

/** How far around a trace's span times its logs are looked for. */
export const LOG_MARGIN_US = 3_600_000_000;

/**
 * What the list's trace filters (`traceFilterSql`'s `traceFilters`) read of a trace's totals:
 * numbers alone, whose grouping DuckDB spills where its memory limit does not hold it (with the
 * texts of `TRACE_TOTALS` beside them it ran out of memory on a big store). Whatever groups traces
 * only to filter or find them (the list's page, the sampled-out count, the complete traces)
 * groups these.
 */
export const TRACE_FILTER_TOTALS = 'min(start_us) AS t_start, max(end_us) AS t_end, sum(error_count) AS t_errors';

/**
 * A trace's totals over its `trace_parts` rows, grouped by trace: `TRACE_FILTER_TOTALS` (its
 * times and errors), its span count, tokens and cost, and its root span's name and service (the
 * first span's while the root has not arrived). Read by name.
 */
export const TRACE_TOTALS = `${TRACE_FILTER_TOTALS}, sum(span_count) AS t_spans,
  coalesce(max(root_name), argMin(first_name, start_us)) AS t_root, coalesce(max(root_service), argMin(first_service, start_us)) AS t_service,
  sum(input_tokens) AS t_input, sum(output_tokens) AS t_output, sum(cost_usd) AS t_cost, coalesce(sum(unpriced_calls), 0) AS t_unpriced`;

/** What a trace summary and a session's run read alike of a row with `trace_id` and `TRACE_TOTALS`. */
export function traceTotalsFromRow(row: Row) {
  return {
    traceId: row.get('trace_id') as string,
    serviceName: row.get('t_service') as string,
    startTimeUs: num(row.get('t_start')),
    endTimeUs: num(row.get('t_end')),
    spanCount: num(row.get('t_spans')),
    errorCount: num(row.get('t_errors')),
    inputTokens: numOrNull(row.get('t_input')),
    outputTokens: numOrNull(row.get('t_output')),
    costUsd: numOrNull(row.get('t_cost')),
    unpricedCalls: num(row.get('t_unpriced')),
  };
}

/**
 * The trace list: traces (from their `trace_parts`) that have a span matching every span
 * filter and whose scores meet every score filter, then filtered as whole traces, in the order of
 * `query.sort` (newest first by default) after the cursor `after` (that order's key, `SORT_KEYS`).
 * With `traceIds`, of those traces alone (the live list's summaries).
 *
 * Another order than newest first groups every trace of the range (its first and last trace can
 * be anywhere in it): quick over an hour or a day, slower the more traces the range holds.
 *
 * A page reads a window of recent parts, not every trace of the project (grouping them all took
 * seconds and ran DuckDB out of memory on a store of 21 million spans). A trace that started at
 * or after `from` has every part starting at or after it, so a page's traces are found among the
 * parts of a window `[from, upper)` (`upper`: the range's end or the cursor) and summed over
 * their parts since `from`; a trace with a part before `from` (one that crossed it) started
 * before the window and waits for a wider one. The first window holds the newest
 * `FIRST_WINDOW_PARTS` parts per trace wanted; a window that does not fill the page grows `WIDEN`
 * times further back until it does or holds the whole range.
 */
export async function listTraces(
  db: SqlEngine,
  query: Omit<TraceQuery, 'limit' | 'cursor'>,
  after: TimeKey | null,
  limit: number,
  traceIds: readonly string[] | null = null,
): Promise<TraceSummaryRecord[]> {
  if (traceIds !== null) return listWindow(db, query, after, limit, { from: null, upper: null, traceIds, crossed: [] });
  const lower = query.range.fromUs;
  // Newest first, the cursor is a start: the traces after it started before it.
  const byStart = (query.sort ?? 'start') === 'start';
  const upper = minOf(query.range.toUs, after === null || !byStart ? null : after.timeUs + 1);
  const newest = await newestParts(db, query.projectId, lower, upper, FIRST_WINDOW_PARTS * limit);
  if (newest === null) return [];
  // Fewer parts than the first window holds: the whole range is the window. Slowest (costliest,
  // most tokens) first can be any trace of the range: its window is the range.
  let from = !byStart || newest.count < FIRST_WINDOW_PARTS * limit ? lower : newest.oldestUs;
  let oldestUs: number | null = null;
  for (;;) {
    // Twice the page is read, its traces that crossed `from` dropped: `limit` left are the page
    // (a trace missing from them would have ranked above them). Fewer, and a window short of the
    // range grows; the whole range's window reads on past the traces that crossed its start.
    const crossed: string[] = [];
    for (;;) {
      const rows = await listWindow(db, query, after, 2 * limit, { from, upper, traceIds: null, crossed });
      const crossing =
        from === null || rows.length === 0
          ? []
          : await crossedBefore(
              db,
              query.projectId,
              from,
              rows.map((t) => t.traceId),
            );
      const dropped = new Set(crossing);
      const page = dropped.size === 0 ? rows : rows.filter((t) => !dropped.has(t.traceId));
      if (page.length >= limit || (rows.length < 2 * limit && from === lower)) return page.slice(0, limit);
      if (from !== lower) break;
      crossed.push(...crossing);
    }
    oldestUs ??= await oldestPart(db, query.projectId, upper);
    const wider = newest.newestUs + 1 - (newest.newestUs + 1 - from!) * WIDEN;
    from = lower !== null && wider <= lower ? lower : lower === null && wider <= oldestUs ? null : wider;
  }
}

/** The first window's parts per trace a page asks for. */
const FIRST_WINDOW_PARTS = 4;
/** How many times longer each next window is, back from the newest part. */
const WIDEN = 8;

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/**
 * Of the project's parts starting in `[lower, upper)`, the newest `parts`: the newest start, the
 * oldest start of them, and how many there are (fewer when the range holds fewer); `null` when
 * the range holds none.
 */
async function newestParts(
  db: SqlEngine,
  projectId: string,
  lower: number | null,
  upper: number | null,
  parts: number,
): Promise<{ newestUs: number; oldestUs: number; count: number } | null> {
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`];
  if (lower !== null) where.push(`start_us >= ${p.int(lower)}`);
  if (upper !== null) where.push(`start_us < ${p.int(upper)}`);
  const [row] = await db.rows(
    'find the newest trace parts',
    `SELECT max(start_us) AS newest_us, min(start_us) AS oldest_us, count(*) AS parts
     FROM (SELECT start_us FROM ${d.tables.trace_parts} WHERE ${where.join(' AND ')} ORDER BY start_us DESC LIMIT ${p.count(parts)}) AS newest`,
    p,
    (r) => ({ newestUs: num(r.get('newest_us')), oldestUs: num(r.get('oldest_us')), count: num(r.get('parts')) }),
  );
  if (row === undefined || row.count === 0) return null;
  return row;
}

/** The oldest start of the project's parts before `upper`. */
async function oldestPart(db: SqlEngine, projectId: string, upper: number | null): Promise<number> {
  const d = db.dialect;
  const p = d.params();
  const before = upper === null ? '' : ` AND start_us < ${p.int(upper)}`;
  const [oldest] = await db.rows(
    'find the oldest trace part',
    `SELECT min(start_us) AS oldest_us FROM ${d.tables.trace_parts} WHERE project_id = ${p.add(projectId)}${before}`,
    p,
    (r) => num(r.get('oldest_us')),
  );
  return oldest ?? 0;
}

/** Of `traceIds`, those with a part starting before `from`: they started before a window from there. */
function crossedBefore(db: SqlEngine, projectId: string, from: number, traceIds: readonly string[]): Promise<string[]> {
  const d = db.dialect;
  const p = d.params();
  return db.rows(
    'find traces started before a window',
    `SELECT DISTINCT trace_id FROM ${d.tables.trace_parts}
     WHERE project_id = ${p.add(projectId)} AND ${partsOfTraces(p, traceIds)} AND start_us < ${p.int(from)}`,
    p,
    (r) => r.get('trace_id') as string,
  );
}

/**
 * A page of the list from one window: the traces with a part starting in `[from, upper)` (or of
 * `traceIds`), less `crossed`, summed over their parts since `from`. Right for every trace with
 * no part before `from`; the caller finds the others (`crossedBefore`).
 */
function listWindow(
  db: SqlEngine,
  query: Omit<TraceQuery, 'limit' | 'cursor'>,
  after: TimeKey | null,
  limit: number,
  window: { from: number | null; upper: number | null; traceIds: readonly string[] | null; crossed: readonly string[] },
): Promise<TraceSummaryRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(query.projectId);
  const { from, upper, traceIds, crossed } = window;
  const { matched, traceFilters } = listFilterSql(d, p, project, query, from);
  const key = SORT_KEYS[query.sort ?? 'start'];
  if (after !== null) {
    const t = p.int(after.timeUs);
    traceFilters.push(`(t_key < ${t} OR (t_key = ${t} AND trace_id < ${p.add(after.id)}))`);
  }
  const since = from === null ? '' : ` AND start_us >= ${p.int(from)}`;
  const where = [`project_id = ${project}${since}`];
  if (traceIds !== null) where.push(partsOfTraces(p, traceIds));
  if (upper !== null)
    where.push(`trace_id IN (SELECT trace_id FROM ${d.tables.trace_parts} WHERE project_id = ${project}${since} AND start_us < ${p.int(upper)})`);
  if (crossed.length > 0) where.push(`trace_id NOT IN ${p.texts(crossed)}`);
  // The page is chosen by numbers alone, then the texts are read for its traces.
  return db.rows(
    'list traces',
    `WITH page AS (
       SELECT trace_id, ${TRACE_FILTER_TOTALS}, ${key} AS t_key
       FROM ${d.tables.trace_parts}
       WHERE ${where.join(' AND ')}${matched}
       GROUP BY trace_id
       ${traceFilters.length > 0 ? `HAVING ${traceFilters.join(' AND ')}` : ''}
       ORDER BY t_key DESC, trace_id DESC
       LIMIT ${p.count(limit)}
     )
     SELECT trace_id, ${TRACE_TOTALS}, ${key} AS t_key, max(session_id) AS t_session, max(user_id) AS t_user
     FROM ${d.tables.trace_parts}
     WHERE project_id = ${project}${since}${traceIds === null ? '' : ` AND ${partsOfTraces(p, traceIds)}`}
       AND trace_id IN (SELECT trace_id FROM page)
     GROUP BY trace_id
     ORDER BY t_key DESC, trace_id DESC
     ${d.largeInSets}`,
    p,
    (row) => ({
      ...traceTotalsFromRow(row),
      rootName: row.get('t_root') as string,
      sessionId: (row.get('t_session') as string | null) ?? null,
      userId: (row.get('t_user') as string | null) ?? null,
    }),
  );
}

/**
 * Each order's key over a trace's parts, as `traceSortKey` (@spoor/model) works it out from a
 * summary: whole numbers, so a cursor holds a key exactly and a page goes on where the last ended.
 */
const SORT_KEYS: Record<TraceSort, string> = {
  start: 'min(start_us)',
  duration: 'max(end_us) - min(start_us)',
  cost: 'CAST(coalesce(round(sum(cost_usd) * 1e9), -1) AS BIGINT)',
  tokens: 'coalesce(sum(input_tokens), 0) + coalesce(sum(output_tokens), 0)',
};

/**
 * `traceFilterSql` with the list's range: the traces the list shows of `query.range`, started in
 * it. A span still running matches the span filters too: a run whose root (with its session and
 * name) runs while a child has ended has that child alone stored.
 */
export function listFilterSql(
  d: Dialect,
  p: Params,
  project: string,
  query: Omit<TraceQuery, 'limit' | 'cursor'>,
  windowFromUs: number | null = null,
): { matched: string; traceFilters: string[] } {
  const { fromUs, toUs } = query.range;
  const filters = traceFilterSql(d, p, project, query, windowFromUs ?? fromUs, true);
  if (fromUs !== null) filters.traceFilters.push(`t_start >= ${p.int(fromUs)}`);
  if (toUs !== null) filters.traceFilters.push(`t_start < ${p.int(toUs)}`);
  return filters;
}

/**
 * The trace list's filters (no range or cursor) over `trace_parts` grouped by trace: `matched`
 * ends its `WHERE` (the traces with a span matching every span filter and scores meeting every
 * score filter), `traceFilters` go in its
 * `HAVING` (over `TRACE_FILTER_TOTALS`). `spansFromUs` bounds the spans looked at by their start, when
 * every trace wanted starts after it. With `running`, a running span's snapshots (`running_spans`,
 * of the same columns) are looked at beside the stored spans; a snapshot of a span stored ended
 * is looked at until the sweep deletes it, as it was the span running.
 */
export function traceFilterSql(
  d: Dialect,
  p: Params,
  project: string,
  filter: Omit<TraceQuery, 'projectId' | 'range' | 'limit' | 'cursor'>,
  spansFromUs: number | null,
  running = false,
): { matched: string; traceFilters: string[] } {
  const spanFilters: string[] = [];
  if (filter.service !== null) spanFilters.push(`service_name = ${p.add(filter.service)}`);
  if (filter.spanName !== null) spanFilters.push(`name = ${p.add(filter.spanName)}`);
  if (filter.text !== null) spanFilters.push(d.ilike('name', p.add(likePattern(filter.text))));
  if (filter.sessionId !== null) spanFilters.push(`session_id = ${p.add(filter.sessionId)}`);
  if (filter.model !== null) {
    const model = p.add(filter.model);
    spanFilters.push(`(llm_request_model = ${model} OR llm_response_model = ${model})`);
  }
  for (const { key, value } of filter.attributes) spanFilters.push(attributeEquals(d, p, project, key, value));
  const traceFilters: string[] = [];
  if (filter.status === 'error') traceFilters.push('t_errors > 0');
  if (filter.status === 'ok') traceFilters.push('t_errors = 0');
  if (filter.minDurationMs !== null) traceFilters.push(`t_end - t_start >= ${p.add(filter.minDurationMs * 1000)}`);
  if (filter.maxDurationMs !== null) traceFilters.push(`t_end - t_start <= ${p.add(filter.maxDurationMs * 1000)}`);
  let matched = '';
  if (spanFilters.length > 0) {
    // Every span of a trace starts at or after the trace's start, so `from` also bounds spans.
    const spanTime = spansFromUs !== null ? ` AND start_us >= ${p.int(spansFromUs)}` : '';
    const spans = `project_id = ${project}${spanTime} AND ${spanFilters.join(' AND ')}`;
    // One `IN` over both sets of ids: the plan is that of the stored spans alone (`bench/trace-list-running.mjs`).
    const snapshots = running ? ` UNION ALL SELECT trace_id FROM ${d.tables.running_spans} WHERE ${spans}` : '';
    matched = ` AND trace_id IN (SELECT trace_id FROM ${d.tables.span_facts} WHERE ${spans}${snapshots})`;
  }
  // Each score filter is a set of trace ids made first from the scores of its name alone.
  for (const score of filter.scores) matched += ` AND trace_id IN (${scoreFilterSet(d, p, project, score)})`;
  matched += originCondition(p, 'first_service', filter.origin);
  return { matched, traceFilters };
}

/** The services that sent spans, logs or metric points in the range, with their counts, by name. */
export function listServices(db: SqlEngine, projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const project = p.add(projectId);
  const where = (time: string) => [`project_id = ${project}`, ...timeFilters(p, time, range)].join(' AND ');
  return db.rows(
    'list services',
    `SELECT service_name, sum(s) AS spans, sum(e) AS errors, sum(l) AS logs, sum(m) AS points, max(t) AS last_us
     FROM (
       SELECT service_name, count(*) AS s, countIf(status_code = 2) AS e, 0 AS l, 0 AS m, max(start_us) AS t
       FROM ${d.tables.span_facts} WHERE ${where('start_us')} GROUP BY service_name
       UNION ALL
       SELECT service_name, 0, 0, count(*), 0, max(time_us) FROM ${d.tables.logs} WHERE ${where('time_us')} GROUP BY service_name
       UNION ALL
       SELECT service_name, 0, 0, 0, count(*), max(time_us) FROM ${d.tables.metric_points} WHERE ${where('time_us')} GROUP BY service_name
     ) AS counts GROUP BY service_name ORDER BY service_name`,
    p,
    (row) => ({
      name: row.get('service_name') as string,
      spanCount: num(row.get('spans')),
      errorCount: num(row.get('errors')),
      logCount: num(row.get('logs')),
      metricPointCount: num(row.get('points')),
      lastSeenUs: num(row.get('last_us')),
    }),
  );
}

/**
 * The condition on a trace's spans of an in-trace search: attributes, status message or events
 * contain `text`, case-insensitively. The stored JSON text is searched, so attribute keys match
 * too; there `text` is looked for as JSON writes it inside a string, so quotes, backslashes and
 * control characters in it match.
 */
export function traceSearchCondition(d: Dialect, p: Params, text: string): string {
  const like = p.add(likePattern(text));
  const inJson = p.add(likePattern(JSON.stringify(text).slice(1, -1)));
  return `(${d.ilike('attributes', inJson)} OR ${d.ilike('status_message', like)} OR ${d.ilike('events', inJson)})`;
}

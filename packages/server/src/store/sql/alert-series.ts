import { num, numOrNull } from '../record-rows.js';
import { type AlertSeriesQuery, type AlertSeriesRow, type AlertSeriesSource, StoreError } from '../store.js';
import { LabelSql, matcherSql } from './alert-labels.js';
import { errorGroupEnds } from './error-seen.js';
import { originCondition } from './filters.js';
import { UNPRICED_CALL } from './pricing.js';
import { latestScores } from './scores.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';

/**
 * Alert rule series: one aggregate per group of labels and time bucket, in one statement per
 * call. The alert scheduler runs hundreds of these every 15 s, so every statement filters on the
 * project and the time range first (DuckDB's zone maps skip the row groups outside it, ClickHouse
 * its primary key and day partitions) and leaves nothing to JS but reading the result.
 */

/** An aggregate over the rows of one group and bucket; `stepSeconds` adds the step in seconds as a parameter. */
type ValueSql = (d: Dialect, stepSeconds: () => string) => string;

/** The aggregates both a whole read (`VALUES`) and a read by slices (`SLICED`) make. */
const ERRORS = 'countIf(status_code = 2)';
const TOKENS = 'sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0))';
const INPUT_TOKENS = 'sum(coalesce(input_tokens, 0))';
const OUTPUT_TOKENS = 'sum(coalesce(output_tokens, 0))';
const COST = 'sum(coalesce(cost_usd, 0))';
/** LLM calls with tokens and no cost, which `cost` leaves out: an alert that a cost is partial. */
const UNPRICED = `countIf(${UNPRICED_CALL})`;
const MIN_MS = 'min(duration_us / 1000)';
const MAX_MS = 'max(duration_us / 1000)';

const count: ValueSql = () => 'count(*)';
// Only `rate` adds the step: DuckDB refuses a parameter its statement does not use.
const rate: ValueSql = (_d, stepSeconds) => `count(*) / ${stepSeconds()}`;
const quantile =
  (q: number): ValueSql =>
  (d) =>
    d.quantileSameBits('duration_us / 1000', q);
/** NULL over no values, where ClickHouse's list of none would give 0. */
const scoreQuantile =
  (q: number): ValueSql =>
  (d) =>
    `CASE WHEN count(value) > 0 THEN ${d.quantileSameBits('value', q)} END`;

/** The functions that aggregate the matching records in one pass; `seriesSql` has the others. */
const VALUES: Record<AlertSeriesSource, ReadonlyMap<string, ValueSql>> = {
  spans: new Map([
    ['count', count],
    ['rate', rate],
    ['errors', () => ERRORS],
    ['error_rate', () => `${ERRORS} / count(*)`],
    ['tokens', () => TOKENS],
    ['input_tokens', () => INPUT_TOKENS],
    ['output_tokens', () => OUTPUT_TOKENS],
    ['cost', () => COST],
    ['unpriced_calls', () => UNPRICED],
  ]),
  duration: new Map([
    ['avg', () => 'avg(duration_us / 1000)'],
    ['min', () => MIN_MS],
    ['max', () => MAX_MS],
    ['p50', quantile(0.5)],
    ['p90', quantile(0.9)],
    ['p95', quantile(0.95)],
    ['p99', quantile(0.99)],
  ]),
  logs: new Map([
    ['count', count],
    ['rate', rate],
  ]),
  errors: new Map([['count', count]]),
  // A score without a value (a label only) counts, and is left out of the others, as SQL leaves NULL.
  scores: new Map([
    ['count', count],
    ['rate', rate],
    ['avg', () => 'avg(value)'],
    ['min', () => 'min(value)'],
    ['max', () => 'max(value)'],
    ['sum', () => 'sum(value)'],
    ['p50', scoreQuantile(0.5)],
    ['p90', scoreQuantile(0.9)],
    ['p95', scoreQuantile(0.95)],
    ['p99', scoreQuantile(0.99)],
  ]),
};

/** What every statement of a query is made of. */
interface Parts {
  d: Dialect;
  p: Params;
  project: string;
  /** `... AS l0, ... AS l1`: select items of the `by` labels. */
  keys: string[];
  /** `l0`, `l1`, ...: the names the `by` labels are selected as. */
  keyNames: string[];
  /** `l0, l1, ..., bucket`: what rows are grouped by. */
  groupBy: string;
  bucket: string;
  /** Where the source's records of the range are (a table and its join, or a subquery). */
  from: string;
  /** The conditions on `from`'s rows: the project and range where `from` does not have them, then the matchers. */
  where: string[];
  matchers: string[];
  /** The first bucket's start and the range's end (placeholders). */
  start: string;
  end: string;
}

/** `sliceUs` buckets the range's records by slices counted from time 0 (`alertSlices`), so a slice keeps its number from one read to the next. */
function partsOf(d: Dialect, query: AlertSeriesQuery, sliceUs: number | null = null, p: Params = d.params()): Parts {
  const project = p.add(query.projectId);
  const start = p.int(query.startUs);
  const end = p.int(query.startUs + query.buckets * query.stepUs);
  const labels = new LabelSql(d, p, project, query.source);
  const keyNames = query.by.map((_, i) => `l${i}`);
  const keys = query.by.map((label, i) => `${labels.of(label)} AS ${keyNames[i]}`);
  const matchers = query.matchers.map((matcher) => matcherSql(d, p, labels, matcher));
  const join = labels.join();
  let time: string;
  let from: string;
  let scope: string[];
  if (query.source === 'scores') {
    // The newest version of each score whose newest version is in the range: only the slots
    // with a row in the range can have it there, so only their rows are ranked.
    time = 'time_us';
    const inRange = `score_id IN (SELECT score_id FROM ${d.tables.scores} WHERE project_id = ${project} AND time_us >= ${start} AND time_us < ${end})`;
    from = `(${latestScores(d, project, [inRange])}) AS s`;
    scope = ['NOT deleted', `time_us >= ${start}`, `time_us < ${end}`];
  } else if (query.source === 'errors') {
    // Error events, not `errors`: a step that only passes on its LLM call's error is not a second error.
    time = 'time_us';
    from = `${d.errorEvents(project, [`time_us >= ${start}`, `time_us < ${end}`])} AS e`;
    scope = [];
  } else if (query.source === 'logs') {
    time = 'time_us';
    from = `${d.tables.logs} ${join}`;
    scope = [`project_id = ${project}`, `time_us >= ${start}`, `time_us < ${end}`];
  } else {
    // A span counts when it ends, as in the realtime numbers: a run is known once it is over.
    // It started before it ended (ingest makes sure), which lets the parts by start time that
    // begin after the range be skipped.
    time = 'end_us';
    from = `${d.tables.span_facts} ${join}`;
    scope = [`project_id = ${project}`, `end_us >= ${start}`, `end_us < ${end}`, ...(d.partsByStart ? [`start_us < ${end}`] : [])];
    // Alerts watch the app: Spoor's own calls (judges, experiments, replays) are not its traffic.
    scope.push(originCondition(p, 'service_name', 'app').slice(' AND '.length));
  }
  return {
    d,
    p,
    project,
    keys,
    keyNames,
    groupBy: [...keyNames, 'bucket'].join(', '),
    bucket: sliceUs === null ? d.intDiv(`${time} - ${start}`, p.int(query.stepUs)) : d.intDiv(time, p.int(sliceUs)),
    from,
    where: [...scope, ...matchers],
    matchers,
    start,
    end,
  };
}

const selectKeys = (parts: Parts): string => [...parts.keys, `${parts.bucket} AS bucket`].join(', ');
const whereOf = (conditions: readonly string[]): string => (conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`);

/** The one-pass functions: aggregate the matching records per group and bucket. */
function aggregateSql(query: AlertSeriesQuery, value: ValueSql, parts: Parts): string {
  const sql = value(parts.d, () => parts.p.float(query.stepUs / 1e6));
  return `SELECT ${selectKeys(parts)}, ${sql} AS value FROM ${parts.from} ${whereOf(parts.where)} GROUP BY ${parts.groupBy}`;
}

/**
 * The mean cost of the workflows (root spans) that ended in the bucket, each costed as its whole
 * trace: its spans' costs summed from `trace_parts`, which holds them per trace already, read
 * only for the traces of the range's roots. A trace without a cost costs 0.
 *
 * A root is costed by its trace's parts that start at most `PART_BEFORE_ROOT_US` before it: a span
 * starts after its root on one clock, and the hour is room for other services' clocks. The bound is
 * each root's, so a value does not depend on what else a read covers (a window read whole and one
 * made of cached slices agree). The parts read are cut first by the earliest root of the read
 * (`partsSinceUs`), which lets the engine skip the store's older parts by time: a join with every
 * part of the project costs with the store (DuckDB, which takes a range's roots for a fifth of the
 * spans, hashed all the parts: an alert round 3.5x as long on 100M spans as on their last day
 * alone, BENCHMARKS.md).
 *
 * Where a CTE is computed once (DuckDB), the mean is the sum of the roots' parts' costs over the
 * number of roots, both in one grouping: a row per root (counting it) and a row per part of its
 * trace (its cost), from one join of the roots with `trace_parts`. Summing each trace's parts
 * first, then joining the sums back to the roots, hashed the range's trace ids three times: 350-710
 * ms against 205-440 ms on 3.8 million spans (BENCHMARKS.md), a default rule read every round.
 *
 * Elsewhere (ClickHouse, which builds a join's right side in memory: all the project's parts)
 * the roots' traces are read from `spans` again without the matchers (and their join): a
 * superset, cut down by the join. `noIndex` keeps ClickHouse's primary key from being searched
 * with the set: trace ids are random, so a set of thousands of them touches nearly every granule
 * anyway, and the search took ~100 ms on 200,000 trace parts where reading them all took ~20.
 */
function costPerWorkflowSql(parts: Parts, partsSinceUs: number, values = 'sum(cost) / sum(n) AS value'): string {
  const { d, project } = parts;
  const since = `start_us >= ${parts.p.int(partsSinceUs)}`;
  const partsFrom = `start_us - ${parts.p.int(PART_BEFORE_ROOT_US)} AS parts_from_us`;
  const keyColumns = [...parts.keyNames, 'bucket'];
  const keys = keyColumns.map((c) => `r.${c} AS ${c}`).join(', ');
  if (d.ctesComputedOnce) {
    const roots = `roots AS (SELECT trace_id, ${partsFrom}, ${selectKeys(parts)} FROM ${parts.from} ${whereOf([...parts.where, 'parent_span_id IS NULL'])})`;
    return `WITH ${roots}
    SELECT ${parts.groupBy}, ${values} FROM (
      SELECT ${parts.groupBy}, 0 AS cost, 1 AS n FROM roots
      UNION ALL
      SELECT ${keys}, coalesce(p.cost_usd, 0) AS cost, 0 AS n
      FROM roots AS r JOIN ${d.tables.trace_parts} AS p ON p.trace_id = r.trace_id
      WHERE p.project_id = ${project} AND p.${since} AND p.start_us >= r.parts_from_us
    ) AS costed GROUP BY ${parts.groupBy}`;
  }
  // Each root row numbered, so a root is costed alone (its own bound) before the roots are averaged.
  const roots = `roots AS (SELECT trace_id, ${partsFrom}, rowNumberInAllBlocks() AS root_row, ${selectKeys(parts)}
    FROM ${parts.from} ${whereOf([...parts.where, 'parent_span_id IS NULL'])})`;
  const rootTraces = `SELECT trace_id FROM ${d.tables.span_facts} WHERE project_id = ${project} AND end_us >= ${parts.start} AND end_us < ${parts.end}
        AND start_us < ${parts.end} AND parent_span_id IS NULL`;
  return `WITH ${roots}
    SELECT ${parts.groupBy}, avg(root_cost) AS value FROM (
      SELECT ${keys}, sum(if(costs.start_us >= r.parts_from_us, costs.cost, 0)) AS root_cost
      FROM roots AS r
      LEFT JOIN (
        SELECT trace_id, start_us, coalesce(cost_usd, 0) AS cost FROM ${d.tables.trace_parts}
        WHERE project_id = ${project} AND ${since} AND ${d.noIndex('trace_id')} IN (${rootTraces})
      ) AS costs ON costs.trace_id = r.trace_id
      GROUP BY r.root_row, ${keyColumns.map((c) => `r.${c}`).join(', ')}
    ) AS costed GROUP BY ${parts.groupBy}`;
}

/** How far before its root a trace's part may start and still be costed with it (an hour): room for other services' clocks. */
const PART_BEFORE_ROOT_US = 3_600_000_000;

/**
 * Where `costPerWorkflowSql` reads parts from: `PART_BEFORE_ROOT_US` before the earliest start of
 * the roots of `ranges` ([from, to) each), `null` when they have no root.
 */
async function partsSinceUs(db: SqlEngine, query: AlertSeriesQuery, ranges: ReadonlyArray<readonly [number, number]>): Promise<number | null> {
  if (ranges.length === 0) return null;
  const p = db.dialect.params();
  const branches = ranges.map(([fromUs, toUs]) => {
    const parts = partsOf(db.dialect, { ...query, startUs: fromUs, stepUs: toUs - fromUs, buckets: 1 }, null, p);
    // The roots as the series selects them (its labels and bucket bind the same parameters), their starts kept.
    const roots = `SELECT ${selectKeys(parts)}, start_us FROM ${parts.from} ${whereOf([...parts.where, 'parent_span_id IS NULL'])}`;
    return `SELECT min(start_us) AS range_start, count(*) AS range_roots FROM (${roots}) AS roots`;
  });
  // A range without roots is left out: ClickHouse's min over no rows is 0, not NULL. And DuckDB's
  // sum over no rows is NULL, not 0: read as a number, the roots would start at time 0.
  const [first] = await db.rows(
    'find the roots of an alert series',
    `SELECT min(range_start) AS s, sum(range_roots) AS n FROM (${branches.join(' UNION ALL ')}) AS ranges WHERE range_roots > 0`,
    p,
    (row) => ((numOrNull(row.get('n')) ?? 0) === 0 ? null : num(row.get('s')) - PART_BEFORE_ROOT_US),
  );
  return first ?? null;
}

/** How error groups are counted by one occurrence each; see `firstOccurrenceSql`. */
interface FirstOccurrence {
  /** `WITH` items `firsts` and `earlier` use, each followed by a comma. */
  ctes: string;
  /** The occurrences in the range that can be a group's counted one. */
  firsts: string;
  /** The groups whose counted occurrence came before the range (a subquery or a list), `null` for none. */
  earlier: string | null;
}

/**
 * Error groups, each counted in the bucket of one occurrence: the first of `firsts` (by time,
 * then span id, NULL first, then service), unless the group is in `earlier`. Labels and
 * matchers apply to that occurrence, so they filter only after it is chosen.
 */
function firstOccurrenceSql(parts: Parts, { ctes, firsts, earlier }: FirstOccurrence): string {
  const where = [...(earlier === null ? [] : [`fingerprint NOT IN ${earlier}`]), ...parts.matchers];
  return `WITH ${ctes} firsts AS (${parts.d.firstPer(firsts, 'fingerprint', 'time_us, span_id NULLS FIRST, service_name')})
    SELECT ${selectKeys(parts)}, count(*) AS value FROM firsts ${whereOf(where)} GROUP BY ${parts.groupBy}`;
}

/**
 * Groups first seen in the bucket: seen in the range and never before it. `earlier`: the groups
 * seen in the range whose first event came before it (`groupsSeenBefore`).
 */
function newErrorGroupSql(parts: Parts, earlier: readonly string[]): string {
  return firstOccurrenceSql(parts, {
    ctes: '',
    firsts: `SELECT * FROM ${parts.from}`,
    earlier: earlier.length === 0 ? null : parts.p.texts(earlier),
  });
}

/**
 * Of the groups with an error in the range, those with an event before it. A group's earliest
 * error is almost always an event, and then says it alone (`error-seen.ts`); only a group whose
 * earliest error was passed on is looked for in its history before the range. Looking for every
 * group's events before the range cost a round 1.6-1.9x on 100M spans in ClickHouse, whose
 * subqueries are inlined into each check of every read of errors.
 */
async function groupsSeenBefore(db: SqlEngine, query: AlertSeriesQuery): Promise<string[]> {
  const startUs = query.startUs;
  const ends = await errorGroupEnds(db, query.projectId, (p) => [`time_us >= ${p.int(startUs)}`, `time_us < ${p.int(startUs + query.buckets * query.stepUs)}`]);
  const earlier = ends.certain.filter((_, i) => ends.times[2 * i]! < startUs);
  if (ends.uncertain.length === 0) return earlier;
  const d = db.dialect;
  const p = d.params();
  const project = p.add(query.projectId);
  const seen = await db.rows(
    'find error groups seen before a range',
    `SELECT DISTINCT fingerprint FROM ${d.errorEvents(project, [`fingerprint IN ${p.texts(ends.uncertain)}`, `time_us < ${p.int(startUs)}`])} AS e`,
    p,
    (row) => row.get('fingerprint') as string,
  );
  return [...earlier, ...seen];
}

/**
 * Resolved groups seen again in the bucket for the first time since they were resolved. Their
 * stored status stays `resolved` when they come back (error-groups.ts derives `unresolved`).
 */
function regressedErrorGroupSql(parts: Parts): string {
  const { d, project } = parts;
  const seenAfterResolved = (conditions: string[]) =>
    `SELECT e.* FROM ${d.errorEvents(project, [...conditions, 'fingerprint IN (SELECT fingerprint FROM resolved)'])} AS e
      INNER JOIN resolved AS r ON r.fingerprint = e.fingerprint WHERE e.time_us > r.resolved_at`;
  return firstOccurrenceSql(parts, {
    ctes: `resolved AS (
      SELECT fingerprint, ${d.notNull('resolved_us')} AS resolved_at FROM ${d.errorStates(project)} AS s
      WHERE status = 'resolved' AND resolved_us IS NOT NULL
    ),`,
    firsts: seenAfterResolved([`time_us >= ${parts.start}`, `time_us < ${parts.end}`]),
    earlier: `(SELECT fingerprint FROM (${seenAfterResolved([`time_us < ${parts.start}`])}) AS before_range)`,
  });
}

/** The statement of a query, or a `StoreError` for a function its source does not have. */
function seriesSql(query: AlertSeriesQuery, parts: Parts, partsSince: number, earlier: readonly string[]): string {
  if (query.source === 'spans' && query.fn === 'cost_per_workflow') return costPerWorkflowSql(parts, partsSince);
  if (query.source === 'errors' && query.fn === 'new_error_group') return newErrorGroupSql(parts, earlier);
  if (query.source === 'errors' && query.fn === 'regressed_error_group') return regressedErrorGroupSql(parts);
  const value = VALUES[query.source].get(query.fn);
  if (value === undefined) throw new StoreError(`alert series of ${query.source} have no function '${query.fn}'`);
  return aggregateSql(query, value, parts);
}

export async function alertSeries(db: SqlEngine, query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
  if (query.buckets <= 0 || query.stepUs <= 0) return [];
  let partsSince = 0;
  if (query.source === 'spans' && query.fn === 'cost_per_workflow') {
    const since = await partsSinceUs(db, query, [[query.startUs, query.startUs + query.buckets * query.stepUs]]);
    if (since === null) return [];
    partsSince = since;
  }
  const earlier = query.source === 'errors' && query.fn === 'new_error_group' ? await groupsSeenBefore(db, query) : [];
  const parts = partsOf(db.dialect, query);
  const { keyNames } = parts;
  return db.rows('compute an alert series', seriesSql(query, parts, partsSince, earlier), parts.p, (row) => ({
    labels: keyNames.map((name) => (row.get(name) as string | null | undefined) ?? null),
    bucket: num(row.get('bucket')),
    value: numOrNull(row.get('value')),
  }));
}

/** How one of a slice's partial aggregates combines with the same one of other slices. */
type Combine = 'sum' | 'min' | 'max';

/**
 * A function whose value over a window can be made from its values over the window's slices:
 * `partials` are kept per group and slice (SQL aggregates, `p0`, `p1`, ...), `value` makes the
 * window's from them combined.
 */
export interface SlicedFn {
  partials: ReadonlyArray<{ sql: string; combine: Combine }>;
  value(partials: readonly number[], windowSeconds: number): number;
}

const summed = (...sql: string[]): SlicedFn['partials'] => sql.map((one) => ({ sql: one, combine: 'sum' }));
const total = (sql: string): SlicedFn => ({ partials: summed(sql), value: ([v]) => v! });

/** The functions that can be read by slices: those that add up (a quantile does not). */
const SLICED: Partial<Record<AlertSeriesSource, ReadonlyMap<string, SlicedFn>>> = {
  spans: new Map<string, SlicedFn>([
    ['count', total('count(*)')],
    ['rate', { partials: summed('count(*)'), value: ([n], seconds) => n! / seconds }],
    ['errors', total(ERRORS)],
    ['error_rate', { partials: summed(ERRORS, 'count(*)'), value: ([errors, n]) => errors! / n! }],
    ['tokens', total(TOKENS)],
    ['input_tokens', total(INPUT_TOKENS)],
    ['output_tokens', total(OUTPUT_TOKENS)],
    ['cost', total(COST)],
    ['unpriced_calls', total(UNPRICED)],
    // Over `costPerWorkflowSql`'s rows: the roots' traces' costs, and the roots.
    ['cost_per_workflow', { partials: summed('sum(cost)', 'sum(n)'), value: ([cost, n]) => cost! / n! }],
  ]),
  duration: new Map<string, SlicedFn>([
    ['avg', { partials: summed('sum(duration_us / 1000)', 'count(*)'), value: ([sum, n]) => sum! / n! }],
    ['min', { partials: [{ sql: MIN_MS, combine: 'min' }], value: ([v]) => v! }],
    ['max', { partials: [{ sql: MAX_MS, combine: 'max' }], value: ([v]) => v! }],
  ]),
};

/** How a query's function is read by slices, or `null` when it cannot be on this engine. */
export function slicedFn(d: Dialect, query: AlertSeriesQuery): SlicedFn | null {
  if (query.fn === 'cost_per_workflow' && !d.ctesComputedOnce) return null;
  return SLICED[query.source]?.get(query.fn) ?? null;
}

/** One group's partials in one slice (`Slicing`): slice k is [k·sliceUs, (k+1)·sliceUs). */
export interface AlertSliceRow {
  labels: Array<string | null>;
  slice: number;
  partials: number[];
}

/**
 * The partials of a sliced function (`slicedFn`) per group and slice, over the records of the
 * `ranges` ([from, to) each). A slice cut by a range's edge holds only its part within. One
 * statement, a branch per range with its own bounds: those are what lets the engine skip the rest
 * (a disjunction of ranges is not), and a statement's own cost (some milliseconds) is what a
 * round of rules over a quiet store is mostly made of.
 */
export async function alertSlices(
  db: SqlEngine,
  query: AlertSeriesQuery,
  fn: SlicedFn,
  sliceUs: number,
  ranges: ReadonlyArray<readonly [number, number]>,
): Promise<AlertSliceRow[]> {
  const d = db.dialect;
  let partsSince = 0;
  if (query.fn === 'cost_per_workflow') {
    const since = await partsSinceUs(db, query, ranges);
    if (since === null) return [];
    partsSince = since;
  }
  const p = d.params();
  const values = fn.partials.map((partial, i) => `${partial.sql} AS p${i}`).join(', ');
  let keyNames: string[] = [];
  const branches = ranges.map(([fromUs, toUs], i) => {
    const parts = partsOf(d, { ...query, startUs: fromUs, stepUs: toUs - fromUs, buckets: 1 }, sliceUs, p);
    keyNames = parts.keyNames;
    const sql =
      query.fn === 'cost_per_workflow'
        ? costPerWorkflowSql(parts, partsSince, values)
        : `SELECT ${selectKeys(parts)}, ${values} FROM ${parts.from} ${whereOf(parts.where)} GROUP BY ${parts.groupBy}`;
    return `SELECT * FROM (${sql}) AS range${i}`;
  });
  const names = fn.partials.map((_, i) => `p${i}`);
  return db.rows('compute an alert series by slices', branches.join(' UNION ALL '), p, (row) => ({
    labels: keyNames.map((name) => (row.get(name) as string | null | undefined) ?? null),
    slice: num(row.get('bucket')),
    partials: names.map((name) => num(row.get(name))),
  }));
}

/** Folds `partials` into `into`, each as its function combines. */
export function combinePartials(fn: SlicedFn, into: number[], partials: readonly number[]): void {
  fn.partials.forEach(({ combine }, i) => {
    const v = partials[i]!;
    into[i] = combine === 'sum' ? into[i]! + v : combine === 'min' ? Math.min(into[i]!, v) : Math.max(into[i]!, v);
  });
}

/** The start of a fold: what every combine leaves as it is. */
export function emptyPartials(fn: SlicedFn): number[] {
  return fn.partials.map(({ combine }) => (combine === 'sum' ? 0 : combine === 'min' ? Infinity : -Infinity));
}

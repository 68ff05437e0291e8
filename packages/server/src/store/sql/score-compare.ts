import type { CompareQuery } from '@spoor/model';
import { isTrue, num } from '../record-rows.js';
import type { ScoreCompareGroup } from '../ports/score-stats.js';
import { sidedSpans, sourcesLacking } from './compare.js';
import type { Dialect, Params, SqlEngine } from './dialect.js';
import { responseOnly, responseSpans, scoredTraceBounds } from './scores.js';

/**
 * The release comparison's scores: the newest version of each score of a span on either side (a
 * trace's score goes with its root span), grouped by score name, side and label, each group with
 * its values. A span is on a side as in the span comparison (`compare.ts`); a span stored twice
 * (a running snapshot beside the ended span) counts once.
 *
 * Every version of a score is about the same span (the slot is its target, name, source and
 * author), so a slot's versions are on the same side. Where the engine knows the few slots
 * written more than once (DuckDB: `Dialect.scoreVersions`), only their rows are ranked;
 * elsewhere every row on a side is.
 */
export async function compareScores(db: SqlEngine, query: CompareQuery): Promise<ScoreCompareGroup[]> {
  const statement = await compareScoresSql(db, query);
  if (statement === null) return [];
  return db.rows('compare scores', statement.sql, statement.p, (row) => ({
    name: row.get('name') as string,
    side: isTrue(row.get('b')) ? ('b' as const) : ('a' as const),
    label: (row.get('label') as string | null) ?? null,
    count: num(row.get('n')),
    values: (row.get('vals') as unknown[]).map(num),
    counts: (row.get('counts') as unknown[]).map(num),
  }));
}

/**
 * The statement of the score groups as a reader of the engine takes them; `null` when no score
 * names a trace of the project.
 */
export async function compareScoresSql<P extends Params>(db: SqlEngine<P>, query: CompareQuery): Promise<{ sql: string; p: P } | null> {
  const { scoreVersions, scoredSpanFacts } = db.dialect;
  if (scoreVersions !== null && scoredSpanFacts !== null && (await sidesByResource(db, query))) return withSpanFacts(db, query, scoreVersions, scoredSpanFacts);
  const bounds = await scoredTraceBounds(db, query.filter.projectId);
  // No score names a trace the project has: nothing to compare.
  if (bounds === null) return null;
  const versions = db.dialect.scoreVersions;
  return versions === null ? rankedOnSides(db, query, bounds) : withKnownVersions(db, query, bounds, versions);
}

/**
 * The groups of the live scores on either side (`s_name`, `s_value`, `s_label`, `b`): `name`, `b`,
 * `label`, `n`, and the tally of the values, `vals` and `counts` (doubles, ascending where the
 * engine orders a list). Tallied by value first, what the engine hands over is a few numbers per
 * group, not every value: on the analytics benchmark 1,000 against 750,000, which cost 60 ms to
 * read into JS and as much again to sum.
 */
function tallied(d: Dialect, live: string): string {
  const tally = `SELECT s_name AS name, b, s_label AS label, s_value AS value, count(*) AS tallied FROM (${live}) AS live GROUP BY name, b, label, value`;
  const list = (of: string) => `coalesce(${d.collectOrdered(of, 'value')} FILTER (WHERE value IS NOT NULL), [])`;
  return `SELECT name, b, label, sum(tallied) AS n, ${list('value')} AS vals, ${list('CAST(tallied AS DOUBLE)')} AS counts
    FROM (${tally}) AS tally GROUP BY name, b, label`;
}

type Bounds = NonNullable<Awaited<ReturnType<typeof scoredTraceBounds>>>;

/**
 * The statement where every slot may have several rows: the versions are joined with the sided
 * spans first and the newest is picked among those that joined, one pass that ranks only the
 * scores on a side and drops a span's second copy too. Ranking every score of the project first
 * and grouping the sided spans per span before the join cost 1.7 s of CPU on the analytics
 * benchmark (1M scores, 5M spans) on DuckDB, this 0.9 s.
 */
async function rankedOnSides<P extends Params>(db: SqlEngine<P>, query: CompareQuery, bounds: Bounds): Promise<{ sql: string; p: P }> {
  const d = db.dialect;
  const p = d.params();
  const b = p.add(query.b);
  const project = p.add(query.filter.projectId);
  // The scored spans are read within the times of the scored traces: DuckDB's zone maps and
  // ClickHouse's partitions skip the rest (on the benchmark, where the newest 1M spans are
  // scored, a fifth of the range).
  const within = [`start_us >= ${p.int(bounds.fromUs)}`, `start_us <= ${p.int(bounds.toUs)}`];
  const scores = `${d.tables.scores} AS versions`;
  const version = `versions.score_id AS slot, versions.time_us AS v_time, versions.written_us AS v_written, versions.deleted AS v_deleted,
    versions.name AS s_name, versions.value AS s_value, versions.label AS s_label`;
  const versionColumns = 'slot, v_time, v_written, v_deleted, s_name, s_value, s_label';
  // The versions of the scores of a span (named, or through the LLM response id it gave), joined
  // with its stored copies; the span's columns keep their names, so the span filter reads them.
  // The spans are on the left: ClickHouse builds its hash table of the right side.
  const spanVersions = `SELECT ${version}, coalesce(versions.trace_id, responses.trace_id) AS target_trace,
      CASE WHEN versions.trace_id IS NULL THEN responses.span_id ELSE versions.span_id END AS target_span
    FROM ${scores} LEFT JOIN (${responseSpans(d, project, `response_id IN (${responseOnly(d, project)})`)}) AS responses
      ON responses.response_id = versions.response_id
    WHERE versions.project_id = ${project} AND (versions.span_id IS NOT NULL OR versions.trace_id IS NULL)`;
  const scoredSpans = `(SELECT span_facts.*, ${versionColumns
    .split(', ')
    .map((c) => `scored.${c} AS ${c}`)
    .join(', ')}
    FROM ${d.tables.span_facts} INNER JOIN (${spanVersions}) AS scored
      ON span_facts.trace_id = scored.target_trace AND span_facts.span_id = scored.target_span) AS scored_spans`;
  const ofSpans = await sidedSpans(db, p, query, b, versionColumns, within, scoredSpans);
  // A trace's scores go with its root span (the least side where a trace has two roots).
  const ofTrace = `versions.project_id = ${project} AND versions.trace_id IS NOT NULL AND versions.span_id IS NULL`;
  const roots =
    bounds.traceScores === 0
      ? ''
      : await sidedSpans(db, p, query, b, 'trace_id', [
          ...within,
          'parent_span_id IS NULL',
          `trace_id IN (SELECT versions.trace_id FROM ${scores} WHERE ${ofTrace})`,
        ]);
  const ofTraces = `SELECT ${version}, roots.root_side AS side_value FROM ${scores} INNER JOIN (
      SELECT trace_id AS root_trace, min(side_value) AS root_side FROM (${roots}) AS root_spans GROUP BY trace_id
    ) AS roots ON roots.root_trace = versions.trace_id
    WHERE ${ofTrace}`;
  // Without scores of whole traces, their branch is left out: its read of the root spans cost
  // 0.14 s of CPU on the benchmark even when it found none.
  const onSides = bounds.traceScores > 0 ? `${ofSpans} UNION ALL ${ofTraces}` : ofSpans;
  const newest = d.firstPerMostlyOne(`SELECT * FROM (${onSides}) AS on_sides`, 'slot', 'v_time DESC, v_written DESC');
  return { sql: tallied(d, `SELECT s_name, s_value, s_label, side_value = ${b} AS b FROM (${newest}) AS newest WHERE NOT v_deleted`), p };
}

/**
 * The statement where the engine knows the rows a newer row of their slot replaces (`versions`):
 * a score is on a side when a stored copy of its span is (a semi join: a span stored twice adds
 * no row; copies on two sides, their attributes differing, put it on both), and the replaced rows
 * are left out after that join. Ranking the joined rows of every slot was 45% of the statement's
 * CPU on the analytics benchmark. Filtering the scores before the join instead made DuckDB build
 * its hash table of the scores, not the fewer sided spans, and cost more than it saved.
 */
async function withKnownVersions<P extends Params>(
  db: SqlEngine<P>,
  query: CompareQuery,
  bounds: Bounds,
  versions: NonNullable<Dialect['scoreVersions']>,
): Promise<{ sql: string; p: P }> {
  const p = db.dialect.params();
  const b = p.add(query.b);
  const project = p.add(query.filter.projectId);
  const onSides = await foundOnSides(db, p, query, b, project, bounds, versions, null);
  return { sql: tallied(db.dialect, liveOf(b, onSides, versions.older(project))), p };
}

/** The newest rows of `onSides` (`v_row`, `s_name`, `s_value`, `s_label`, `v_deleted`, `side_value`) but deletions, `b` on side b. */
function liveOf(b: string, onSides: string, older: string): string {
  return `SELECT s_name, s_value, s_label, side_value = ${b} AS b FROM (${onSides}) AS on_sides WHERE NOT v_deleted AND v_row NOT IN (${older})`;
}

/**
 * The rows of scores (those `only` keeps, a condition on `scores`) on either side, as
 * `withKnownVersions` finds them: a score of a span by a semi join with the sided spans, a
 * trace's score by its root span.
 */
async function foundOnSides<P extends Params>(
  db: SqlEngine<P>,
  p: P,
  query: CompareQuery,
  b: string,
  project: string,
  bounds: Bounds,
  versions: NonNullable<Dialect['scoreVersions']>,
  only: string | null,
): Promise<string> {
  const d = db.dialect;
  // Each score once per side (once where a caller named one value twice).
  const sides = query.a === query.b ? `(${b})` : `(${p.add(query.a)}), (${b})`;
  const within = [`start_us >= ${p.int(bounds.fromUs)}`, `start_us <= ${p.int(bounds.toUs)}`];
  const columns = 'v_row, s_name, s_value, s_label, v_deleted';
  const rows = (where: string) => `SELECT ${versions.row} AS v_row, trace_id, span_id, response_id, name AS s_name, value AS s_value, label AS s_label,
      deleted AS v_deleted FROM ${d.tables.scores} WHERE project_id = ${project} AND ${where}${only === null ? '' : ` AND ${only}`}`;
  // The scores of a span, named or through the LLM response id it gave, each on either side.
  const scored = `SELECT ${columns}, coalesce(scored.trace_id, responses.trace_id) AS target_trace,
      CASE WHEN scored.trace_id IS NULL THEN responses.span_id ELSE scored.span_id END AS target_span, sides.side
    FROM (${rows('(span_id IS NOT NULL OR trace_id IS NULL)')}) AS scored
    LEFT JOIN (${responseSpans(d, project, `response_id IN (${responseOnly(d, project)})`)}) AS responses ON responses.response_id = scored.response_id
    CROSS JOIN (VALUES ${sides}) AS sides(side)`;
  const sided = await sidedSpans(db, p, query, b, 'trace_id, span_id', within);
  const ofSpans = `SELECT ${columns}, side AS side_value FROM (${scored}) AS scored_sides
    SEMI JOIN (${sided}) AS sided
      ON sided.trace_id = scored_sides.target_trace AND sided.span_id = scored_sides.target_span AND sided.side_value = scored_sides.side`;
  // A trace's scores go with its root span (the least side where a trace has two roots).
  const ofTrace = 'trace_id IS NOT NULL AND span_id IS NULL';
  const traces = `trace_id IN (SELECT trace_id FROM ${d.tables.scores} WHERE project_id = ${project} AND ${ofTrace})`;
  const roots = bounds.traceScores === 0 ? '' : await sidedSpans(db, p, query, b, 'trace_id', [...within, 'parent_span_id IS NULL', traces]);
  const ofTraces = `SELECT ${columns}, roots.root_side AS side_value FROM (${rows(ofTrace)}) AS scored INNER JOIN (
      SELECT trace_id AS root_trace, min(side_value) AS root_side FROM (${roots}) AS root_spans GROUP BY trace_id
    ) AS roots ON roots.root_trace = scored.trace_id`;
  return bounds.traceScores > 0 ? `${ofSpans} UNION ALL ${ofTraces}` : ofSpans;
}

/** The filter's fields a span's facts answer (`Dialect.scoredSpanFacts`): any other set sends the comparison the long way. */
const FACT_FIELDS: ReadonlySet<string> = new Set(['projectId', 'range', 'service', 'origin']);

/**
 * Whether a span's side and whether the filter keeps it follow from its source, service and start
 * alone: the filter names no more than the project, range, service and origin, and the side is
 * the service or an attribute every source of the project carries (a resource's value decides
 * the side of its spans then, `sidedSpans`).
 */
async function sidesByResource(db: SqlEngine, query: CompareQuery): Promise<boolean> {
  const unset = Object.entries(query.filter).every(
    ([field, value]) => FACT_FIELDS.has(field) || value === null || value === false || (Array.isArray(value) && value.length === 0),
  );
  if (!unset) return false;
  if ('column' in query.by) return query.by.column === 'service';
  const p = db.dialect.params();
  return (await sourcesLacking(db, p, p.add(query.filter.projectId), query.filter.projectId, query.by.attribute)) === null;
}

/**
 * The statement where the scores hold their spans' facts (`facts`) and they decide the side
 * (`sidesByResource`): a score that has them is on the side of its span's resource (or service),
 * read with a join of the scores with `sources` only; one that has none (its span was not stored
 * when it was written, a trace's score) is found as `withKnownVersions` finds it, the spans read
 * within the times of those scores' traces only, and not at all when there are none. Joining the
 * 1M scores of the analytics benchmark with their sided spans was most of the CPU of that statement.
 */
async function withSpanFacts<P extends Params>(
  db: SqlEngine<P>,
  query: CompareQuery,
  versions: NonNullable<Dialect['scoreVersions']>,
  facts: NonNullable<Dialect['scoredSpanFacts']>,
): Promise<{ sql: string; p: P } | null> {
  const d = db.dialect;
  const unknown = `${facts.start} IS NULL`;
  const bounds = await scoredTraceBounds(db, query.filter.projectId, null, unknown);
  const p = d.params();
  const b = p.add(query.b);
  const project = p.add(query.filter.projectId);
  // The scores as spans with the columns of spans the filter and the side read. No attributes: a
  // source lacking the key first written since `sidesByResource` looked is missed by this request.
  const known = `(SELECT ${versions.row} AS v_row, project_id, name AS s_name, value AS s_value, label AS s_label, deleted AS v_deleted,
      ${facts.source} AS source_id, ${facts.service} AS service_name, ${facts.start} AS start_us, '{}' AS attributes
    FROM ${d.tables.scores} WHERE project_id = ${project} AND ${facts.start} IS NOT NULL) AS known_scores`;
  const ofKnown = await sidedSpans(db, p, query, b, 'v_row, s_name, s_value, s_label, v_deleted', [], known);
  const onSides = bounds === null ? ofKnown : `${ofKnown} UNION ALL ${await foundOnSides(db, p, query, b, project, bounds, versions, unknown)}`;
  return { sql: tallied(d, liveOf(b, onSides, versions.older(project))), p };
}

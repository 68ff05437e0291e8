import type { Row } from '../record-rows.js';

/**
 * What the queries written once (this folder) need from an engine, and all that differs between
 * DuckDB and ClickHouse: how parameters are bound, where tables are, the names of functions,
 * quantiles, JSON access, lists, and the few relations whose fastest plan differs by engine. An
 * engine folder implements `Dialect` and `SqlEngine`; the queries never name an engine.
 *
 * The SQL both engines take alike is written as it is: `count(*)`, `countIf`, `argMin`/`argMax`,
 * `any_value`, `FILTER (WHERE ...)`, `CASE`, `coalesce`, `flatten`, `CAST(x AS VARCHAR)`, and
 * select aliases in `WHERE`/`HAVING`. An alias never reuses a column's name: ClickHouse reads an
 * alias everywhere in its query, so `min(start_us) AS start_us` would turn another aggregate's
 * `start_us` into an aggregate of an aggregate.
 */

/**
 * Collects a query's parameters while it is built; each method returns the placeholder. DuckDB
 * binds positionally (`$1`) and refuses a parameter the statement does not use, so a parameter is
 * added only where the SQL uses it; ClickHouse binds by name with a type (`{p1:Int64}`).
 */
export interface Params {
  /** A text, or a number or boolean of the type the engine infers. */
  add(value: string | number | boolean): string;
  /** A 64-bit integer (times in microseconds, durations). */
  int(value: number): string;
  /** A row count (`LIMIT`, `OFFSET`). */
  count(value: number): string;
  /** A double. */
  float(value: number): string;
  /** Texts for `expr IN <texts>` (and only there): a parenthesized list, one array, or a subquery (DuckDB, for a long list). At least one. */
  texts(values: readonly string[]): string;
  /** Whole numbers for `expr IN <ints>`, likewise: one parameter, however many (a query's text has a size limit in ClickHouse). At least one. */
  ints(values: readonly number[]): string;
}

/** The tables a query reads, each as its SQL names it. */
export interface SqlTables {
  readonly spans: string;
  /** Tail sampling: the sampled-out spans, moved out of `spans` without their content or ids (`sql/span-stats.ts`). */
  readonly span_stats: string;
  /**
   * What statistics read: `spans` and `span_stats` as one relation with the columns of `spans`, so
   * counts, rates and percentiles see every span, kept or sampled out. Reads of a trace's spans
   * (its detail, tree, export, evaluators) read `spans`.
   */
  readonly span_facts: string;
  readonly trace_parts: string;
  readonly logs: string;
  readonly metric_points: string;
  readonly errors: string;
  readonly sources: string;
  readonly audit_log: string;
  readonly scores: string;
  readonly llm_responses: string;
  /**
   * The LLM response ids of every span, kept or sampled out: `llm_responses` and the response ids
   * `span_stats` keeps (a sampled-out trace's rows leave `llm_responses`), as one relation of
   * `project_id, response_id, trace_id, span_id`. Scores that name only a response id find their
   * span through it.
   */
  readonly response_facts: string;
  readonly evaluators: string;
  readonly evaluator_runs: string;
  readonly datasets: string;
  readonly dataset_items: string;
  readonly experiments: string;
  readonly experiment_results: string;
  readonly running_spans: string;
  /** Tail sampling: one decision per trace. */
  readonly sampling_decisions: string;
  /** Review queues: a row per change of a queue, its items, and what reviewers did with them. */
  readonly review_queues: string;
  readonly review_items: string;
  readonly review_events: string;
  /** Prompts: each version a row, and each label move or deletion an event. */
  readonly prompt_versions: string;
  readonly prompt_events: string;
  /** Dashboards: a row per saved version or deletion. */
  readonly dashboards: string;
}

export interface Dialect<P extends Params = Params> {
  params(): P;
  readonly tables: SqlTables;
  /** `sources` read one row per source (ClickHouse keeps a source written twice until a merge). */
  readonly sources: string;

  /** Integer division, rounding toward minus infinity for the non-negative times it is used on. */
  intDiv(a: string, b: string): string;
  /** Whether `a` and `b` differ, a NULL differing from any value and equal to NULL, as a boolean condition. */
  distinctFrom(a: string, b: string): string;
  /** Whether `text` contains `needle` (an expression), as a boolean condition. */
  contains(text: string, needle: string): string;
  /** `expr ILIKE pattern` where `pattern` escapes `%`, `_` and `\` with a backslash (`likePattern`). */
  ilike(expr: string, pattern: string): string;
  /** Whether `expr` matches the RE2 regular expression `pattern` anywhere, `.` not matching a line break. */
  matches(p: P, expr: string, pattern: string): string;
  /**
   * The value at `keys` of a JSON text, as text: a string unquoted, any other value as its JSON
   * text, NULL for JSON null or no such key. Each key is a whole member name (`service.version` is
   * one key, not a path).
   */
  jsonText(p: P, json: string, keys: readonly string[]): string;
  /** The name at a 0-based index in `names`, NULL past its end. */
  nameAt(names: readonly string[], index: string): string;
  /** An expression of a nullable type as its non-null type, where the caller knows it is not NULL. */
  notNull(expr: string): string;
  /** The UTF-8 bytes of a text, which both engines keep beside it (no scan of the text). */
  textBytes(expr: string): string;
  /** `expr` kept from being looked up through an index (for a set that touches every granule anyway). */
  noIndex(expr: string): string;
  /**
   * Whether a CTE used twice is computed once (DuckDB materializes it), rather than at each use
   * (ClickHouse inlines it): a query then reuses a CTE instead of reading a cheaper superset.
   */
  readonly ctesComputedOnce: boolean;
  /**
   * Whether a small set of ids is better read first and sent back as values than used as a
   * subquery: DuckDB applies a semi join only after the other conditions' expressions, which may
   * parse every span's attributes; ClickHouse builds the set first.
   */
  readonly readsSmallSetsFirst: boolean;
  /**
   * Whether spans are stored in parts by start time (ClickHouse's day partitions), which a
   * condition on `start_us` lets a read by end time skip. DuckDB's zone maps skip row groups by
   * whichever time is filtered, and a further condition only costs (~8% over a day of spans).
   */
  readonly partsByStart: boolean;
  /** What ends a query whose `IN` set of trace ids may be large: a large set is not looked up by the key, the table is read whole. */
  readonly largeInSets: string;

  /** Interpolated percentile (R-7, as DuckDB's `quantile_cont`) of `expr` over the group. */
  quantile(expr: string, q: number): string;
  /** `quantile` of several fractions at once, as a list. */
  quantiles(expr: string, qs: readonly number[]): string;
  /** `quantile` to the last bit of DuckDB's, for answers compared exactly across engines (alert series). */
  quantileSameBits(expr: string, q: number): string;
  /** Sample variance of `expr` over the group; NULL for fewer than two rows. */
  varSamp(expr: string): string;
  /** The group's values of `expr` as a list. */
  collect(expr: string): string;
  /**
   * `collect` in `order`'s order where the engine orders an aggregate's input (DuckDB); as
   * collected where it does not (ClickHouse), two such lists of one group still in the same order.
   */
  collectOrdered(expr: string, order: string): string;
  /** The group's distinct non-NULL values of `expr` as a list, in no order; `[]` when none. */
  collectDistinct(expr: string): string;
  /** The group's `n` non-NULL values of `value` with the highest `order`, then the lowest value first. */
  latest(value: string, order: string, n: number): string;
  /** A list sorted ascending. */
  sortList(list: string): string;
  /** A list without repeats. */
  distinctList(list: string): string;
  /** `select` (a query without `ORDER BY`) cut to its first row per `partition` in `order`. */
  firstPer(select: string, partition: string, order: string): string;
  /** `firstPer` for a large `select` in which most partitions have one row (the versions of scores). */
  firstPerMostlyOne(select: string, partition: string, order: string): string;
  /**
   * Where the engine knows the score slots written more than once: `row`, what names a row of
   * `scores` within a statement, and `older`, a subquery of the `row`s of the project's rows that
   * a newer row of their slot replaces (every slot not written again has one row, the newest);
   * `null` where it cannot know (several servers write one ClickHouse) and every slot is ranked.
   */
  scoreVersions: { row: string; older(project: string): string } | null;
  /**
   * The columns of `scores` that hold the scored span's `source_id`, `service_name` and `start_us`
   * where the store knew them when the score was written (NULL where it did not:
   * `duckdb/score-facts.ts`); `null` where the engine keeps none.
   */
  scoredSpanFacts: { source: string; service: string; start: string } | null;

  /** Whether a span's `cache.hit` attribute is `hit` (true or false); NULL or false where it has none. */
  cacheHitIs(hit: boolean): string;
  /** The SQL of a span attribute `key` of the span's resource, and the join it needs after `FROM spans`. */
  resourceAttribute(p: P, project: string, key: string): { value: string; join: string };
  /**
   * The errors that count (each failure once: not a span passing on its failed child's error, nor
   * a log of what a span of its trace recorded) of the project that meet `conditions`, as a
   * relation with the columns of `errors`. `few`: the conditions pick a handful of rows (each
   * group's earliest and latest), whose traces' other errors an index finds faster than a scan.
   */
  errorEvents(project: string, conditions: readonly string[], few?: boolean): string;
  /** The project's error group states, one row per group: `fingerprint`, `status`, `resolved_us`. */
  errorStates(project: string): string;

  // Export (`sql/export-columns.ts`).
  /** A `TIMESTAMP WITH TIME ZONE` (Parquet: INT64 microseconds, adjusted to UTC) of epoch microseconds; NULL for NULL. */
  timestampOfUs(us: string): string;
  /** Epoch microseconds as ISO-8601 UTC text with six fractional digits (`2026-01-02T03:04:05.123456Z`); NULL for NULL. */
  isoOfUs(us: string): string;
  /** The JSON text of member `key` (a constant) of a JSON object text; NULL when it has none. */
  jsonMember(json: string, key: string): string;
}

/** What a query written once needs of an engine: its dialect, and a way to read the answer. */
export interface SqlEngine<P extends Params = Params> {
  readonly dialect: Dialect<P>;
  /** The rows of `sql`, each converted by `convert`; a failure is a `StoreError` naming `what`. */
  rows<T>(what: string, sql: string, params: P, convert: (row: Row) => T): Promise<T[]>;
}

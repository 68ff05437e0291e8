import { LONGEST_COLUMNS, SPANS } from '../tables.js';
import { errorEventConditions } from './error-events.js';

/**
 * The DuckDB schema. Times are epoch microseconds in BIGINT columns (one unit everywhere inside
 * the server). Attribute maps, events, links, resources and scopes are JSON text exactly as
 * decoded, so nothing that arrived is lost; the columns beside them are what queries filter on.
 *
 * Resources and scopes repeat on every record of a request (and of a process), so each distinct
 * pair is stored once in `sources` and records point at it by `source_id`: this took 70% of the
 * JSON bytes out of every span row (measured on the ingest benchmark's agent spans).
 *
 * `trace_parts` holds one partial summary per trace per write batch; a trace's summary is the
 * aggregate of its parts. Appending parts instead of updating one row per trace keeps writes
 * append-only (spans of one trace arrive in many batches, from many services).
 */
export const SCHEMA_VERSION = 23;

/** The span columns `spans`, `span_stats` and `running_spans` share, in `store/tables.ts`' order. */
const SPAN_COLUMNS = `  project_id VARCHAR NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  parent_span_id VARCHAR,
  trace_state VARCHAR NOT NULL,
  flags UINTEGER NOT NULL,
  name VARCHAR NOT NULL,
  kind UTINYINT NOT NULL,
  service_name VARCHAR NOT NULL,
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  status_code UTINYINT NOT NULL,
  status_message VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  source_id VARCHAR NOT NULL,
  events VARCHAR NOT NULL,
  links VARCHAR NOT NULL,
  dropped_attributes UINTEGER NOT NULL,
  dropped_events UINTEGER NOT NULL,
  dropped_links UINTEGER NOT NULL,
  session_id VARCHAR,
  is_llm BOOLEAN NOT NULL,
  llm_provider VARCHAR,
  llm_operation VARCHAR,
  llm_request_model VARCHAR,
  llm_response_model VARCHAR,
  input_tokens BIGINT,
  output_tokens BIGINT,
  total_tokens BIGINT,
  cache_read_tokens BIGINT,
  cache_creation_tokens BIGINT,
  reasoning_tokens BIGINT,
  cost_usd DOUBLE,
  ttft_ms DOUBLE,
  finish_reasons VARCHAR,
  cost_source VARCHAR,
  category UTINYINT NOT NULL DEFAULT 7,
  user_id VARCHAR`;

const KEY = "  -- The trace id's last 8 hex digits (tables.ts' traceKeyOf), compared before the id.\n  trace_key UINTEGER NOT NULL,\n";
/**
 * `trace_parts` (under `name`: a migration builds it again). Each category's longest span is NULL in parts stored before schema 17, the spans'
 * text bytes (`text_bytes`) before 23: readers take them from `spans`. `commit_seq` stays last: the writer appends it after the batch's columns.
 */
export function tracePartsTable(name: string, schemaVersion = SCHEMA_VERSION): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  project_id VARCHAR NOT NULL,
  trace_id VARCHAR NOT NULL,
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  span_count BIGINT NOT NULL,
  error_count BIGINT NOT NULL,
  root_name VARCHAR,
  root_service VARCHAR,
  first_name VARCHAR NOT NULL,
  first_service VARCHAR NOT NULL,
  input_tokens BIGINT,
  output_tokens BIGINT,
  cost_usd DOUBLE,
  -- Whether the root span failed, in the part that has it (else NULL).
  root_failed BOOLEAN,
  -- The first session and user ids the part's spans carry.
  session_id VARCHAR,
  user_id VARCHAR,
${LONGEST_COLUMNS.map((column) => `  ${column} BIGINT`).join(',\n')},
${schemaVersion >= 18 ? '  -- LLM calls with tokens and no cost (NULL in parts stored before schema 18).\n  unpriced_calls BIGINT,\n' : ''}${schemaVersion >= 22 ? KEY : ''}${schemaVersion >= 23 ? '  text_bytes BIGINT,\n' : ''}  commit_seq BIGINT
)`;
}

/** `sampling_decisions` as it is since version 16, with no key, named `name` (the migration to it builds it beside the old table). */
export function samplingDecisionsTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  project_id VARCHAR NOT NULL,
  trace_id VARCHAR NOT NULL,
  kept BOOLEAN NOT NULL,
  reason VARCHAR NOT NULL,
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  decided_us BIGINT NOT NULL
)`;
}

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS spoor_meta (key VARCHAR PRIMARY KEY, value VARCHAR);

-- The spool position each commit brought a server up to (server_id NULL: written before servers had ids).
-- commit_seq: the transaction's number (writer.ts), which the rows it wrote carry too.
CREATE TABLE IF NOT EXISTS spool_positions (position VARCHAR NOT NULL, committed_at TIMESTAMP NOT NULL, server_id VARCHAR, commit_seq BIGINT);

CREATE TABLE IF NOT EXISTS sources (
  project_id VARCHAR NOT NULL,
  source_id VARCHAR NOT NULL,
  resource VARCHAR NOT NULL,
  scope VARCHAR NOT NULL,
  PRIMARY KEY (project_id, source_id)
);

CREATE TABLE IF NOT EXISTS spans (
${SPAN_COLUMNS},
  -- The number of the transaction that wrote the row (writer.ts): what live streams read after.
  commit_seq BIGINT
);

-- Tail sampling: the spans of sampled-out traces, moved out of spans without what
-- sampling is for (sql/span-stats.ts). A column added to spans is added here too.
CREATE TABLE IF NOT EXISTS span_stats (
${SPAN_COLUMNS},
  commit_seq BIGINT,
  -- An LLM call's response id, which its row in llm_responses held ('' for other spans).
  response_id VARCHAR
);

-- Prices set through the API, over the shipped table and the --prices file. One JSON ModelPrice each.
CREATE TABLE IF NOT EXISTS model_prices (
  project_id VARCHAR NOT NULL,
  model VARCHAR NOT NULL,
  price VARCHAR NOT NULL,
  updated_us BIGINT NOT NULL,
  PRIMARY KEY (project_id, model)
);

${tracePartsTable('trace_parts')};

CREATE TABLE IF NOT EXISTS logs (
  project_id VARCHAR NOT NULL,
  log_id VARCHAR NOT NULL,
  time_us BIGINT NOT NULL,
  observed_us BIGINT NOT NULL,
  trace_id VARCHAR,
  span_id VARCHAR,
  flags UINTEGER NOT NULL,
  severity_number UTINYINT NOT NULL,
  severity_text VARCHAR NOT NULL,
  body VARCHAR NOT NULL,
  body_text VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  source_id VARCHAR NOT NULL,
  service_name VARCHAR NOT NULL,
  event_name VARCHAR NOT NULL,
  dropped_attributes UINTEGER NOT NULL,
  -- The body was OTLP bytes: body is their base64 text.
  body_bytes BOOLEAN DEFAULT false,
  -- Tail sampling: the commit, so its late sweep finds logs of a sampled-out trace that came after it was slimmed.
  commit_seq BIGINT
);

-- One row per error seen at ingest (normalize/error-occurrences.ts): a failed span, an LLM call cut short,
-- or a log carrying an exception. Groups are its rows by fingerprint.
CREATE TABLE IF NOT EXISTS errors (
  project_id VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  time_us BIGINT NOT NULL,
  trace_id VARCHAR,
  span_id VARCHAR,
  parent_span_id VARCHAR,
  service_name VARCHAR NOT NULL,
  span_name VARCHAR NOT NULL,
  exception_type VARCHAR NOT NULL,
  message VARCHAR NOT NULL,
  message_key VARCHAR NOT NULL,
  frame VARCHAR,
  provider VARCHAR,
  http_status INTEGER,
  error_type VARCHAR,
  finish_reason VARCHAR,
  tool_name VARCHAR,
  source VARCHAR NOT NULL
);

-- API keys, by the SHA-256 of the key (auth/keys.ts); revoked keys stay, for the audit log.
CREATE TABLE IF NOT EXISTS api_keys (
  id VARCHAR PRIMARY KEY,
  project_id VARCHAR NOT NULL,
  role VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  hash VARCHAR NOT NULL,
  created_us BIGINT NOT NULL,
  created_by VARCHAR NOT NULL,
  revoked_us BIGINT
);

-- Masking policies set through the API (ingest/masking.ts), one per project.
CREATE TABLE IF NOT EXISTS masking_policies (
  project_id VARCHAR PRIMARY KEY,
  policy VARCHAR NOT NULL,
  updated_us BIGINT NOT NULL
);

-- Who changed what: keys, rules, silences, prices, policies.
CREATE TABLE IF NOT EXISTS audit_log (
  time_us BIGINT NOT NULL,
  project_id VARCHAR NOT NULL,
  key_id VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  detail VARCHAR
);

-- What users decided about error groups (PATCH /api/errors/:fingerprint).
CREATE TABLE IF NOT EXISTS alert_rules (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  spec VARCHAR NOT NULL,
  created_us BIGINT NOT NULL,
  updated_us BIGINT NOT NULL,
  PRIMARY KEY (project_id, name)
);

-- Default alert rules: a row once a project's defaults were seeded, so a deleted default stays deleted.
CREATE TABLE IF NOT EXISTS alert_rule_seeds (
  project_id VARCHAR PRIMARY KEY,
  seeded_us BIGINT NOT NULL
);

-- The alert engine's memory (alert states, notification groups) as one JSON document per project,
-- replaced after each evaluation in the transaction that appends its history.
CREATE TABLE IF NOT EXISTS alert_state (
  project_id VARCHAR PRIMARY KEY,
  state VARCHAR NOT NULL,
  updated_us BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS alert_history (
  project_id VARCHAR NOT NULL,
  time_us BIGINT NOT NULL,
  rule VARCHAR NOT NULL,
  labels VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  severity VARCHAR NOT NULL,
  value DOUBLE,
  receiver VARCHAR,
  detail VARCHAR
);

CREATE TABLE IF NOT EXISTS silences (
  project_id VARCHAR NOT NULL,
  id VARCHAR NOT NULL,
  matchers VARCHAR NOT NULL,
  starts_us BIGINT NOT NULL,
  ends_us BIGINT NOT NULL,
  created_by VARCHAR NOT NULL,
  comment VARCHAR NOT NULL,
  PRIMARY KEY (project_id, id)
);

CREATE TABLE IF NOT EXISTS error_group_states (
  project_id VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  updated_us BIGINT NOT NULL,
  resolved_us BIGINT,
  PRIMARY KEY (project_id, fingerprint)
);

-- The errors that count, each failure once. Left out: a span whose error only passes on a failed
-- child's, with the child's type and message (a step fails because its LLM call did) or with
-- nothing of its own (no type, or Error in rows an older Spoor wrote; no stack, not a finish
-- reason: a status, maybe with a message such as "step write failed"); and an error log
-- reporting an exception that a span of its trace recorded (same type and message). Ingest drops
-- these within a batch; the view also catches them across batches.
CREATE OR REPLACE VIEW error_events AS
  SELECT e.* FROM errors e WHERE ${errorEventConditions('errors')};

-- Scores, appended; a read keeps the newest row of each score_id (store/tables.ts SCORES).
CREATE TABLE IF NOT EXISTS scores (
  project_id VARCHAR NOT NULL,
  score_id VARCHAR NOT NULL,
  time_us BIGINT NOT NULL,
  written_us BIGINT NOT NULL,
  trace_id VARCHAR,
  span_id VARCHAR,
  session_id VARCHAR,
  response_id VARCHAR,
  name VARCHAR NOT NULL,
  value DOUBLE,
  label VARCHAR,
  comment VARCHAR,
  source VARCHAR NOT NULL,
  author VARCHAR NOT NULL,
  deleted BOOLEAN NOT NULL,
  -- The scored span's source, service and start where the store knew them, else NULL (DuckDB only: score-facts.ts).
  span_source_id VARCHAR, span_service VARCHAR, span_start_us BIGINT
);

-- The score slots that may hold more than one row in scores: the store adds a slot here before it
-- appends a second row of it (scores.ts), so a read ranks the rows of these slots only.
CREATE TABLE IF NOT EXISTS replaced_scores (
  project_id VARCHAR NOT NULL,
  score_id VARCHAR NOT NULL,
  PRIMARY KEY (project_id, score_id)
);

-- The span of each LLM response id, for scores that name only the response id.
CREATE TABLE IF NOT EXISTS llm_responses (
  project_id VARCHAR NOT NULL,
  response_id VARCHAR NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  time_us BIGINT NOT NULL
);

-- Running snapshots: spans sent with no end yet (store/tables.ts RUNNING_SPANS), the columns of spans
-- and when their request was received. A read keeps each span's newest, none of a span stored ended.
CREATE TABLE IF NOT EXISTS running_spans (
${SPAN_COLUMNS},
  received_us BIGINT NOT NULL,
  -- The transaction that wrote the row (writer.ts): what live streams read after.
  commit_seq BIGINT
);

-- Evaluators: each change a new row (row_version rises), a deletion a row marked deleted (quality/).
CREATE TABLE IF NOT EXISTS evaluators (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  spec VARCHAR NOT NULL,
  version BIGINT NOT NULL,
  state VARCHAR NOT NULL,
  paused_reason VARCHAR,
  created_us BIGINT NOT NULL,
  updated_us BIGINT NOT NULL,
  row_version BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL
);

-- Each evaluator version's judging of each target ('' span_id: the trace), appended; the newest per target counts.
CREATE TABLE IF NOT EXISTS evaluator_runs (
  project_id VARCHAR NOT NULL,
  evaluator VARCHAR NOT NULL,
  version BIGINT NOT NULL,
  trace_id VARCHAR NOT NULL,
  span_id VARCHAR NOT NULL,
  ok BOOLEAN NOT NULL,
  error VARCHAR,
  cost_usd DOUBLE NOT NULL,
  time_us BIGINT NOT NULL
);

-- Which runner judges a project's traces, until when.
CREATE TABLE IF NOT EXISTS evaluator_leases (
  project_id VARCHAR PRIMARY KEY,
  holder VARCHAR NOT NULL,
  expires_us BIGINT NOT NULL
);

-- Datasets (quality/datasets.ts): a row per version, appended; the row of a version marks it written.
CREATE TABLE IF NOT EXISTS datasets (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  description VARCHAR NOT NULL,
  version BIGINT NOT NULL,
  first_version BIGINT NOT NULL,
  created_us BIGINT NOT NULL,
  time_us BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL
);

-- A dataset's items: a row per change of an item, by the dataset version that made it; JSON texts.
CREATE TABLE IF NOT EXISTS dataset_items (
  project_id VARCHAR NOT NULL,
  dataset VARCHAR NOT NULL,
  item_id VARCHAR NOT NULL,
  version BIGINT NOT NULL,
  created_us BIGINT NOT NULL,
  time_us BIGINT NOT NULL,
  input VARCHAR NOT NULL,
  expected_output VARCHAR,
  metadata VARCHAR NOT NULL,
  source_trace_id VARCHAR,
  source_span_id VARCHAR,
  deleted BOOLEAN NOT NULL
);

-- Experiments (store/sql/experiments.ts): a row per change of state, appended; the newest row of an id is the experiment.
CREATE TABLE IF NOT EXISTS experiments (
  project_id VARCHAR NOT NULL,
  experiment_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  dataset VARCHAR NOT NULL,
  dataset_version BIGINT NOT NULL,
  target VARCHAR NOT NULL,
  evaluators VARCHAR NOT NULL,
  metadata VARCHAR NOT NULL,
  state VARCHAR NOT NULL,
  error VARCHAR,
  item_count BIGINT NOT NULL,
  created_us BIGINT NOT NULL,
  time_us BIGINT NOT NULL,
  finished_us BIGINT,
  deleted BOOLEAN NOT NULL
);

-- An experiment's results: a row per run of an item, appended; the newest row of an item is its result.
CREATE TABLE IF NOT EXISTS experiment_results (
  project_id VARCHAR NOT NULL,
  experiment_id VARCHAR NOT NULL,
  item_id VARCHAR NOT NULL,
  trace_id VARCHAR,
  span_id VARCHAR,
  output VARCHAR,
  error VARCHAR,
  latency_ms DOUBLE,
  input_tokens BIGINT,
  output_tokens BIGINT,
  cost_usd DOUBLE,
  time_us BIGINT NOT NULL,
  -- Calls without a price in the run (NULL: not counted, as in rows stored before schema 18).
  unpriced_calls BIGINT
);

-- Tail sampling: policies set through the API, one per project, and one
-- decision per trace (sampling/runner.ts), kept as long as the trace's spans (by its start).
CREATE TABLE IF NOT EXISTS sampling_policies (
  project_id VARCHAR PRIMARY KEY,
  policy VARCHAR NOT NULL,
  updated_us BIGINT NOT NULL
);
-- No key: a round appends its decisions (a trace is decided once: one server owns the file,
-- and it reads the decisions before it decides); a reader takes a trace's first
-- (sql/sampling.ts). The key made recording 2,000 decisions take 48 ms a read in
-- bench:sampling, against 29 without; alone, into 280,000 rows, 23 ms against 6.
${samplingDecisionsTable('sampling_decisions')};

CREATE TABLE IF NOT EXISTS metric_points (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  description VARCHAR NOT NULL,
  unit VARCHAR NOT NULL,
  type VARCHAR NOT NULL,
  temporality VARCHAR NOT NULL,
  is_monotonic BOOLEAN,
  service_name VARCHAR NOT NULL,
  source_id VARCHAR NOT NULL,
  attributes VARCHAR NOT NULL,
  start_us BIGINT,
  time_us BIGINT NOT NULL,
  flags UINTEGER NOT NULL,
  value DOUBLE,
  count DOUBLE,
  sum DOUBLE,
  min DOUBLE,
  max DOUBLE,
  bucket_counts DOUBLE[],
  explicit_bounds DOUBLE[],
  scale INTEGER,
  zero_count DOUBLE,
  zero_threshold DOUBLE,
  positive_offset INTEGER,
  positive_counts DOUBLE[],
  negative_offset INTEGER,
  negative_counts DOUBLE[],
  quantiles VARCHAR,
  exemplars VARCHAR NOT NULL,
  -- An integer point's exact value (value holds it as a double, rounded past 2^53).
  int_value BIGINT,
  -- Counts past 2^53 as decimal text (JSON), NULL when the doubles beside them are exact.
  exact_counts VARCHAR
);
`;

/** The names of `spans`' columns, in order: the span columns `store/tables.ts` gives, and the commit. */
export const SPAN_COLUMN_NAMES: readonly string[] = [...SPANS.map((c) => c.name), 'commit_seq'];

/**
 * The views of every span and every LLM response id, kept or sampled out, that statistics read
 * (`SqlTables.span_facts`, `response_facts`). Until tail sampling first moves spans to
 * `span_stats`, they read `spans` and `llm_responses` alone: a view over both tables costs every
 * statement a second scan, some 0.7 ms, which was a fifth of an alert round's CPU on a store that
 * never sampled. The first move redefines them in its own transaction (`DuckDbSamplingStore`),
 * so a statement sees the moved rows in `span_stats` exactly when it sees the view that reads
 * them. Made after the migrations, which may add columns to `spans`; by name, so a file whose
 * `spans` grew columns over the versions reads as a new one.
 */
export function factsViews(withSpanStats: boolean): string {
  const spanColumns = SPAN_COLUMN_NAMES.join(', ');
  const responseColumns = 'project_id, response_id, trace_id, span_id';
  return `CREATE OR REPLACE VIEW span_facts AS SELECT ${spanColumns} FROM spans${withSpanStats ? ` UNION ALL SELECT ${spanColumns} FROM span_stats` : ''};
    CREATE OR REPLACE VIEW response_facts AS SELECT ${responseColumns} FROM llm_responses${
      withSpanStats ? ` UNION ALL SELECT ${responseColumns} FROM span_stats WHERE response_id <> ''` : ''
    };`;
}

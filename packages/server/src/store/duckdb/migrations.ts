/** The DuckDB schema's upgrades, step by step (`schema.ts` holds the schema as it is now). */
import { LONGEST_COLUMNS } from '../tables.js';
import { samplingDecisionsTable, tracePartsTable } from './schema.js';
import { traceKeySql } from './trace-key.js';
import { backfillSpanFacts } from './score-facts.js';

/**
 * Brings a database written by an older Spoor up to `SCHEMA_VERSION`, run after `SCHEMA_SQL`;
 * each step in one transaction with the version it brings the file to (`DuckDbStore.migrate`).
 * Columns are added at the end of a table, so the appender's column order holds for old and new
 * files alike; where they must come before the last (`trace_parts`' before `commit_seq`, which
 * the writer appends last), the step builds the table again. Keyed by the version each step
 * upgrades from.
 */
export const MIGRATIONS: readonly { from: number; sql: string }[] = [
  {
    from: 1,
    sql: `
ALTER TABLE spans ADD COLUMN IF NOT EXISTS cost_source VARCHAR;
ALTER TABLE spans ADD COLUMN IF NOT EXISTS category UTINYINT DEFAULT 7;
ALTER TABLE spans ADD COLUMN IF NOT EXISTS user_id VARCHAR;
UPDATE spans SET category = CASE WHEN llm_operation = 'embeddings' THEN 6 ELSE 3 END WHERE is_llm;
`,
  },
  {
    from: 4,
    sql: `
ALTER TABLE trace_parts ADD COLUMN IF NOT EXISTS root_failed BOOLEAN;
UPDATE trace_parts SET root_failed = r.failed
FROM (SELECT project_id, trace_id, bool_or(status_code = 2) AS failed FROM spans WHERE parent_span_id IS NULL GROUP BY ALL) r
WHERE trace_parts.root_name IS NOT NULL AND trace_parts.project_id = r.project_id AND trace_parts.trace_id = r.trace_id;
`,
  },
  {
    from: 5,
    sql: `ALTER TABLE spool_positions ADD COLUMN IF NOT EXISTS server_id VARCHAR;`,
  },
  {
    from: 6,
    sql: `
ALTER TABLE trace_parts ADD COLUMN IF NOT EXISTS session_id VARCHAR;
ALTER TABLE trace_parts ADD COLUMN IF NOT EXISTS user_id VARCHAR;
UPDATE trace_parts SET session_id = s.session_id, user_id = s.user_id
FROM (SELECT project_id, trace_id, max(session_id) AS session_id, max(user_id) AS user_id FROM spans GROUP BY ALL) s
WHERE trace_parts.project_id = s.project_id AND trace_parts.trace_id = s.trace_id;
`,
  },
  {
    // Logs and points stored before read as they always did: no bytes body, no exact integer.
    from: 7,
    sql: `
ALTER TABLE logs ADD COLUMN IF NOT EXISTS body_bytes BOOLEAN DEFAULT false;
ALTER TABLE metric_points ADD COLUMN IF NOT EXISTS int_value BIGINT;
`,
  },
  {
    // Live streams: rows stored before read as committed before every cursor.
    from: 10,
    sql: `
ALTER TABLE spans ADD COLUMN IF NOT EXISTS commit_seq BIGINT;
ALTER TABLE trace_parts ADD COLUMN IF NOT EXISTS commit_seq BIGINT;
ALTER TABLE spool_positions ADD COLUMN IF NOT EXISTS commit_seq BIGINT;
`,
  },
  {
    // Tail sampling: logs stored before read as committed before every cursor.
    from: 12,
    sql: `
ALTER TABLE logs ADD COLUMN IF NOT EXISTS commit_seq BIGINT;
`,
  },
  {
    // A sampled-out LLM call's response id moves with it to span_stats: rows moved before had none.
    from: 14,
    sql: `
ALTER TABLE span_stats ADD COLUMN IF NOT EXISTS response_id VARCHAR;
`,
  },
  {
    // Sampling decisions lose their key (DuckDB drops no constraint): the table is built again
    // without it, in one transaction, so a stop halfway leaves the old table as it was.
    from: 15,
    sql: `
${samplingDecisionsTable('sampling_decisions_16')};
INSERT INTO sampling_decisions_16 SELECT project_id, trace_id, kept, reason, start_us, end_us, decided_us FROM sampling_decisions;
DROP TABLE sampling_decisions;
ALTER TABLE sampling_decisions_16 RENAME TO sampling_decisions;
`,
  },
  {
    // Trace parts keep their longest span per category (tail sampling's "slower than" rules): the
    // table is built again with the columns before commit_seq, which the writer appends last.
    // Parts stored before hold NULL there, and are read from spans instead.
    from: 16,
    sql: `
${tracePartsTable('trace_parts_17', 17)};
INSERT INTO trace_parts_17 SELECT project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service,
  input_tokens, output_tokens, cost_usd, root_failed, session_id, user_id, ${LONGEST_COLUMNS.map(() => 'NULL').join(', ')}, commit_seq FROM trace_parts;
DROP TABLE trace_parts;
ALTER TABLE trace_parts_17 RENAME TO trace_parts;
`,
  },
  {
    // Metric points stored before read as they always did: their counts as the doubles they were stored as.
    // Trace parts count their LLM calls without a price, so a cost says when it leaves calls out:
    // built again with the column before commit_seq. Parts stored before hold NULL (read as 0)
    // until their trace is re-priced, which builds its parts again from the spans.
    from: 17,
    sql: `
ALTER TABLE experiment_results ADD COLUMN IF NOT EXISTS unpriced_calls BIGINT;
ALTER TABLE metric_points ADD COLUMN IF NOT EXISTS exact_counts VARCHAR;
${tracePartsTable('trace_parts_18', 18)};
INSERT INTO trace_parts_18 SELECT project_id, trace_id, start_us, end_us, span_count, error_count, root_name, root_service, first_name, first_service,
  input_tokens, output_tokens, cost_usd, root_failed, session_id, user_id, ${LONGEST_COLUMNS.join(', ')}, NULL, commit_seq FROM trace_parts;
DROP TABLE trace_parts;
ALTER TABLE trace_parts_18 RENAME TO trace_parts;
`,
  },
  {
    // The slots of more than one row (replaced_scores, made by SCHEMA_SQL), found once in the rows stored before.
    from: 18,
    sql: `
INSERT OR IGNORE INTO replaced_scores SELECT project_id, score_id FROM scores GROUP BY project_id, score_id HAVING count(*) > 1;
`,
  },
  {
    // The scored span's facts, found once for the scores stored before (as the score lane finds them: scores.ts).
    from: 19,
    sql: `
ALTER TABLE scores ADD COLUMN IF NOT EXISTS span_source_id VARCHAR;
ALTER TABLE scores ADD COLUMN IF NOT EXISTS span_service VARCHAR;
ALTER TABLE scores ADD COLUMN IF NOT EXISTS span_start_us BIGINT;
${backfillSpanFacts()}
`,
  },
  {
    // Trace parts keep their id's last 8 hex digits as a number (tables.ts' traceKeyOf, which this
    // computes alike), compared before the id: built again with the column before commit_seq.
    from: 21,
    sql: `
${tracePartsTable('trace_parts_22', 22)};
INSERT INTO trace_parts_22 SELECT * EXCLUDE (commit_seq), ${traceKeySql('trace_id')}, commit_seq FROM trace_parts;
DROP TABLE trace_parts;
ALTER TABLE trace_parts_22 RENAME TO trace_parts;
`,
  },
  {
    // Trace parts keep their spans' text bytes, so a trace's detail knows its size without reading
    // its spans: built again with the column before commit_seq. Parts stored before hold NULL (no
    // backfill: it would read every span), and their traces' sizes are read from the spans.
    from: 22,
    sql: `
${tracePartsTable('trace_parts_23', 23)};
INSERT INTO trace_parts_23 SELECT * EXCLUDE (commit_seq), NULL, commit_seq FROM trace_parts;
DROP TABLE trace_parts;
ALTER TABLE trace_parts_23 RENAME TO trace_parts;
`,
  },
];

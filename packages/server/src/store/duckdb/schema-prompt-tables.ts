/**
 * Prompts' tables (`prompts/`), appended only: a version is never rewritten, and a label is its
 * newest move (`store/sql/prompts.ts`). Run after `SCHEMA_SQL` (`duckdb-store.ts`).
 */
export const PROMPT_TABLES = `-- Prompt versions (prompts/): one row each, never rewritten.
CREATE TABLE IF NOT EXISTS prompt_versions (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  version INTEGER NOT NULL,
  body VARCHAR NOT NULL,
  created_by VARCHAR NOT NULL,
  created_us BIGINT NOT NULL
);

-- A prompt's label moves and deletions, appended in time order: the audit of who moved what.
CREATE TABLE IF NOT EXISTS prompt_events (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  label VARCHAR NOT NULL,
  split VARCHAR NOT NULL,
  actor VARCHAR NOT NULL,
  time_us BIGINT NOT NULL
);
`;

/** Dashboards' table (`dashboards/`), appended only: a dashboard is its rows since its last deletion. Run after `SCHEMA_SQL` (`duckdb-store.ts`). */
export const DASHBOARD_TABLES = `-- Dashboards (dashboards/): a row per saved version or deletion, never rewritten.
CREATE TABLE IF NOT EXISTS dashboards (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  version INTEGER NOT NULL,
  document VARCHAR NOT NULL,
  deleted BOOLEAN NOT NULL,
  author VARCHAR NOT NULL,
  time_us BIGINT NOT NULL
);
`;

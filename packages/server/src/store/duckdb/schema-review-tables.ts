/**
 * Review queues' tables (`queues/`), appended only: a queue's newest row is it, an item's first row
 * is it, and the events are read in time order (`store/sql/queues.ts`). Run after `SCHEMA_SQL` (`duckdb-store.ts`).
 */
export const REVIEW_TABLES = `-- Review queues (queues/): a row per change of a queue, appended; the newest row of a name is the queue.
CREATE TABLE IF NOT EXISTS review_queues (
  project_id VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  spec VARCHAR NOT NULL,
  filtered BOOLEAN NOT NULL,
  created_us BIGINT NOT NULL,
  time_us BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL
);

-- A queue's items, appended; an item id added twice is read as first added.
CREATE TABLE IF NOT EXISTS review_items (
  project_id VARCHAR NOT NULL,
  queue VARCHAR NOT NULL,
  item_id VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  trace_id VARCHAR,
  span_id VARCHAR,
  session_id VARCHAR,
  origin VARCHAR NOT NULL,
  added_us BIGINT NOT NULL
);

-- What reviewers did with a queue's items (take, release, skip, submit), appended in time order.
CREATE TABLE IF NOT EXISTS review_events (
  project_id VARCHAR NOT NULL,
  queue VARCHAR NOT NULL,
  item_id VARCHAR NOT NULL,
  reviewer VARCHAR NOT NULL,
  kind VARCHAR NOT NULL,
  time_us BIGINT NOT NULL,
  until_us BIGINT NOT NULL,
  review VARCHAR NOT NULL
);
`;

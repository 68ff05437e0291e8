import { type LiveCursor, positionOf } from '../live-cursor.js';
import type { CommittedRows, LiveCommits, LiveTable } from '../sql/live.js';
import type { Params } from '../sql/dialect.js';

/** DuckDB's one writer, as live cursors name it. */
export const DUCKDB_WRITER = 'db';

/**
 * Which DuckDB commit wrote a row: its `commit_seq`, the transaction's number. Commits finish in
 * the order of their numbers, so a cursor is one number, and rows after it are found through the
 * column's zone maps (numbers rise with the row order), reading only the newest row groups.
 */
export const duckDbLiveCommits: LiveCommits = {
  rowsOf(p: Params, table: LiveTable, after: LiveCursor, upTo: LiveCursor): CommittedRows | null {
    const to = positionOf(upTo, DUCKDB_WRITER)?.major ?? 0;
    const from = positionOf(after, DUCKDB_WRITER)?.major ?? 0;
    if (to <= from) return null;
    return {
      from: `${table} AS r`,
      where: `r.commit_seq > ${p.int(from)} AND r.commit_seq <= ${p.int(to)}`,
      writer: `'${DUCKDB_WRITER}'`,
      major: 'r.commit_seq',
      minor: '0',
    };
  },
};

/** The cursor of DuckDB commits up to `seq`. */
export function duckDbCursor(seq: number): LiveCursor {
  return seq === 0 ? [] : [{ writer: DUCKDB_WRITER, major: seq, minor: 0 }];
}

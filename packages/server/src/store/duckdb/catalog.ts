import { existsSync } from 'node:fs';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * The store's file as a catalog of an in-memory DuckDB instance: attached once at start, and
 * attached anew when DuckDB has invalidated it (a checkpoint that failed, as on a full disk).
 */

const CATALOG = 'spoor';

/**
 * Rows a row group of a new store holds. A commit at capacity (`recordsPerCommit`) writes its
 * full row groups straight to the file instead of the WAL, so checkpoints stay small (with
 * DuckDB's 122,880 rows and 50,000-record commits, every span went through the WAL: 6-7 ms per
 * 1,000 spans and stalls of up to a second). Fewer, larger groups make every read cheaper on a
 * big store: a scan checks each group's statistics before it skips it, about a microsecond a
 * group, so a trace's read on a 100M-span store of 16,384-row groups (7,852 of them) took 5-7 ms
 * against 1-2 on a store of its last day (BENCHMARKS.md).
 */
export const ROW_GROUP_ROWS = 65_536;

/**
 * The row groups of the stores made before (no `row_group_rows` in `spoor_meta`), kept for them:
 * a file attached with a larger size has its smaller groups merged at each checkpoint, which on
 * a 100M-span store took 4-7 s a checkpoint, commits held throughout, for a hundred checkpoints.
 */
export const FIRST_ROW_GROUP_ROWS = 16_384;

/** Records a commit takes at most: two row groups, so a commit at capacity writes whole groups to the file. */
export function recordsPerCommit(rowGroupRows: number): number {
  return rowGroupRows === FIRST_ROW_GROUP_ROWS ? 50_000 : 2 * rowGroupRows;
}

/** Whether DuckDB says the database will not be used again until it is attached anew. */
export function isInvalidated(error: unknown): boolean {
  return error instanceof Error && /has been invalidated/.test(error.message);
}

/**
 * Attaches the file as Spoor's catalog and makes it the connection's default; `readOnly` for a
 * reader beside no server (DuckDB lets one process write a file, or any number read it).
 */
export async function attach(connection: DuckDBConnection, path: string, rowGroupRows: number, readOnly = false): Promise<void> {
  await connection.run(`ATTACH ${quoted(path)} AS ${CATALOG} (${readOnly ? 'READ_ONLY' : `ROW_GROUP_SIZE ${rowGroupRows}`})`);
  await connection.run(`USE ${CATALOG}`);
}

const quoted = (path: string): string => `'${path.replaceAll("'", "''")}'`;

/**
 * The row group size of the file at `path`, which DuckDB does not keep, read from the file
 * attached for reading alone: what its `spoor_meta` records; `FIRST_ROW_GROUP_ROWS` for a Spoor
 * schema that records none (a store made before); `ROW_GROUP_ROWS` for a new file, or one with no
 * schema yet (a first start that stopped before it was written). A file that cannot be read fails the open.
 */
export async function rowGroupRowsOf(instance: DuckDBInstance, path: string): Promise<number> {
  if (!existsSync(path)) return ROW_GROUP_ROWS;
  const probe = await instance.connect();
  try {
    await probe.run(`ATTACH ${quoted(path)} AS spoor_layout (READ_ONLY)`);
    try {
      const tables = await probe.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE database_name = 'spoor_layout' AND table_name = 'spoor_meta'`);
      if (Number(tables.getRows()[0]?.[0]) === 0) return ROW_GROUP_ROWS;
      const meta = new Map(
        (await probe.runAndReadAll(`SELECT key, value FROM spoor_layout.spoor_meta WHERE key IN ('schema_version', 'row_group_rows')`))
          .getRows()
          .map(([key, value]) => [String(key), Number(value)]),
      );
      const recorded = meta.get('row_group_rows');
      if (recorded !== undefined && Number.isInteger(recorded) && recorded > 0) return recorded;
      return meta.has('schema_version') ? FIRST_ROW_GROUP_ROWS : ROW_GROUP_ROWS;
    } finally {
      await probe.run('DETACH spoor_layout');
    }
  } finally {
    probe.closeSync();
  }
}

/** A new connection to the instance, on Spoor's catalog. */
export async function connectTo(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const connection = await instance.connect();
  await connection.run(`USE ${CATALOG}`);
  return connection;
}

/**
 * Detaches the database file, without the checkpoint a close would try: after a checkpoint failed
 * (a full disk), closing the instance with it attached aborts the process. Its write-ahead log
 * keeps what was committed since the last checkpoint; the next open replays it.
 */
export async function detach(instance: DuckDBInstance): Promise<void> {
  const fresh = await instance.connect();
  try {
    await fresh.run(`DETACH DATABASE IF EXISTS ${CATALOG}`);
  } finally {
    fresh.closeSync();
  }
}

/**
 * Detaches the invalidated catalog and attaches its file again, which replays its WAL, then points
 * `connections` at it. The caller ends its open transactions first: they hold the old database,
 * and a file attached twice is refused. Done from a connection of its own, as one whose default is
 * the invalidated database cannot even switch away (measured: `USE memory` fails there too).
 */
export async function reattach(
  instance: DuckDBInstance,
  path: string,
  rowGroupRows: number,
  readOnly: boolean,
  connections: readonly DuckDBConnection[],
): Promise<void> {
  const fresh = await instance.connect();
  try {
    await fresh.run(`DETACH DATABASE IF EXISTS ${CATALOG}`);
    await attach(fresh, path, rowGroupRows, readOnly);
  } finally {
    fresh.closeSync();
  }
  for (const connection of connections) await connection.run(`USE ${CATALOG}`);
}

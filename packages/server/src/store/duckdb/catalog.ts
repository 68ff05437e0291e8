import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * The store's file as a catalog of an in-memory DuckDB instance: attached once at start, and
 * attached anew when DuckDB has invalidated it (a checkpoint that failed, as on a full disk).
 */

const CATALOG = 'spoor';

/**
 * Row groups of 16,384 rows (not the default 122,880) let a commit of a few ten thousand records
 * write its row groups straight to the file instead of the WAL, so checkpoints stay small: commits
 * took 3.8 ms per 1,000 spans with no stalls, against 6-7 ms and stalls of up to a second with the
 * default (BENCHMARKS.md).
 */
const ROW_GROUP_SIZE = 16_384;

/** Whether DuckDB says the database will not be used again until it is attached anew. */
export function isInvalidated(error: unknown): boolean {
  return error instanceof Error && /has been invalidated/.test(error.message);
}

/**
 * Attaches the file as Spoor's catalog and makes it the connection's default; `readOnly` for a
 * reader beside no server (DuckDB lets one process write a file, or any number read it).
 */
export async function attach(connection: DuckDBConnection, path: string, readOnly = false): Promise<void> {
  await connection.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${CATALOG} (${readOnly ? 'READ_ONLY' : `ROW_GROUP_SIZE ${ROW_GROUP_SIZE}`})`);
  await connection.run(`USE ${CATALOG}`);
}

/** A new connection to the instance, on Spoor's catalog. */
export async function connectTo(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const connection = await instance.connect();
  await connection.run(`USE ${CATALOG}`);
  return connection;
}

/**
 * Detaches the invalidated catalog and attaches its file again, which replays its WAL, then points
 * `connections` at it. The caller ends its open transactions first: they hold the old database,
 * and a file attached twice is refused. Done from a connection of its own, as one whose default is
 * the invalidated database cannot even switch away (measured: `USE memory` fails there too).
 */
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

export async function reattach(instance: DuckDBInstance, path: string, connections: readonly DuckDBConnection[]): Promise<void> {
  const fresh = await instance.connect();
  try {
    await fresh.run(`DETACH DATABASE IF EXISTS ${CATALOG}`);
    await attach(fresh, path);
  } finally {
    fresh.closeSync();
  }
  for (const connection of connections) await connection.run(`USE ${CATALOG}`);
}

import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `fn` in one transaction on `connection`: committed when it resolves, rolled back when it
 * throws. A rollback that fails too (the connection lost) leaves `fn`'s error to say what happened.
 */
export async function inTransaction<T>(connection: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await fn();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

import { describe, expect, it } from 'vitest';
import { StoreError } from '../store/store.js';
import { isLackOfSpace } from './lack-of-space.js';

/** Node's error for a write the disk refuses, as `fs` makes it. */
const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { errno: -28, code: 'ENOSPC', syscall: 'write' });

describe('isLackOfSpace', () => {
  it.each([
    ['a local write refused (the spool, the quarantine)', enospc(), true],
    ['a quota exceeded', Object.assign(new Error('EDQUOT: disk quota exceeded, write'), { code: 'EDQUOT' }), true],
    // DuckDB's messages on a full tmpfs, as the store wraps them.
    [
      'a DuckDB commit whose WAL finds no room',
      new StoreError(
        'DuckDB failed to commit: TransactionContext Error: Failed to commit: Could not write file "/data/spoor.duckdb.wal": No space left on device',
      ),
      true,
    ],
    [
      'a DuckDB checkpoint that failed',
      new Error(
        'IO Error: Checkpoint failed for database "spoor". The database has been invalidated. Original error: Could not write file "/data/spoor.duckdb": No space left on device',
      ),
      true,
    ],
    [
      'a write to a DuckDB database invalidated by it',
      new StoreError(
        'DuckDB failed to append a batch: Database "spoor" has been invalidated because checkpointing failed. Detach and reattach it before using it again. Original error: Could not write file "/data/spoor.duckdb": No space left on device',
      ),
      true,
    ],
    // ClickHouse servers' answers, and the embedded engine's file of a commit's rows.
    [
      'a ClickHouse server that cannot reserve room for a part',
      Object.assign(new Error('Cannot reserve 1.00 MiB, not enough space. '), { code: '243', type: 'NOT_ENOUGH_SPACE' }),
      true,
    ],
    [
      'the same, wrapped by the store',
      new StoreError('ClickHouse (http://ch:8123) failed to insert spans: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)'),
      true,
    ],
    [
      'a ClickHouse server that cannot write a file',
      new StoreError(
        'ClickHouse (http://ch:8123) failed to commit: Cannot write to file /var/lib/clickhouse/tmp/x.bin, errno: 28, strerror: No space left on device. (CANNOT_WRITE_TO_FILE_DESCRIPTOR)',
      ),
      true,
    ],
    ['a driver error in the cause chain only', new StoreError('ClickHouse (chdb:/data/ch) failed to insert spans', { cause: enospc() }), true],
    ['a message as a string', 'No space left on device', true],
    [
      'a constraint the batch breaks',
      new StoreError('DuckDB failed to append a batch: Constraint Error: Duplicate key "id: 7" violates primary key constraint'),
      false,
    ],
    [
      'a server that does not answer',
      new StoreError('ClickHouse (http://ch:8123) failed to commit', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }),
      }),
      false,
    ],
    [
      'a memory limit',
      new StoreError('ClickHouse (http://ch:8123) failed to insert spans: Memory limit (total) exceeded: would use 3.50 GiB. (MEMORY_LIMIT_EXCEEDED)'),
      false,
    ],
    ['a word that merely holds "space"', new Error('unknown namespace "spaces"'), false],
    ['nothing', undefined, false],
  ])('%s', (_what, error, expected) => {
    expect(isLackOfSpace(error)).toBe(expected);
  });

  it('ends on an error that is its own cause', () => {
    const looped = new Error('looped');
    (looped as { cause?: unknown }).cause = looped;
    expect(isLackOfSpace(looped)).toBe(false);
  });
});

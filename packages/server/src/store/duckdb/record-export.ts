import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ExportQuery } from '@spoor/model';
import type { RecordExporter } from '../ports/export.js';
import { EXPORT_ROW_GROUP_ROWS, exportSql } from '../sql/export-columns.js';
import { StoreError } from '../store.js';
import type { OnConnection } from './alerts.js';
import { DuckDbParams, duckDbDialect } from './dialect.js';

/**
 * Export from DuckDB: `COPY (the export's SELECT) TO file`, DuckDB's own Parquet and JSON writers.
 * A stream (the API's) reads that file while DuckDB writes it, in a folder of temporary files:
 * the first bytes leave once DuckDB wrote its first row group, not once it wrote the whole file (a
 * month of spans takes minutes, past what an HTTP client waits for an answer's headers), the COPY
 * and the sending overlap, and no more than a chunk is ever held. DuckDB writes a file from start
 * to end, so what lies before its end is final. The file goes once the COPY ended, however the
 * stream ended; a stream returned early interrupts the COPY.
 */

/** What a stream reads of the file at once: one message between threads per mebibyte. */
const CHUNK_BYTES = 1024 * 1024;
/** How long a stream that caught up with the COPY waits before it reads again. */
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How a COPY running for a stream stands: its connection (to interrupt it) and, once it ended, its failure or `null`. */
interface Copying {
  connection: DuckDBConnection | null;
  ended: { error: unknown } | null;
  done: Promise<void>;
}

export class DuckDbRecordExport implements RecordExporter {
  constructor(
    private readonly on: OnConnection,
    /** Where streams' files are written while they are read (`null`: the system's temporary folder). */
    private readonly tempDir: string | null,
  ) {}

  async toFile(query: ExportQuery, path: string): Promise<void> {
    await this.on(`export ${query.signal} as ${query.format}`, (connection) => copyTo(connection, query, path));
  }

  async open(query: ExportQuery): Promise<AsyncGenerator<Uint8Array, void, undefined>> {
    const dir = this.tempDir ?? tmpdir();
    await mkdir(dir, { recursive: true });
    const path = join(dir, `spoor-export-${randomUUID()}.${query.format}`);
    const copying: Copying = { connection: null, ended: null, done: Promise.resolve() };
    copying.done = this.on(`export ${query.signal} as ${query.format}`, async (connection) => {
      // Set while the COPY runs on it, and only then: an ended stream must not interrupt what the connection runs next.
      copying.connection = connection;
      try {
        await copyTo(connection, query, path);
      } finally {
        copying.connection = null;
      }
    }).then(
      () => void (copying.ended = { error: null }),
      (error: unknown) => void (copying.ended = { error }),
    );
    // Answer once the file holds its first bytes or the COPY ended: a query DuckDB refuses fails
    // here, before any byte. Its file may be there for a moment before it fails (DuckDB makes it
    // once the query is planned, buffers what it writes, and removes it on failure).
    let handle: FileHandle | null = null;
    for (;;) {
      handle ??= await open(path, 'r').catch(() => null);
      const ended = copying.ended;
      if (handle !== null) {
        const first = await readChunk(handle, 0);
        if (first.length > 0 || (ended !== null && ended.error === null)) return tail(handle, path, copying, first);
      }
      if (ended !== null) {
        await handle?.close();
        await rm(path, { force: true });
        throw ended.error ?? new StoreError(`DuckDB wrote no file for the export of ${query.signal}`);
      }
      await sleep(POLL_MS);
    }
  }
}

async function copyTo(connection: DuckDBConnection, query: ExportQuery, path: string): Promise<void> {
  const p = new DuckDbParams();
  const select = exportSql(duckDbDialect, p, query);
  // JSON: one object a line (DuckDB's default, `ARRAY false`).
  const format = query.format === 'parquet' ? `FORMAT parquet, ROW_GROUP_SIZE ${EXPORT_ROW_GROUP_ROWS}` : 'FORMAT json';
  await connection.run(`COPY (${select}) TO '${path.replaceAll("'", "''")}' (${format})`, p.values);
}

/**
 * Up to a chunk of the file from `position`, in a buffer of its own (it may move to another
 * thread) as large as what is there: a stream waiting for the COPY's first row group reads nothing
 * every `POLL_MS`, and allocates nothing for it.
 */
async function readChunk(handle: FileHandle, position: number): Promise<Uint8Array> {
  const { size } = await handle.stat();
  if (size <= position) return NOTHING;
  const chunk = new Uint8Array(Math.min(CHUNK_BYTES, size - position));
  const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
  return bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
}

/** What a read that finds nothing answers (never yielded, so never moved). */
const NOTHING = new Uint8Array(0);

/** The file's bytes as the COPY writes them from its `first`, up to its end once the COPY ended; its failure thrown after what it wrote. */
async function* tail(handle: FileHandle, path: string, copying: Copying, first: Uint8Array): AsyncGenerator<Uint8Array, void, undefined> {
  let position = first.length;
  try {
    if (position > 0) yield first;
    for (;;) {
      // Whether it had ended before this read: then a read that finds nothing is the end.
      const ended = copying.ended;
      const chunk = await readChunk(handle, position);
      if (chunk.length > 0) {
        position += chunk.length;
        yield chunk;
      } else if (ended === null) await sleep(POLL_MS);
      else if (ended.error !== null) throw ended.error;
      else return;
    }
  } finally {
    await handle.close();
    // Returned early (the client went away): no more of it is wanted.
    if (copying.ended === null) copying.connection?.interrupt();
    await copying.done;
    await rm(path, { force: true });
  }
}

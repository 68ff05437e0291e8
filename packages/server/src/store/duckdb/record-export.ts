import { randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ExportQuery } from '@spoor/model';
import type { RecordExporter } from '../ports/export.js';
import { exportSql } from '../sql/export-columns.js';
import { StoreError } from '../store.js';
import type { OnConnection } from './alerts.js';
import { DuckDbParams, duckDbDialect } from './dialect.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * Export from DuckDB: `COPY (the export's SELECT) TO file`, DuckDB's own Parquet and JSON writers.
 * A stream (the API's) is that file, written first to a folder of temporary files and unlinked
 * once opened, so nothing is left behind however the stream ends; a file is read a chunk at a
 * time, never whole.
 */

/** What a stream reads of the file at once: one message between threads per mebibyte. */
const CHUNK_BYTES = 1024 * 1024;

export class DuckDbRecordExport implements RecordExporter {
  constructor(
    private readonly on: OnConnection,
    /** Where streams' files are written before they are read (`null`: the system's temporary folder). */
    private readonly tempDir: string | null,
  ) {}

  async toFile(query: ExportQuery, path: string): Promise<void> {
    await this.on(`export ${query.signal} as ${query.format}`, (connection) => copyTo(connection, query, path));
  }

  async open(query: ExportQuery): Promise<AsyncGenerator<Uint8Array, void, undefined>> {
    const dir = this.tempDir ?? tmpdir();
    await mkdir(dir, { recursive: true });
    const path = join(dir, `spoor-export-${randomUUID()}.${query.format}`);
    try {
      await this.toFile(query, path);
      const handle = await open(path, 'r');
      // Open, it reads on; unlinked, a crash from here on leaves nothing.
      await rm(path, { force: true });
      return chunksOf(handle);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  }
}

async function copyTo(connection: DuckDBConnection, query: ExportQuery, path: string): Promise<void> {
  const p = new DuckDbParams();
  const select = exportSql(duckDbDialect, p, query);
  // JSON: one object a line (DuckDB's default, `ARRAY false`).
  await connection.run(`COPY (${select}) TO '${path.replaceAll("'", "''")}' (FORMAT ${query.format === 'parquet' ? 'parquet' : 'json'})`, p.values);
}

async function* chunksOf(handle: Awaited<ReturnType<typeof open>>): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for (;;) {
      // A buffer of its own for each chunk: it may move to another thread.
      const chunk = new Uint8Array(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      yield bytesRead === CHUNK_BYTES ? chunk : chunk.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A DuckDB store's file opened for export alone, read-only: its exporter, and how to close it. */
export interface ReadOnlyExport {
  exporter: RecordExporter;
  close(): Promise<void>;
}

export interface ReadOnlyExportOptions {
  /** DuckDB `memory_limit`. Default `'1GB'`: a Parquet writer holds a few row groups of each thread at once. */
  memoryLimit?: string;
  /** DuckDB worker threads. Default: `SPOOR_DUCKDB_THREADS`, else DuckDB's (one per core). */
  threads?: number;
}

/**
 * Opens the store file at `path` read-only, as `spoor export --data` does beside no server: a
 * file a server holds is refused by DuckDB's lock (the error says `lock`), and a file an older
 * Spoor wrote (its columns not yet migrated) is refused here, asking for a start of the server.
 */
export async function openReadOnlyExport(path: string, options: ReadOnlyExportOptions = {}): Promise<ReadOnlyExport> {
  const threads = options.threads ?? (process.env.SPOOR_DUCKDB_THREADS === undefined ? undefined : Number(process.env.SPOOR_DUCKDB_THREADS));
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  try {
    instance = await DuckDBInstance.create(':memory:', { memory_limit: options.memoryLimit ?? '1GB', ...(threads === undefined ? {} : { threads: String(threads) }) });
    connection = await instance.connect();
  } catch (cause) {
    throw new StoreError(`cannot start DuckDB: ${(cause as Error).message}`, { cause });
  }
  const close = async (): Promise<void> => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    await connection.run(`ATTACH '${path.replaceAll("'", "''")}' AS spoor (READ_ONLY)`);
    await connection.run('USE spoor');
    const version = Number((await connection.runAndReadAll(`SELECT value FROM spoor_meta WHERE key = 'schema_version'`)).getRows()[0]?.[0] ?? 0);
    if (version < SCHEMA_VERSION) {
      throw new Error(`it was written by an older Spoor (schema ${version}, this one reads ${SCHEMA_VERSION}): start \`spoor serve\` on it once to bring it up to date`);
    }
  } catch (cause) {
    await close();
    throw new StoreError(`cannot read the DuckDB database at ${path}: ${(cause as Error).message}`, { cause });
  }
  const on: OnConnection = async (what, fn) => {
    try {
      return await fn(connection);
    } catch (cause) {
      throw new StoreError(`DuckDB failed to ${what}: ${(cause as Error).message}`, { cause });
    }
  };
  return { exporter: new DuckDbRecordExport(on, null), close };
}

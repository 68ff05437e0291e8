import { createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import {
  DEFAULT_PROJECT_ID,
  EXPORT_FORMATS,
  EXPORT_SIGNALS,
  type ExportFormat,
  type ExportQuery,
  type ExportSignal,
  exportFileName,
  isExportFormat,
  isExportSignal,
} from '@spoor/model';
import { time, timeUs } from '../params/parameters.js';
import { checkProjectName } from '../auth/keys.js';
import { openClickHouseExport } from '../store/clickhouse/read-only-export.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { RecordExporter } from '../store/ports/export.js';
import { serverUrl } from '../cli/api-client.js';
import type { CommandIo } from '../cli/command.js';
import { EXPORT_USAGE } from './command.js';

/**
 * `spoor export --from T --to T [--project P] [--signals spans,logs,metrics,scores] --format
 * parquet|jsonl --out DIR (--url URL | --data DIR | --clickhouse-url URL)`: a file per signal in
 * DIR (`spans.parquet`, …), made by the store's engine: through a running server's
 * `GET /api/export` (with an admin key in `SPOOR_API_KEY`), or straight from a data directory
 * (opened read-only; a server holding it is asked instead, with `--url`) or a ClickHouse database
 * (nothing created or changed there). Each file is written under a temporary name and renamed
 * when whole, so a file of the final name is never half written.
 */

export type ExportIo = CommandIo;

/**
 * DuckDB's memory_limit for `--data` (the server's is 384MB): bench:export's 5M spans took 11-26 s
 * so at a peak RSS of 670 MiB, and 21-31 s at 1GB with 1.1-1.2 GiB.
 */
const EXPORT_MEMORY_LIMIT = '512MB';

/** The REST API's form of a time: ISO-8601 or epoch milliseconds. */
const TIME_FORM = new RegExp(time('').pattern!);

/** A mistake in the command line: said with the usage, exit code 2. */
class UsageError extends Error {}

interface ExportArgs {
  fromText: string;
  toText: string;
  fromUs: number;
  toUs: number;
  project: string | null;
  signals: ExportSignal[];
  format: ExportFormat;
  out: string;
  source: { kind: 'url'; url: string } | { kind: 'data'; dir: string } | { kind: 'clickhouse'; url: string };
}

export async function exportCommand(args: string[], io: ExportIo): Promise<number> {
  let parsed: ExportArgs;
  try {
    parsed = parse(args);
  } catch (error) {
    if (!(error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true)) throw error;
    io.err(`spoor export: ${(error as Error).message}\n  ${EXPORT_USAGE}\n`);
    return 2;
  }
  await mkdir(parsed.out, { recursive: true });
  const write = parsed.source.kind === 'url' ? apiWriter(parsed, parsed.source.url) : await storeWriter(parsed, io);
  if (write === null) return 1;
  try {
    for (const signal of parsed.signals) {
      const started = performance.now();
      const path = join(parsed.out, exportFileName(signal, parsed.format));
      const partial = join(parsed.out, `.${exportFileName(signal, parsed.format)}.part`);
      try {
        await write.signal(signal, partial);
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        io.err(`spoor export: ${signal}: ${(error as Error).message}\n`);
        return 1;
      }
      const bytes = (await stat(path)).size;
      io.out(`${signal.padEnd(7)} ${path} (${bytes.toLocaleString('en')} bytes, ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    }
    return 0;
  } finally {
    await write.close();
  }
}

function parse(args: string[]): ExportArgs {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      project: { type: 'string' },
      signals: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      data: { type: 'string' },
      'clickhouse-url': { type: 'string' },
    },
    strict: true,
  });
  if (values.out === undefined || values.out === '') throw new UsageError('--out DIR is required: the folder the files are written to');
  if (values.from === undefined || values.to === undefined)
    throw new UsageError('--from and --to are required: the range, as ISO-8601 times or epoch milliseconds');
  const fromUs = timeOf(values.from, 'from');
  const toUs = timeOf(values.to, 'to');
  if (fromUs > toUs) throw new UsageError(`--from (${values.from}) must not be after --to (${values.to})`);
  if (values.format === undefined || !isExportFormat(values.format)) {
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}${values.format === undefined ? '' : `, not '${values.format}'`}`);
  }
  const signals = values.signals === undefined ? [...EXPORT_SIGNALS] : [...new Set(values.signals.split(',').map((s) => s.trim()))];
  const unknown = signals.filter((s) => !isExportSignal(s));
  if (signals.length === 0 || unknown.length > 0)
    throw new UsageError(`--signals takes ${EXPORT_SIGNALS.join(', ')} (comma-separated), not '${unknown.join(',')}'`);
  if (values.project !== undefined) {
    try {
      checkProjectName(values.project, 'read');
    } catch (error) {
      throw new UsageError(`--project: ${(error as Error).message}`);
    }
    if (values.project === '*') throw new UsageError("--project names one project, not '*'");
  }
  const sources = [values.url, values.data, values['clickhouse-url']].filter((v) => v !== undefined);
  if (sources.length !== 1) {
    throw new UsageError(
      'name one place to export from: --url URL (a running Spoor, with an admin key in SPOOR_API_KEY), --data DIR (a data directory no server holds) or --clickhouse-url URL',
    );
  }
  const source: ExportArgs['source'] =
    values.url !== undefined
      ? { kind: 'url', url: serverUrl(values.url) }
      : values.data !== undefined
        ? { kind: 'data', dir: resolve(values.data) }
        : { kind: 'clickhouse', url: values['clickhouse-url']! };
  return {
    fromText: values.from,
    toText: values.to,
    fromUs,
    toUs,
    project: values.project ?? null,
    signals: signals as ExportSignal[],
    format: values.format,
    out: resolve(values.out),
    source,
  };
}

/** A time as the REST API takes it, in epoch microseconds. */
function timeOf(text: string, flag: string): number {
  const us = TIME_FORM.test(text) ? timeUsOrNull(text) : null;
  if (us === null) throw new UsageError(`--${flag} must be an ISO-8601 time (2026-05-01T00:00:00Z) or epoch milliseconds between 1970 and 9999, not '${text}'`);
  return us;
}

function timeUsOrNull(text: string): number | null {
  try {
    return timeUs(text, 'time');
  } catch {
    // Out of range, or a date such as month 13: said by the caller.
    return null;
  }
}

interface SignalWriter {
  /** Writes the signal's file at `path`. */
  signal(signal: ExportSignal, path: string): Promise<void>;
  close(): Promise<void>;
}

/** Through a running server: `GET /api/export` with the key in `SPOOR_API_KEY`, the answer streamed to the file. */
function apiWriter(args: ExportArgs, url: string): SignalWriter {
  const headers: Record<string, string> = {};
  const key = process.env.SPOOR_API_KEY;
  if (key !== undefined && key !== '') headers.authorization = `Bearer ${key}`;
  if (args.project !== null) headers['spoor-project'] = args.project;
  return {
    signal: async (signal, path) => {
      const query = new URLSearchParams({ signal, format: args.format, from: args.fromText, to: args.toText });
      let response: Response;
      try {
        response = await fetch(`${url}/api/export?${query}`, { headers });
      } catch (error) {
        throw new Error(`cannot reach Spoor at ${url} (${(error as Error).message}); start it, or pass another --url`, { cause: error });
      }
      if (!response.ok || response.body === null) {
        const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        const hint = response.status === 401 || response.status === 403 ? '; set SPOOR_API_KEY to an admin key of the project' : '';
        throw new Error(`GET /api/export answered ${response.status}: ${answer?.error?.message ?? 'no details'}${hint}`);
      }
      // A server that stops mid-file ends the body early: the fetch fails, and the file is not kept.
      await pipeline(Readable.fromWeb(response.body as WebStream<Uint8Array>), createWriteStream(path));
    },
    close: async () => {},
  };
}

/** Straight from the store: a data directory read-only, or a ClickHouse database. `null` (said on `io.err`) when it cannot be opened. */
async function storeWriter(args: ExportArgs, io: ExportIo): Promise<SignalWriter | null> {
  let opened: { exporter: RecordExporter; close(): Promise<void> };
  if (args.source.kind === 'data') {
    const path = join(args.source.dir, 'spoor.duckdb');
    try {
      await access(path);
    } catch {
      io.err(`spoor export: there is no Spoor store at ${path}\n`);
      return null;
    }
    try {
      // Read-only: a server holding the file keeps its lock, and DuckDB refuses this open (the message says `lock`).
      const store = await DuckDbStore.open({
        path,
        readOnly: true,
        memoryLimit: EXPORT_MEMORY_LIMIT,
        threads: Number(process.env.SPOOR_DUCKDB_THREADS ?? availableParallelism()),
      });
      opened = { exporter: store.exports, close: () => store.close() };
    } catch (error) {
      const message = (error as Error).message;
      io.err(
        /lock/i.test(message)
          ? `spoor export: a running Spoor server holds ${args.source.dir}; export through it instead: --url http://HOST:PORT (with an admin key in SPOOR_API_KEY)\n`
          : `spoor export: ${message}\n`,
      );
      return null;
    }
  } else if (args.source.kind === 'clickhouse') {
    try {
      opened = await openClickHouseExport(args.source.url);
    } catch (error) {
      io.err(`spoor export: ${(error as Error).message}\n`);
      return null;
    }
  } else {
    throw new Error('a server is reached through its API');
  }
  const projectId = args.project ?? DEFAULT_PROJECT_ID;
  return {
    signal: (signal, path) => {
      const query: ExportQuery = { projectId, signal, format: args.format, fromUs: args.fromUs, toUs: args.toUs };
      return opened.exporter.toFile(query, path);
    },
    close: () => opened.close(),
  };
}

import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type ClickHouseClient, ClickHouseLogLevel, type ClickHouseSettings, createClient } from '@clickhouse/client';
import type { Params } from '../sql/dialect.js';
import { StoreError } from '../store.js';
import { SPAN_FACT_COLUMNS } from './schema-span-columns.js';

/**
 * Where the ClickHouse store lives: a server reached over HTTP (`url`), or the ClickHouse engine
 * embedded in this process by the `chdb` package (`chdbPath`; tests and benchmarks). Both speak
 * through `@clickhouse/client`, so the SQL, the client and the engine are the real ones either way.
 */
export interface ClickHouseTarget {
  /** `http://USER:PASS@HOST:8123/DB` (also `https://`, and `clickhouse://` for `http://`). */
  url?: string;
  /** A folder for the embedded engine (`chdb`); one per process. */
  chdbPath?: string;
  /** The database; overrides the URL's path. Default `spoor`. */
  database?: string;
}

/** Settings every query runs with: numbers as JSON numbers, SQL-standard NULLs from outer joins. */
const SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
  output_format_json_quote_64bit_floats: 0,
  join_use_nulls: 1,
  // Inserts of old or spread-out data (a migration, a test's fixtures) span many days.
  max_partitions_per_insert_block: '0',
  // On a cluster, a subquery over a Distributed table runs once and is sent to every shard
  // (ClickHouse refuses it by default); on one server this changes nothing.
  distributed_product_mode: 'global',
  // Deletes of a batch cut short are seen by the next read.
  lightweight_deletes_sync: '2',
  mutations_sync: '2',
  // A changed --retention is metadata only: ClickHouse otherwise rewrites every stored part at
  // once (a 100M-span store did not finish within the client's minute, and the server did not
  // start). What is stored already is removed by the retention run, by whole days where it can.
  materialize_ttl_after_modify: 0,
};

/**
 * `SETTINGS` as one statement, for the embedded engine: a chdb connection keeps what a `SET` sets
 * for its later queries, whereas settings given to the client are sent again with every query,
 * each as a `SET` statement run before it: 2.5 ms more a query (a `CREATE TABLE IF NOT EXISTS` of
 * a table that exists took 3.7 ms with them, 1.5 ms without).
 */
const SET_SETTINGS = `SET ${Object.entries(SETTINGS)
  .map(([name, value]) => `${name} = ${typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value)}`)
  .join(', ')}`;

/**
 * Query priorities. A ClickHouse server pauses a running query, a second at a time, while one of a
 * higher priority (a smaller number) runs; 0 takes no part, neither waiting nor holding others up.
 * A commit's inserts go before the alert rounds' reads, which nobody waits on: at sustained load
 * on the 100M bench store, a round's reads grew to seconds beside the inserts and merges on two
 * cores, and with them commits slowed past a second and requests were refused; with the rounds
 * giving way, none were (BENCHMARKS.md). What a user asks for keeps priority 0. The embedded
 * engine leaves them out: a setting stays on its connection for the queries after.
 *
 * A paused read can run past the client's minute; ClickHouse ends it first, and ends it if the
 * client goes, so a round that gave up leaves nothing running beside the next.
 */
const INSERT_SETTINGS: ClickHouseSettings = { priority: '1' };
const BACKGROUND_SETTINGS: ClickHouseSettings = { priority: '2', max_execution_time: 50, cancel_http_readonly_queries_on_client_close: 1 };

/** The client's own console logging is off: every failure reaches the caller as a `StoreError`. */
const QUIET = { level: ClickHouseLogLevel.OFF };

/** A query parameter's ClickHouse type, from its JS value unless given. */
function typeOf(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int64' : 'Float64';
  if (typeof value === 'boolean') return 'Bool';
  if (Array.isArray(value)) return `Array(${value.length > 0 ? typeOf(value[0]) : 'String'})`;
  return 'String';
}

/**
 * Collects the parameters of a query while it is built; `add` returns the placeholder
 * (`{p1:String}`), so values never become SQL text.
 */
export class ChParams implements Params {
  readonly values: Record<string, unknown> = {};
  private n = 0;

  add(value: string | number | boolean | readonly string[] | readonly number[], type = typeOf(value)): string {
    const name = `p${++this.n}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }

  int(value: number): string {
    return this.add(value, 'Int64');
  }

  count(value: number): string {
    return this.add(value, 'UInt64');
  }

  /** A whole number past 2^53 (a score filter's 1e19) goes as its shortest decimal text: clients refuse to serialize it as a number. */
  float(value: number): string {
    return this.add(Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value, 'Float64');
  }

  texts(values: readonly string[]): string {
    return this.add(values, 'Array(String)');
  }

  ints(values: readonly number[]): string {
    return this.add(values, 'Array(Int64)');
  }
}

/** A table name, quoted, in the store's database. */
export type TableRef = string;

/** How `ChClient.rawBytes` reads an answer. */
export interface RawBytesOptions {
  /** `RowBinary` (the default) or another binary format of ClickHouse's, `RowBinaryWithNamesAndTypes`. */
  format?: 'RowBinary' | 'RowBinaryWithNamesAndTypes';
  /** Memory to read the answer into, asked for when its first piece arrives (`null`: none then). */
  into?: () => Buffer | null;
}

/** The tables of one database, each as the quoted name SQL uses (`` `spoor`.`spans` ``). */
export interface Tables {
  readonly db: string;
  readonly spans: TableRef;
  readonly span_stats: TableRef;
  /** `spans` and `span_stats` as one relation (`SqlTables.span_facts`): a subquery. */
  readonly span_facts: string;
  /** `llm_responses` and the response ids of `span_stats` as one relation (`SqlTables.response_facts`): a subquery. */
  readonly response_facts: string;
  readonly trace_parts: TableRef;
  readonly logs: TableRef;
  readonly metric_points: TableRef;
  readonly errors: TableRef;
  readonly sources: TableRef;
  readonly spool_positions: TableRef;
  readonly spoor_meta: TableRef;
  readonly model_prices: TableRef;
  readonly api_keys: TableRef;
  readonly masking_policies: TableRef;
  readonly audit_log: TableRef;
  readonly alert_rules: TableRef;
  readonly alert_rule_seeds: TableRef;
  readonly alert_state: TableRef;
  readonly alert_history: TableRef;
  readonly silences: TableRef;
  readonly error_group_states: TableRef;
  readonly scores: TableRef;
  readonly llm_responses: TableRef;
  readonly evaluators: TableRef;
  readonly evaluator_runs: TableRef;
  readonly evaluator_leases: TableRef;
  readonly datasets: TableRef;
  readonly dataset_items: TableRef;
  readonly experiments: TableRef;
  readonly experiment_results: TableRef;
  readonly running_spans: TableRef;
  readonly sampling_policies: TableRef;
  readonly sampling_decisions: TableRef;
  readonly review_queues: TableRef;
  readonly review_items: TableRef;
  readonly review_events: TableRef;
  readonly prompt_versions: TableRef;
  readonly prompt_events: TableRef;
  readonly dashboards: TableRef;
}

export const TABLE_NAMES = [
  'spans',
  'span_stats',
  'trace_parts',
  'logs',
  'metric_points',
  'errors',
  'sources',
  'spool_positions',
  'spoor_meta',
  'model_prices',
  'api_keys',
  'masking_policies',
  'audit_log',
  'scores',
  'llm_responses',
  'alert_rules',
  'alert_rule_seeds',
  'alert_state',
  'alert_history',
  'silences',
  'error_group_states',
  'evaluators',
  'evaluator_runs',
  'evaluator_leases',
  'datasets',
  'dataset_items',
  'experiments',
  'experiment_results',
  'running_spans',
  'sampling_policies',
  'sampling_decisions',
  'review_queues',
  'review_items',
  'review_events',
  'prompt_versions',
  'prompt_events',
  'dashboards',
] as const;

export const quoteName = (name: string): string => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;

export function tablesIn(db: string): Tables {
  const tables: Record<string, string> = { db };
  for (const name of TABLE_NAMES) tables[name] = `${quoteName(db)}.${quoteName(name)}`;
  const columns = SPAN_FACT_COLUMNS.join(', ');
  // Named: ClickHouse joins (an attribute label's resource keys) take only a subquery with an alias.
  tables.span_facts = `(SELECT ${columns} FROM ${tables.spans} UNION ALL SELECT ${columns} FROM ${tables.span_stats}) AS span_facts`;
  const responses = 'project_id, response_id, trace_id, span_id';
  tables.response_facts = `(SELECT ${responses} FROM ${tables.llm_responses} UNION ALL SELECT ${responses} FROM ${tables.span_stats} WHERE response_id <> '') AS response_facts`;
  return tables as unknown as Tables;
}

/** The parts of a ClickHouse URL the client takes; the password never reaches a message. */
export function parseClickHouseUrl(text: string): {
  url: string;
  username: string;
  password: string;
  database: string | null;
  compress: boolean;
  redacted: string;
} {
  let url: URL;
  try {
    url = new URL(text.replace(/^clickhouse:\/\//, 'http://'));
  } catch {
    throw new StoreError(`not a ClickHouse URL: expected http://USER:PASS@HOST:8123/DB`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new StoreError(`a ClickHouse URL starts with http:// or https://, not ${url.protocol}//`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || null;
  const username = decodeURIComponent(url.username) || 'default';
  const password = decodeURIComponent(url.password);
  const base = `${url.protocol}//${url.host}`;
  return {
    url: base,
    username,
    password,
    database,
    compress: compressionOf(url.searchParams),
    redacted: `${url.protocol}//${username}@${url.host}/${database ?? ''}`,
  };
}

/**
 * `?compress=1`: gzip what Spoor sends ClickHouse and what it answers. Off unless asked for:
 * gzipping a commit's rows (then TabSeparated text) cost Spoor more CPU than anything else on
 * its way to ClickHouse, and a server's CPU is what limits ingest first (BENCHMARKS.md);
 * worth it over a slow link (a hosted ClickHouse across the internet), not in one network.
 */
function compressionOf(params: URLSearchParams): boolean {
  for (const key of params.keys()) {
    if (key !== 'compress') throw new StoreError(`a ClickHouse URL takes one option, ?compress=1; not '${key}'`);
  }
  const value = params.get('compress');
  if (value === null || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new StoreError(`?compress= takes 1 or 0, not '${value}'`);
}

/**
 * The store's one way to ClickHouse: queries with parameters, commands, and inserts of Native
 * blocks (a commit's rows) or TabSeparated text (a few state rows); every driver error becomes a
 * `StoreError` naming what was being done.
 */
export class ChClient {
  readonly tables: Tables;

  private constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    /** Where it is, for messages: the URL without its password, or the embedded engine's folder. */
    readonly where: string,
    /** The embedded engine's folder, or `null` for a server over HTTP. */
    private readonly chdbPath: string | null = null,
    /** What this client's reads (`rows`) run with: `background()`'s, or nothing. */
    private readonly readSettings: ClickHouseSettings | undefined = undefined,
  ) {
    this.tables = tablesIn(database);
  }

  /** This client with its reads given way to inserts (`BACKGROUND_SETTINGS`): for the alert rounds. Closing it closes this one. */
  background(): ChClient {
    return new ChClient(this.client, this.database, this.where, this.chdbPath, this.onServer(BACKGROUND_SETTINGS));
  }

  /** `settings` on a server; none on the embedded engine, whose connection would keep them for the queries after. */
  private onServer(settings: ClickHouseSettings): ClickHouseSettings | undefined {
    return this.chdbPath === null ? settings : undefined;
  }

  static async open(target: ClickHouseTarget): Promise<ChClient> {
    if (target.chdbPath !== undefined) {
      let createChdbConnection: (options: { path: string }) => unknown;
      try {
        // Loaded only when asked for: the embedded engine is a development dependency of ~550 MB.
        ({ createChdbConnection } = (await import('chdb/connection')) as { createChdbConnection: typeof createChdbConnection });
      } catch (cause) {
        throw new StoreError('the embedded ClickHouse engine needs the `chdb` package (npm install chdb)', { cause });
      }
      const client = createClient({ connection: createChdbConnection({ path: target.chdbPath }) as never, log: QUIET });
      const ch = new ChClient(client, target.database ?? 'spoor', `chdb:${target.chdbPath}`, target.chdbPath);
      try {
        await ch.command('apply the settings', SET_SETTINGS);
      } catch (error) {
        await ch.close();
        throw error;
      }
      return ch;
    }
    if (target.url === undefined) throw new StoreError('the ClickHouse store needs a URL (--clickhouse-url http://USER:PASS@HOST:8123/DB)');
    const parsed = parseClickHouseUrl(target.url);
    const client = createClient({
      url: parsed.url,
      username: parsed.username,
      password: parsed.password,
      clickhouse_settings: SETTINGS,
      request_timeout: 60_000,
      compression: { request: parsed.compress, response: parsed.compress },
      log: QUIET,
    });
    return new ChClient(client, target.database ?? parsed.database ?? 'spoor', parsed.redacted);
  }

  /** Rows of a query as objects (JSONEachRow). */
  async rows<T>(what: string, sql: string, params?: ChParams | Record<string, unknown>): Promise<T[]> {
    try {
      const result = await this.client.query({ query: sql, query_params: paramsOf(params), format: 'JSONEachRow', clickhouse_settings: this.readSettings });
      return await result.json<T>();
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /**
   * A query's answer in `RowBinary` (`row-binary.ts`), for large answers of numbers, or in a
   * binary `format` like it. The client's `query` offers no binary formats, so this goes through
   * `exec` with the format in the SQL. With `into`, the answer is copied into the memory it gives
   * (asked for when the first piece arrives) and past its end into memory of its own.
   */
  async rawBytes(what: string, sql: string, params?: ChParams | Record<string, unknown>, options: RawBytesOptions = {}): Promise<Buffer> {
    try {
      const { stream } = await this.client.exec({ query: `${sql}\nFORMAT ${options.format ?? 'RowBinary'}`, query_params: paramsOf(params) });
      // Lent memory is asked for at the first piece; without it the pieces are joined at the end
      // (cheaper than growing a buffer by doubling).
      let out: Buffer | null | undefined;
      let length = 0;
      const pieces: Buffer[] = [];
      for await (const piece of stream as AsyncIterable<Buffer>) {
        if (out === undefined) out = options.into?.() ?? null;
        if (out === null) {
          pieces.push(piece);
          continue;
        }
        if (length + piece.length > out.length) {
          const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, length + piece.length));
          out.copy(bigger, 0, 0, length);
          out = bigger;
        }
        out.set(piece, length);
        length += piece.length;
      }
      return out === null || out === undefined ? Buffer.concat(pieces) : out.subarray(0, length);
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /**
   * A query's answer in `format` (`Parquet`, `JSONEachRow`), its bytes as ClickHouse sends them,
   * never held whole (export). A failure before the first byte throws here; one after,
   * while the stream is read. On the embedded engine `settings` stay set on the connection for the
   * queries after (chdb runs them as `SET`s), so none of `SETTINGS` may be given another value.
   */
  async stream(what: string, sql: string, format: string, params: ChParams, settings: ClickHouseSettings): Promise<AsyncIterable<Uint8Array> & Readable> {
    try {
      const { stream } = await this.client.exec({ query: `${sql}\nFORMAT ${format}`, query_params: paramsOf(params), clickhouse_settings: settings });
      return stream as Readable;
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /** The first row of a query, or `null`. */
  async row<T>(what: string, sql: string, params?: ChParams | Record<string, unknown>): Promise<T | null> {
    return (await this.rows<T>(what, sql, params))[0] ?? null;
  }

  /** A statement without rows (DDL, DELETE, ALTER). */
  async command(what: string, sql: string, params?: ChParams | Record<string, unknown>): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: paramsOf(params) });
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /**
   * Inserts rows given as ClickHouse `Native` blocks (`native.ts`) into `table`'s `columns`. The
   * client's `insert` takes no binary formats, so this goes through `exec` with the data as the
   * body. The embedded engine's connection takes a body only as text, so there the blocks are
   * read from a file instead, as ClickHouse reads a body.
   */
  async insertNative(what: string, table: TableRef, columns: readonly string[], body: Buffer): Promise<void> {
    if (body.length === 0) return;
    const list = columns.map(quoteName).join(', ');
    try {
      if (this.chdbPath !== null) {
        const file = join(this.chdbPath, `insert-${randomUUID()}.native`);
        await writeFile(file, body);
        try {
          await this.client.command({ query: `INSERT INTO ${table} (${list}) SELECT * FROM file({file:String}, 'Native')`, query_params: { file } });
        } finally {
          await rm(file, { force: true });
        }
        return;
      }
      const { stream } = await this.client.exec({
        query: `INSERT INTO ${table} (${list}) FORMAT Native`,
        values: Readable.from([body], { objectMode: false }),
        clickhouse_settings: INSERT_SETTINGS,
      });
      for await (const _ of stream as AsyncIterable<Buffer>) {
        // The answer to an insert is empty; reading it to the end frees the connection.
      }
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /** Inserts rows given as TabSeparated text (one line each) into `table`'s `columns`. */
  async insertTsv(what: string, table: TableRef, columns: readonly string[], text: string): Promise<void> {
    if (text.length === 0) return;
    try {
      await this.client.insert({
        table,
        columns: columns as [string, ...string[]],
        values: Readable.from([Buffer.from(text)], { objectMode: false }),
        format: 'TabSeparated',
        clickhouse_settings: this.onServer(INSERT_SETTINGS),
      });
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /** Inserts a few rows given as objects (small tables: keys, rules, prices). */
  async insertRows(what: string, table: TableRef, rows: readonly Record<string, unknown>[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
    } catch (cause) {
      throw this.failure(what, cause);
    }
  }

  /** Whether ClickHouse answers. */
  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()).success;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private failure(what: string, cause: unknown): StoreError {
    if (cause instanceof StoreError) return cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    return new StoreError(`ClickHouse (${this.where}) failed to ${what}: ${message}`, { cause });
  }
}

function paramsOf(params: ChParams | Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (params === undefined) return undefined;
  return params instanceof ChParams ? params.values : params;
}

/** A port method this adapter does not answer yet: a clear failure, never a made-up answer. */
export function notYet<T>(method: string, ..._args: unknown[]): Promise<T> {
  return Promise.reject(new StoreError(`the ClickHouse store cannot ${method} yet`));
}

import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { WriteBatch } from '../store.js';
import { type AppendContext, appendLog, appendMetricPoint, appendSpan, appendTracePart, tracePartsOf } from './append.js';
import { SourceCatalog } from './sources.js';

/** Rows appended between yields to the event loop: about 10 ms of work, so HTTP stays responsive. */
const APPEND_SLICE_ROWS = 2048;

type Table = 'spans' | 'trace_parts' | 'logs' | 'metric_points';

/**
 * The write side of the DuckDB store: one connection with one open transaction that batches are
 * appended to as they arrive, committed as a whole. Records are handed to DuckDB at once instead
 * of waiting in JavaScript memory for the commit, so they die young (cheap for the garbage
 * collector) and full row groups go to disk before the commit.
 */
export class DuckDbWriter {
  private readonly sources = new SourceCatalog();
  private ctx: AppendContext = { sources: this.sources, fresh: new Map() };
  private readonly appenders = new Map<Table, DuckDBAppender>();
  private open = false;
  /** Serializes appends, commits and rollbacks. */
  private lock: Promise<void> = Promise.resolve();

  constructor(private readonly connection: DuckDBConnection) {}

  append(batch: WriteBatch): Promise<void> {
    return this.exclusive(async () => {
      if (!this.open) {
        await this.connection.run('BEGIN TRANSACTION');
        this.open = true;
      }
      const ctx = this.ctx;
      if (batch.spans.length > 0) {
        await this.appendRows('spans', batch.spans, (a, span) => appendSpan(a, span, ctx));
        await this.appendRows('trace_parts', tracePartsOf(batch.spans), appendTracePart);
      }
      if (batch.logs.length > 0) await this.appendRows('logs', batch.logs, (a, log) => appendLog(a, log, ctx));
      if (batch.metricPoints.length > 0) {
        await this.appendRows('metric_points', batch.metricPoints, (a, point) => appendMetricPoint(a, point, ctx));
      }
    });
  }

  commit(position: string | null): Promise<void> {
    return this.exclusive(async () => {
      if (!this.open && position === null) return;
      if (!this.open) await this.connection.run('BEGIN TRANSACTION');
      this.open = true;
      // Appenders must be closed (flushed) before other statements run on the connection.
      this.closeAppenders();
      for (const row of this.ctx.fresh.values()) {
        await this.connection.run('INSERT INTO sources VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
          row.projectId,
          row.sourceId,
          row.resourceJson,
          row.scopeJson,
        ]);
      }
      if (position !== null) {
        await this.connection.run(
          `INSERT INTO spoor_meta VALUES ('spool_position', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
          [position],
        );
      }
      await this.connection.run('COMMIT');
      this.open = false;
      this.sources.remember(this.ctx.fresh.values());
      this.ctx = { sources: this.sources, fresh: new Map() };
    });
  }

  rollback(): Promise<void> {
    return this.exclusive(async () => {
      try {
        this.closeAppenders();
      } catch {
        // A failed appender is discarded with the transaction it belonged to.
      }
      this.appenders.clear();
      if (this.open) {
        await this.connection.run('ROLLBACK').catch(() => {
          // The transaction is already gone when the failure aborted it.
        });
      }
      this.open = false;
      this.ctx = { sources: this.sources, fresh: new Map() };
    });
  }

  private async appendRows<T>(table: Table, rows: readonly T[], appendRow: (appender: DuckDBAppender, row: T) => void): Promise<void> {
    let appender = this.appenders.get(table);
    if (appender === undefined) {
      appender = await this.connection.createAppender(table);
      this.appenders.set(table, appender);
    }
    for (let start = 0; start < rows.length; start += APPEND_SLICE_ROWS) {
      // Yield before every slice, the first too: the writer appends batch after batch through
      // promise continuations, which never let the event loop serve HTTP in between.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const end = Math.min(rows.length, start + APPEND_SLICE_ROWS);
      for (let i = start; i < end; i++) appendRow(appender, rows[i]!);
      // Flushing each slice spreads DuckDB's share of the work (about 2 ms per 1,000 spans) over
      // the slices; otherwise it lands at once on the commit, stalling the event loop.
      appender.flushSync();
    }
  }

  private closeAppenders(): void {
    for (const appender of this.appenders.values()) appender.closeSync();
    this.appenders.clear();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }
}

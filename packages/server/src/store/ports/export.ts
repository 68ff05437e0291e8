import type { ExportQuery } from '@spoor/model';

/**
 * Export: a signal's records as a file, written by the engine's own writer (DuckDB's `COPY … TO`,
 * ClickHouse's output formats), with the columns of `sql/export-columns.ts` whatever the engine.
 */
export interface RecordExporter {
  /** Writes the query's records to a new file at `path`, replacing any file there. */
  toFile(query: ExportQuery, path: string): Promise<void>;
  /**
   * The bytes of that file as the engine makes them: read them to the end, or `return()` early
   * (which ends the engine's work). Fails before the first byte for a query the engine refuses.
   */
  open(query: ExportQuery): Promise<AsyncGenerator<Uint8Array, void, undefined>>;
}

import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { ExportFormat, ExportQuery } from '@spoor/model';
import type { RecordExporter } from '../ports/export.js';
import { exportSql } from '../sql/export-columns.js';
import { EXPORT_ROW_GROUP_ROWS } from '../sql/export-columns.js';
import { ChParams } from './client.js';
import type { ClickHouseSql } from './dialect.js';

/**
 * Export from ClickHouse: the export's `SELECT` answered in ClickHouse's own `Parquet` or
 * `JSONEachRow` format, its bytes passed on as they arrive (over HTTP, never held whole).
 */

const FORMATS: Readonly<Record<ExportFormat, string>> = { parquet: 'Parquet', jsonl: 'JSONEachRow' };

/**
 * Written alike whatever the server's defaults: row groups of as many rows as DuckDB's, text as Parquet strings (UTF-8, which DuckDB reads
 * as VARCHAR, not BLOB), ZSTD (which every Parquet reader takes; LZ4 is not everywhere), and JSON
 * as DuckDB writes it (numbers unquoted, `/` unescaped).
 */
const SETTINGS: ClickHouseSettings = {
  output_format_parquet_string_as_string: 1,
  // DuckDB's exports' row groups (duckdb/record-export.ts), so the files are alike whichever store wrote them.
  output_format_parquet_row_group_size: String(EXPORT_ROW_GROUP_ROWS),
  output_format_parquet_compression_method: 'zstd',
  output_format_json_quote_64bit_integers: 0,
  output_format_json_escape_forward_slashes: 0,
};

export class ClickHouseRecordExport implements RecordExporter {
  constructor(private readonly sql: ClickHouseSql) {}

  async open(query: ExportQuery): Promise<AsyncGenerator<Uint8Array, void, undefined>> {
    const p = new ChParams();
    const select = exportSql(this.sql.dialect, p, query);
    return chunksOf(await this.sql.ch.stream(`export ${query.signal} as ${query.format}`, select, FORMATS[query.format], p, SETTINGS));
  }

  async toFile(query: ExportQuery, path: string): Promise<void> {
    await pipeline(await this.open(query), createWriteStream(path));
  }
}

/** The answer's chunks; returned early, the answer is dropped (its connection closed). */
async function* chunksOf(stream: AsyncIterable<Uint8Array> & Readable): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for await (const chunk of stream) yield chunk;
  } finally {
    stream.destroy();
  }
}

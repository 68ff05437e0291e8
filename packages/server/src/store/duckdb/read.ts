import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import {
  JsonParseCache,
  type SourceTexts,
  llmFromRow,
  logFromRow,
  mapArrayRows,
  metricPointFromRow,
  num,
  numOrNull,
  spanFieldsFromRow,
  storedLogFromRow,
  storedSpanFromRow,
} from '../record-rows.js';
import { LOG_COLUMNS, LOG_TEXT_COLUMNS, SPAN_COLUMNS, SPAN_DOUBLE_COLUMNS, SPAN_TEXT_COLUMNS } from '../sql/stored-columns.js';

/**
 * Converters from DuckDB results to model records. Small results are read by column
 * (`getColumnsObjectJS`, `mapRows`); large ones (a trace's spans, logs) as one JSON array per row
 * (`JsonArrayShape`, `mapArrayRows`), because converting value by value is what costs.
 */
export type Columns = Record<string, unknown[]>;

/**
 * The result of `sql` read by column. A query without values is run as it is, not prepared:
 * DuckDB (1.5.6) answered a prepared `SELECT ... ORDER BY` of a table whose first row another
 * connection was inserting with rows of one-character garbage (`key J has an unknown role 'e'`:
 * about 2% of such reads, the cause of `POST /api/keys` answering 500 ERR_STORE under load);
 * the same query unprepared, or prepared without the sort, read right in 1,300 of 1,300.
 */
export async function columnsOf(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Columns> {
  const reader = await (values.length === 0 ? connection.runAndReadAll(sql) : connection.runAndReadAll(sql, values));
  return reader.getColumnsObjectJS() as Columns;
}

/** A view of row `i` of a columnar result, read as `row.get('name')`. */
class RowView {
  i = 0;
  constructor(private readonly columns: Columns) {}
  get(name: string): unknown {
    return this.columns[name]![this.i];
  }
}

/** Converts every row of a columnar result with `convert`. */
export function mapRows<T>(columns: Columns, convert: (row: RowView) => T): T[] {
  const first = Object.values(columns)[0];
  const n = first?.length ?? 0;
  const out = new Array<T>(n);
  const row = new RowView(columns);
  for (let i = 0; i < n; i++) {
    row.i = i;
    out[i] = convert(row);
  }
  return out;
}

/**
 * Parses JSON text columns in place, each with one `JSON.parse` over the whole column instead of
 * one per value. `NULL` stays `null`.
 */
export function parseJsonColumns(columns: Columns, names: readonly string[]): Columns {
  for (const name of names) {
    const texts = columns[name];
    if (texts === undefined || texts.length === 0) continue;
    let joined = '[';
    for (let i = 0; i < texts.length; i++) {
      if (i > 0) joined += ',';
      const text = texts[i];
      joined += text === null || text === undefined ? 'null' : (text as string);
    }
    columns[name] = JSON.parse(`${joined}]`) as unknown[];
  }
  return columns;
}

export const METRIC_JSON_COLUMNS = ['attributes', 'quantiles', 'exemplars', 'exact_counts'] as const;

/**
 * A row shape read as one JSON array per row (`json_array(...)`): the SQL of the array, and each
 * field's index in it. Fields cast `::JSON` arrive parsed, VARCHAR ones as strings (a JSON text
 * column that way arrives as its text); resource and scope are looked up by `source_id` (see
 * `SourceTexts`), not repeated on every row. A field `<expression> AS <name>` is read by name.
 */
export interface JsonArrayShape {
  sql: string;
  index: ReadonlyMap<string, number>;
}

export function jsonArrayShape(fields: ReadonlyArray<string>): JsonArrayShape {
  const parts = fields.map((f) => {
    const alias = / AS (\w+)$/.exec(f);
    return alias === null ? { sql: f, name: f.split('::')[0]! } : { sql: f.slice(0, alias.index), name: alias[1]! };
  });
  return { sql: `json_array(${parts.map((p) => p.sql).join(', ')})`, index: new Map(parts.map((p, i) => [p.name, i])) };
}

/**
 * A row shape read for an answer (`StoredSpan`, `StoredLog`): the scalar fields as a `json_array`,
 * and the JSON text columns as they are stored, read as field `fields + i` of each row.
 */
export interface StoredRowShape extends JsonArrayShape {
  texts: readonly string[];
}

function storedRowShape(fields: ReadonlyArray<string>, texts: readonly string[]): StoredRowShape {
  const shape = jsonArrayShape(fields);
  const index = new Map(shape.index);
  texts.forEach((name, i) => index.set(name, shape.index.size + i));
  return { sql: shape.sql, index, texts };
}

/** A DOUBLE column as JSON can carry it: DuckDB writes NaN and infinities as bare words, which no JSON parser takes. */
const finite = (column: string): string => `CASE WHEN isfinite(${column}) THEN ${column} END AS ${column}`;

/** Spans for an answer (`StoredSpan`): attributes, events and links stay the stored text. */
export const SPAN_SHAPE = storedRowShape(
  [...SPAN_COLUMNS.map((column) => (SPAN_DOUBLE_COLUMNS.has(column) ? finite(column) : column)), 'finish_reasons::JSON'],
  SPAN_TEXT_COLUMNS,
);

/** Logs as records (`LogRecordData`), body and attributes parsed. */
export const LOG_SHAPE = jsonArrayShape([...LOG_COLUMNS, ...LOG_TEXT_COLUMNS.map((column) => `${column}::JSON`)]);

/** Logs for an answer (`StoredLog`): body and attributes as the stored text. */
export const STORED_LOG_SHAPE = storedRowShape(LOG_COLUMNS, LOG_TEXT_COLUMNS);

// The engine-neutral converters, where the DuckDB store's files have always imported them from.
export {
  JsonParseCache,
  type SourceTexts,
  llmFromRow,
  logFromRow,
  mapArrayRows,
  metricPointFromRow,
  num,
  numOrNull,
  spanFieldsFromRow,
  storedLogFromRow,
  storedSpanFromRow,
};

import type { RowShape, SourceTexts } from '../record-rows.js';
import { ChParams, type ChClient } from './client.js';

/**
 * Reading many rows of spans or logs fast. Each row comes as one line of `TabSeparatedRaw`: its
 * plain columns as one JSON array (`toJSONString(tuple(...))`), then its JSON text columns as
 * they are stored. All the arrays are parsed with one `JSON.parse`, and the texts, which an
 * answer splices in as they are, are never escaped and unescaped. Stored JSON texts hold no raw
 * tab or newline (`JSON.stringify` escapes every control character), so lines and cells split
 * cleanly; a line that does not is refused rather than misread.
 */
export interface RowsShape extends RowShape {
  /** The select list. */
  sql: string;
  /** How many values each row has. */
  width: number;
  /** How many of them are JSON texts, at the end of the row. */
  texts: number;
}

/** A shape of plain columns (`name` or `<expression> AS <name>`) followed by JSON text columns. */
export function rowsShape(fields: readonly string[], texts: readonly string[] = []): RowsShape {
  const named = (f: string) => {
    const alias = / AS (\w+)$/.exec(f);
    return alias === null ? { sql: f, name: f } : { sql: f.slice(0, alias.index), name: alias[1]! };
  };
  const plain = fields.map(named);
  const text = texts.map(named);
  const names = [...plain, ...text].map((p) => p.name);
  return {
    sql: [`toJSONString(tuple(${plain.map((p) => p.sql).join(', ')}))`, ...text.map((p) => p.sql)].join(', '),
    index: new Map(names.map((name, i) => [name, i])),
    width: names.length,
    texts: texts.length,
  };
}

/** The rows of `SELECT <shape.sql> <rest>`, each an array of its values in the shape's order. */
export async function readRows(ch: ChClient, what: string, shape: RowsShape, rest: string, params: ChParams): Promise<unknown[][]> {
  const text = await ch.rawText(what, `SELECT ${shape.sql} ${rest}`, params);
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (shape.texts === 0) return JSON.parse(`[${lines.join(',')}]`) as unknown[][];
  const arrays = new Array<string>(lines.length);
  const cells = new Array<string[]>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i]!.split('\t');
    if (parts.length !== shape.texts + 1) throw new Error(`a stored JSON text holds a raw tab or newline (row ${i} of ${what})`);
    arrays[i] = parts[0]!;
    cells[i] = parts;
  }
  const rows = JSON.parse(`[${arrays.join(',')}]`) as unknown[][];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const parts = cells[i]!;
    for (let j = 1; j < parts.length; j++) row.push(parts[j]);
  }
  return rows;
}

/** Parses the JSON text column `name` of every row in place, with one `JSON.parse` for all. */
export function parseTextColumn(rows: unknown[][], shape: RowShape, name: string): void {
  if (rows.length === 0) return;
  const at = shape.index.get(name)!;
  const values = JSON.parse(`[${rows.map((row) => (row[at] as string | null) ?? 'null').join(',')}]`) as unknown[];
  rows.forEach((row, i) => (row[at] = values[i]));
}

/**
 * The resource and scope texts of the sources that `rows` (of each shape in `groups`) point at.
 * `sources` may hold a source twice until its rows are merged: one of them is read.
 */
export async function readSources(ch: ChClient, projectId: string, groups: ReadonlyArray<{ rows: unknown[][]; shape: RowShape }>): Promise<SourceTexts> {
  const ids = new Set<string>();
  for (const { rows, shape } of groups) {
    const at = shape.index.get('source_id')!;
    for (const row of rows) ids.add(row[at] as string);
  }
  if (ids.size === 0) return new Map();
  const p = new ChParams();
  const found = await ch.rows<{ source_id: string; resource: string; scope: string }>(
    'read sources',
    `SELECT source_id, any(resource) AS resource, any(scope) AS scope FROM ${ch.tables.sources}
     WHERE project_id = ${p.add(projectId)} AND has(${p.add([...ids], 'Array(String)')}, source_id)
     GROUP BY source_id`,
    p,
  );
  return new Map(found.map((s) => [s.source_id, { resource: s.resource, scope: s.scope }]));
}

/** The plain columns of a span for an answer (`StoredSpan`), and its JSON texts. */
export const SPAN_ROWS = rowsShape(
  [
    'project_id', 'trace_id', 'span_id', 'parent_span_id', 'trace_state', 'flags', 'name', 'kind', 'service_name',
    'start_us', 'end_us', 'status_code', 'status_message', 'source_id', 'dropped_attributes', 'dropped_events',
    'dropped_links', 'session_id', 'is_llm', 'llm_provider', 'llm_operation', 'llm_request_model', 'llm_response_model',
    'input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'reasoning_tokens',
    // A NaN or infinite double becomes JSON null (ClickHouse's JSON writes no other word for it).
    'cost_usd', 'ttft_ms', 'cost_source', 'category', 'user_id',
  ],
  ['attributes', 'events', 'links', "ifNull(finish_reasons, 'null') AS finish_reasons"],
);

const LOG_FIELDS = [
  'project_id', 'log_id', 'time_us', 'observed_us', 'trace_id', 'span_id', 'flags', 'severity_number', 'severity_text',
  'source_id', 'service_name', 'event_name', 'dropped_attributes',
];

/** The plain columns of a log, and its body and attributes as JSON texts. */
export const LOG_ROWS = rowsShape(LOG_FIELDS, ['body', 'attributes']);

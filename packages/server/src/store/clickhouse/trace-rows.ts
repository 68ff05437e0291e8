import { JsonArrayRows, type RowShape, type SourceTexts, type TextBytes, appendTexts } from '../record-rows.js';
import { LOG_COLUMNS, LOG_TEXT_COLUMNS } from '../sql/stored-columns.js';
import { ChParams, type ChClient } from './client.js';
import { RowBinaryReader } from './row-binary.js';

/**
 * Reading many rows of logs or of a trace's tree fast, as `RowBinary` (a trace's spans for an
 * answer have a reader of their own, `span-rows.ts`): a row's plain columns travel as one
 * JSON array (`toJSONString(tuple(...))`), parsed with the other rows' in one `JSON.parse`, and its
 * JSON text columns as the Strings they are stored as, length-prefixed: texts an answer splices in
 * as they are (attributes, events) are never escaped, unescaped or joined.
 */
export interface RowsShape extends RowShape {
  /** The SQL of a row's JSON array. */
  array: string;
  /** The SQL of its JSON text columns. */
  texts: readonly string[];
}

const named = (f: string): { sql: string; name: string } => {
  const alias = / AS (\w+)$/.exec(f);
  return alias === null ? { sql: f, name: f } : { sql: f.slice(0, alias.index), name: alias[1]! };
};

/**
 * A shape of plain columns (`name` or `<expression> AS <name>`), then `parsed` ones: nullable JSON
 * texts spliced into the array, to arrive parsed, then JSON text columns kept as text.
 */
export function rowsShape(fields: readonly string[], texts: readonly string[] = [], parsed: readonly string[] = []): RowsShape {
  const plain = fields.map(named);
  const inArray = parsed.map(named);
  const text = texts.map(named);
  let array = `toJSONString(tuple(${plain.map((p) => p.sql).join(', ')}))`;
  if (inArray.length > 0) {
    // The tuple's array without its `]`, then each JSON text as a further element.
    array = `concat(substring(${array}, 1, length(${array}) - 1), ${inArray.map((p) => `',', ifNull(${p.sql}, 'null')`).join(', ')}, ']')`;
  }
  const names = [...plain, ...inArray, ...text].map((p) => p.name);
  return { array, texts: text.map((p) => p.sql), index: new Map(names.map((name, i) => [name, i])) };
}

/**
 * The rows `<from>` (the query after its select list: in any order unless it says one), their
 * arrays joined for one parse (with `values`, their values one after another: `JsonArrayRows`),
 * and their JSON texts as UTF-8 bytes: views of the answer, text `j` of row `r` at
 * `r * shape.texts.length + j`.
 */
async function readAllRowsWithBytes(
  ch: ChClient,
  what: string,
  shape: RowsShape,
  from: string,
  params: ChParams,
  values = false,
): Promise<{ json: JsonArrayRows; texts: TextBytes }> {
  const answer = await ch.rawBytes(what, `SELECT ${[shape.array, ...shape.texts].join(', ')} ${from}`, params);
  const k = shape.texts.length;
  // The rows and their arrays' bytes first, every String skipped; then the arrays copied into one
  // JSON array of them, and the texts' places noted.
  let count = 0;
  let arrayBytes = 0;
  for (const reader = new RowBinaryReader(answer); reader.more; count++) {
    const start = reader.skipString();
    arrayBytes += reader.offset - start;
    for (let j = 0; j < k; j++) reader.skipString();
  }
  const json = new JsonArrayRows(arrayBytes, count, values);
  const starts = new Uint32Array(count * k);
  const ends = new Uint32Array(count * k);
  const reader = new RowBinaryReader(answer);
  for (let t = 0; reader.more; ) {
    json.add(answer, reader.skipString(), reader.offset);
    for (let j = 0; j < k; j++, t++) {
      starts[t] = reader.skipString();
      ends[t] = reader.offset;
    }
  }
  return { json, texts: { bytes: answer, starts, ends } };
}

/**
 * The rows of `<from> ORDER BY <orderBy>` in that order (a `LIMIT` may follow it): for answers of
 * a page or a trace's logs, where the order is the answer's.
 */
export async function readRows(ch: ChClient, what: string, shape: RowsShape, from: string, orderBy: string, params: ChParams): Promise<unknown[][]> {
  const { json, texts } = await readAllRowsWithBytes(ch, what, shape, `${from} ORDER BY ${orderBy}`, params);
  return appendTexts(json.parse(), texts, shape.texts.length);
}

/** `readRows` of a shape of plain columns alone, every row's values one after another in one flat array (a trace's tree pages). */
export async function readValues(ch: ChClient, what: string, shape: RowsShape, from: string, orderBy: string, params: ChParams): Promise<unknown[]> {
  if (shape.texts.length > 0) throw new Error(`${what}: readValues reads plain columns only, not the JSON text columns ${shape.texts.join(', ')}`);
  return (await readAllRowsWithBytes(ch, what, shape, `${from} ORDER BY ${orderBy}`, params, true)).json.parseValues();
}

/** The source ids of rows read with `shape`. */
export function sourceIdsOf(rows: readonly unknown[][], shape: RowShape): string[] {
  const at = shape.index.get('source_id')!;
  return rows.map((row) => row[at] as string);
}

/** Sources read lately, per client, by `project/source id`: at most `SOURCE_CACHE_SIZE`, then it starts again. */
const sourceCache = new WeakMap<ChClient, Map<string, { resource: string; scope: string }>>();
const SOURCE_CACHE_SIZE = 2_000;

/**
 * The resource and scope texts of the sources with these ids (`sourceIdsOf` for rows read with a
 * shape). A source id is the hash of its texts (`sources.ts`), so what an id names never changes
 * and a source read once is kept: most reads then skip this query. `sources` may hold a source
 * twice until its rows are merged: one of them is read.
 */
export async function readSources(ch: ChClient, projectId: string, ...idLists: ReadonlyArray<readonly string[]>): Promise<SourceTexts> {
  let cache = sourceCache.get(ch);
  if (cache === undefined) sourceCache.set(ch, (cache = new Map()));
  const sources = new Map<string, { resource: string; scope: string }>();
  const missing = new Set<string>();
  for (const ids of idLists) {
    for (const id of ids) {
      if (sources.has(id) || missing.has(id)) continue;
      const known = cache.get(`${projectId}/${id}`);
      if (known === undefined) missing.add(id);
      else sources.set(id, known);
    }
  }
  if (missing.size === 0) return sources;
  const p = new ChParams();
  const found = await ch.rows<{ source_id: string; resource: string; scope: string }>(
    'read sources',
    `SELECT source_id, any(resource) AS resource, any(scope) AS scope FROM ${ch.tables.sources}
     WHERE project_id = ${p.add(projectId)} AND has(${p.add([...missing], 'Array(String)')}, source_id)
     GROUP BY source_id`,
    p,
  );
  if (cache.size + found.length > SOURCE_CACHE_SIZE) cache.clear();
  for (const s of found) {
    const texts = { resource: s.resource, scope: s.scope };
    sources.set(s.source_id, texts);
    cache.set(`${projectId}/${s.source_id}`, texts);
  }
  return sources;
}

/** The plain columns of a log, and its body and attributes as JSON texts (`StoredLog`). */
export const LOG_ROWS = rowsShape(LOG_COLUMNS, LOG_TEXT_COLUMNS);

/** The same, body and attributes parsed (`LogRecordData`). */
export const LOG_RECORD_ROWS = rowsShape(LOG_COLUMNS, [], LOG_TEXT_COLUMNS);

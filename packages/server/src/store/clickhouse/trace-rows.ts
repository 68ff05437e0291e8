import { type RowShape, type SourceTexts, appendTexts } from '../record-rows.js';
import { LOG_COLUMNS, LOG_TEXT_COLUMNS, SPAN_COLUMNS, SPAN_TEXT_COLUMNS } from '../sql/stored-columns.js';
import { ChParams, type ChClient } from './client.js';
import { RowBinaryReader } from './row-binary.js';

/**
 * Reading many rows of spans or logs fast. A row's plain columns travel as one JSON array
 * (`toJSONString(tuple(...))`), parsed with the other rows' in one `JSON.parse`; its JSON text
 * columns travel as they are stored, so texts an answer splices in as they are (attributes,
 * events) are never escaped and unescaped. Stored JSON texts hold no raw control character
 * (`JSON.stringify` escapes them all), so U+0001 and newlines can part them, and ClickHouse's
 * JSON escapes them inside the arrays; a text that holds one is refused rather than misread.
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

const joinedTexts = (shape: RowsShape): string => (shape.texts.length === 0 ? "''" : `concat(${shape.texts.join(", '\\x01', ")})`);

/**
 * The rows `FROM <from>` in any order, each an array of its values in the shape's order. ClickHouse
 * gathers them into two values (every array, every row's texts), so a 20,000-span trace is one
 * `JSON.parse` and one `split`, not a split, a join and a parse per line. One `groupArray` of
 * pairs keeps each row's array beside its texts.
 */
export async function readAllRows(ch: ChClient, what: string, shape: RowsShape, from: string, params: ChParams): Promise<unknown[][]> {
  const text = await ch.rawText(
    what,
    `SELECT concat('[', arrayStringConcat(arrayMap(r -> r.1, g), ','), ']'), arrayStringConcat(arrayMap(r -> r.2, g), '\x01')
     FROM (SELECT groupArray((a, t)) AS g FROM (SELECT ${shape.array} AS a, ${joinedTexts(shape)} AS t ${from}))`,
    params,
  );
  const tab = text.indexOf('\t');
  const rows = JSON.parse(text.slice(0, tab)) as unknown[][];
  return appendTexts(what, rows, text.slice(tab + 1, text.endsWith('\n') ? -1 : undefined), shape.texts.length);
}

/**
 * `readAllRows`, the texts left as their UTF-8 bytes (`SpanTexts`): the answer is read as
 * `RowBinary`, two Strings, and only the first (the rows' arrays) is decoded.
 */
export async function readAllRowsWithBytes(ch: ChClient, what: string, shape: RowsShape, from: string, params: ChParams): Promise<{ rows: unknown[][]; texts: Uint8Array }> {
  const answer = new RowBinaryReader(
    await ch.rawBytes(
      what,
      `SELECT concat('[', arrayStringConcat(arrayMap(r -> r.1, g), ','), ']'), arrayStringConcat(arrayMap(r -> r.2, g), '\x01')
       FROM (SELECT groupArray((a, t)) AS g FROM (SELECT ${shape.array} AS a, ${joinedTexts(shape)} AS t ${from}))`,
      params,
    ),
  );
  const rows = JSON.parse(answer.string()) as unknown[][];
  return { rows, texts: answer.stringBytes() };
}

/**
 * The rows of `<from> ORDER BY <orderBy>` in that order (a `LIMIT` may follow it), one line each:
 * for answers of a page or a trace's logs, where the order is the answer's.
 */
export async function readRows(ch: ChClient, what: string, shape: RowsShape, from: string, orderBy: string, params: ChParams): Promise<unknown[][]> {
  const text = await ch.rawText(what, `SELECT ${shape.array}, ${joinedTexts(shape)} ${from} ORDER BY ${orderBy}`, params);
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const arrays = new Array<string>(lines.length);
  const texts = new Array<string>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const tab = line.indexOf('\t');
    arrays[i] = line.slice(0, tab);
    texts[i] = line.slice(tab + 1);
  }
  return appendTexts(what, JSON.parse(`[${arrays.join(',')}]`) as unknown[][], texts.join('\u0001'), shape.texts.length);
}

/** Sources read lately, per client, by `project/source id`: at most `SOURCE_CACHE_SIZE`, then it starts again. */
const sourceCache = new WeakMap<ChClient, Map<string, { resource: string; scope: string }>>();
const SOURCE_CACHE_SIZE = 2_000;

/**
 * The resource and scope texts of the sources that `rows` (of each shape in `groups`) point at.
 * A source id is the hash of its texts (`sources.ts`), so what an id names never changes and a
 * source read once is kept: most reads then skip this query. `sources` may hold a source twice
 * until its rows are merged: one of them is read.
 */
export async function readSources(ch: ChClient, projectId: string, groups: ReadonlyArray<{ rows: unknown[][]; shape: RowShape }>): Promise<SourceTexts> {
  let cache = sourceCache.get(ch);
  if (cache === undefined) sourceCache.set(ch, (cache = new Map()));
  const sources = new Map<string, { resource: string; scope: string }>();
  const missing = new Set<string>();
  for (const { rows, shape } of groups) {
    const at = shape.index.get('source_id')!;
    for (const row of rows) {
      const id = row[at] as string;
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

/**
 * The plain columns of a span for an answer (`StoredSpan`), and its JSON texts. A NaN or infinite
 * double becomes JSON null (ClickHouse's JSON writes no other word for it).
 */
export const SPAN_ROWS = rowsShape(SPAN_COLUMNS, SPAN_TEXT_COLUMNS, ['finish_reasons']);

/** The plain columns of a log, and its body and attributes as JSON texts (`StoredLog`). */
export const LOG_ROWS = rowsShape(LOG_COLUMNS, LOG_TEXT_COLUMNS);

/** The same, body and attributes parsed (`LogRecordData`). */
export const LOG_RECORD_ROWS = rowsShape(LOG_COLUMNS, [], LOG_TEXT_COLUMNS);

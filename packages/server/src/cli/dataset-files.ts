import { type DatasetItem, type JsonValue, type NewDatasetItem, datasetItemProblem } from '@spoor/model';

/**
 * The files `spoor datasets import` reads and `export` writes (pure): JSONL, one item object a
 * line as `POST /api/datasets/:name/items` takes it, and CSV with a header of `input`,
 * `expectedOutput` and `metadata.KEY` columns (RFC 4180: a field with a comma, quote or line break
 * is quoted, a quote in it doubled). A CSV cell that reads as JSON is that value, else its text;
 * an empty cell is no value. Each item is given with the line of the file it starts on.
 *
 * Dataset items hold what end users typed, and a spreadsheet runs a cell that starts with `=`,
 * `+`, `-`, `@`, a tab or a carriage return as a formula (`=cmd|' /C calc'!A0`). As OWASP's CSV
 * injection advice says, such a cell is written after a `'`, which spreadsheets read as "this is
 * text" and do not show; `import` takes that `'` off again. So the mapping stays exact both ways,
 * a text that already starts with quotes before one of those characters gets one more quote.
 */

export type DatasetFileFormat = 'jsonl' | 'csv';

export interface FileItem {
  line: number;
  item: NewDatasetItem;
}

/** A `--format` flag's format. */
export function formatFlag(flag: string): DatasetFileFormat {
  if (flag !== 'jsonl' && flag !== 'csv') throw new Error(`--format must be jsonl or csv, not '${flag}'`);
  return flag;
}

/** A file's format: `--format`, else by its extension. */
export function formatOf(path: string, flag: string | undefined): DatasetFileFormat {
  if (flag !== undefined) return formatFlag(flag);
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new Error(`cannot tell the format of ${path} from its extension (.jsonl or .csv): say --format jsonl or --format csv`);
}

/** The items of a file, each checked; a bad one throws naming its line. */
export function parseItems(text: string, format: DatasetFileFormat): FileItem[] {
  const items = format === 'csv' ? csvItems(text) : jsonlItems(text);
  for (const { line, item } of items) {
    const problem = datasetItemProblem(item);
    if (problem !== null) throw new Error(`line ${line}: ${problem}`);
  }
  if (items.length === 0) throw new Error('the file holds no items');
  return items;
}

function jsonlItems(text: string): FileItem[] {
  const items: FileItem[] = [];
  text.split('\n').forEach((raw, index) => {
    const source = raw.trim();
    if (source === '') return;
    let item: unknown;
    try {
      item = JSON.parse(source);
    } catch (error) {
      throw new Error(`line ${index + 1}: not JSON (${(error as Error).message})`, { cause: error });
    }
    items.push({ line: index + 1, item: item as NewDatasetItem });
  });
  return items;
}

function csvItems(text: string): FileItem[] {
  const records = csvRecords(text);
  const header = records.shift();
  if (header === undefined) return [];
  const columns = header.fields.map((name) => name.trim());
  for (const name of columns) {
    if (name !== 'input' && name !== 'expectedOutput' && !/^metadata\..+/.test(name))
      throw new Error(`line 1: column '${name}' is not input, expectedOutput or metadata.KEY`);
  }
  if (!columns.includes('input')) throw new Error('line 1: the header has no input column');
  return records
    .filter((r) => !(r.fields.length === 1 && r.fields[0] === ''))
    .map(({ line, fields }) => {
      if (fields.length !== columns.length) throw new Error(`line ${line}: ${fields.length} fields where the header has ${columns.length}`);
      const item: Record<string, unknown> = {};
      const metadata: Record<string, JsonValue> = {};
      columns.forEach((name, i) => {
        const cell = fields[i]!;
        if (cell === '') return;
        if (name.startsWith('metadata.')) metadata[name.slice('metadata.'.length)] = cellValue(cell);
        else item[name] = cellValue(cell);
      });
      if (Object.keys(metadata).length > 0) item.metadata = metadata;
      return { line, item: item as NewDatasetItem };
    });
}

/** A cell a spreadsheet runs as a formula, after any quotes: written with one more `'` in front. */
const FORMULA = /^'*[=+\-@\t\r]/;
/** What `FORMULA` cells are written as: read back without their first `'`. */
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** A cell as read from a file: its neutralising `'` taken off, then JSON or text. */
const cellValue = (raw: string): JsonValue => jsonOrText(NEUTRALISED.test(raw) ? raw.slice(1) : raw);

function jsonOrText(cell: string): JsonValue {
  try {
    return JSON.parse(cell) as JsonValue;
  } catch {
    return cell;
  }
}

/** CSV records with the line each starts on. */
function csvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = (): void => {
    fields.push(field);
    records.push({ line: start, fields });
    fields = [];
    field = '';
    start = line;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      endRecord();
    } else field += c;
  }
  if (quoted) throw new Error(`line ${start}: a quoted field is not closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** Items as JSONL, each as `import` takes it back: input, expected output, metadata and source. */
export function itemsJsonl(items: readonly DatasetItem[]): string {
  return items
    .map(
      (i) =>
        JSON.stringify({ input: i.input, expectedOutput: i.expectedOutput, metadata: i.metadata, ...(i.source === null ? {} : { source: i.source }) }) + '\n',
    )
    .join('');
}

/** The CSV header of items: input, expectedOutput, and a column per metadata key any item has. */
export function csvHeader(keys: readonly string[]): string {
  return ['input', 'expectedOutput', ...keys.map((k) => `metadata.${k}`)].map(csvField).join(',') + '\n';
}

/** Items as CSV rows under `csvHeader(keys)` (a CSV carries no source). */
export function itemsCsv(items: readonly DatasetItem[], keys: readonly string[]): string {
  return items
    .map((i) => [cellText(i.input), cellText(i.expectedOutput), ...keys.map((k) => cellText(i.metadata[k] ?? null))].map(csvField).join(',') + '\n')
    .join('');
}

/** A value as a cell `import` reads back as it: a text as itself unless it would read as JSON (then quoted as JSON), else its JSON. */
function cellText(value: JsonValue | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return JSON.stringify(value);
  return value === '' || jsonOrText(value) !== value ? JSON.stringify(value) : value;
}

function csvField(cell: string): string {
  const text = FORMULA.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

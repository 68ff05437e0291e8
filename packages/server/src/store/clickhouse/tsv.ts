import { type Column, type ColumnSpec, type TableBatch, isValid } from '../columns.js';

/**
 * Column batches as ClickHouse `TabSeparated` text, the insert format both the HTTP interface and
 * the embedded engine take as text. Columns are walked one at a time into per-row cells, so each
 * column's type is decided once, not once per cell.
 */

/** Characters TabSeparated escapes inside a value. */
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

export function escapeTsv(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!) : text;
}

const NULL = '\\N';

/** A double as ClickHouse reads it (`inf`, `nan` for the values JSON has no word for). */
function double(value: number): string {
  return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
}

/** Writes one column's cells into `cells[row]`, each after a tab unless it is the row's first. */
function addColumn(cells: string[], column: Column, rows: number, first: boolean): void {
  const sep = first ? '' : '\t';
  switch (column.type) {
    case 'varchar': {
      if (column.constant !== null) {
        const cell = sep + escapeTsv(column.constant);
        for (let i = 0; i < rows; i++) cells[i] += cell;
        return;
      }
      let at = 0;
      for (let i = 0; i < rows; i++) {
        const length = column.lengths[i]!;
        if (length < 0) cells[i] += sep + NULL;
        else {
          cells[i] += sep + escapeTsv(column.text.substring(at, at + length));
          at += length;
        }
      }
      return;
    }
    case 'double[]': {
      for (let i = 0; i < rows; i++) {
        // Arrays cannot be NULL in ClickHouse: a missing list is empty, and `has_<name>` says it was missing.
        if (!isValid(column.valid, i)) cells[i] += `${sep}[]`;
        else {
          let list = '';
          for (let k = column.offsets[i]!; k < column.offsets[i + 1]!; k++) list += (list === '' ? '' : ',') + double(column.values[k]!);
          cells[i] += `${sep}[${list}]`;
        }
      }
      return;
    }
    case 'boolean':
      for (let i = 0; i < rows; i++) cells[i] += sep + (!isValid(column.valid, i) ? NULL : column.values[i] !== 0 ? 'true' : 'false');
      return;
    case 'double':
      for (let i = 0; i < rows; i++) cells[i] += sep + (!isValid(column.valid, i) ? NULL : double(column.values[i]!));
      return;
    default:
      for (let i = 0; i < rows; i++) cells[i] += sep + (!isValid(column.valid, i) ? NULL : String(column.values[i]!));
  }
}

/** The columns a table's rows are inserted into: the shared ones, `has_<list>` flags, then `extra`. */
export function insertColumns(specs: readonly ColumnSpec[], extra: readonly string[]): string[] {
  return [...specs.map((s) => s.name), ...specs.filter((s) => s.type === 'double[]').map((s) => `has_${s.name}`), ...extra];
}

/**
 * A table batch's rows as TabSeparated lines (each ending in a newline), with `extra` cells
 * (already escaped) after the batch's own on every row.
 */
export function tsvOf(batch: TableBatch, specs: readonly ColumnSpec[], extra: readonly string[]): string {
  const rows = batch.rows;
  if (rows === 0) return '';
  const cells = new Array<string>(rows).fill('');
  batch.columns.forEach((column, c) => addColumn(cells, column, rows, c === 0));
  batch.columns.forEach((column) => {
    if (column.type !== 'double[]') return;
    for (let i = 0; i < rows; i++) cells[i] += isValid(column.valid, i) ? '\ttrue' : '\tfalse';
  });
  const tail = extra.length === 0 ? '\n' : `\t${extra.join('\t')}\n`;
  return cells.join(tail) + tail;
}

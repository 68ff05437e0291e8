import { describe, expect, it } from 'vitest';
import { type Column, Utf8Builder, VarcharBuilder } from './columns.js';
import { addUtf8Lengths } from './text-bytes.js';

type Varchar = Extract<Column, { type: 'varchar' }>;

/** A column of these rows as `BatchBuilder` makes it (UTF-16 text, or one constant). */
const textColumn = (rows: ReadonlyArray<string | null>): Varchar => {
  const builder = new VarcharBuilder(rows.length);
  rows.forEach((value, row) => builder.add(row, value));
  return builder.build() as Varchar;
};

/** A column of these rows as the decode thread makes it (UTF-8 bytes). */
const bytesColumn = (rows: ReadonlyArray<string | null>): Varchar => {
  const builder = new Utf8Builder(rows.length, 16);
  for (const value of rows) {
    if (value === null) builder.nullRow();
    else {
      builder.text(value);
      builder.endRow();
    }
  }
  return builder.build() as Varchar;
};

/** What an engine stores for each row: its UTF-8, as `Buffer` writes it (0 for NULL). */
const stored = (rows: ReadonlyArray<string | null>) => rows.map((value) => (value === null ? 0 : Buffer.byteLength(value)));

describe("a text column's UTF-8 bytes", () => {
  it.each([
    ['ASCII', ['{"a":1}', '[]', '{"name":"x y z, and a longer text than a short row"}']],
    ['one string in every row', ['[]', '[]', '[]']],
    ['one multi-byte string in every row', ['["é"]', '["é"]']],
    ['multi-byte text: 2, 3 and 4 bytes a character', ['{"a":"é"}', '{"k":"中文"}', '[{"name":"😀 done"}]', '{}']],
    ['multi-byte text beside ASCII rows and empty ones', ['[]', '', '{"città":"Zürich"}', '[]']],
    ['a lone surrogate, written as U+FFFD', ['"\ud800"', 'x\udc00', '😀\ud83d']],
    ['NULL rows', [null, '{"é":1}', null]],
    ['no rows', []],
  ] as const)('counts %s as the engines store it, given as text or as bytes', (_what, rows) => {
    for (const column of [textColumn(rows), bytesColumn(rows)]) {
      const into = new Float64Array(rows.length);
      addUtf8Lengths(column, rows.length, into);
      expect([...into]).toEqual(stored(rows));
    }
  });

  it('adds to what each row holds already: the three texts of a span, one column after another', () => {
    const into = new Float64Array([0, 0]);
    addUtf8Lengths(textColumn(['{"a":"中"}', '{}']), 2, into);
    addUtf8Lengths(textColumn(['[]', '[]']), 2, into);
    addUtf8Lengths(bytesColumn(['[{"é":1}]', '[]']), 2, into);
    expect([...into]).toEqual([Buffer.byteLength('{"a":"中"}[][{"é":1}]'), 6]);
  });
});

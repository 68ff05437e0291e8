import type { DatasetItem } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { csvHeader, formatOf, itemsCsv, itemsJsonl, parseItems } from './dataset-files.js';

const item = (overrides: Partial<DatasetItem>): DatasetItem => ({
  itemId: '0'.repeat(32),
  input: 'q',
  expectedOutput: null,
  metadata: {},
  source: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...overrides,
});

/** Items whose values a CSV cell could mistake: JSON-looking text, quotes, commas, line breaks, the empty text, numbers, objects. */
const TRICKY: DatasetItem[] = [
  item({ input: 'plain text', expectedOutput: '4', metadata: { topic: 'sums' } }),
  item({ input: '42', expectedOutput: 42 }),
  item({ input: 'say "hi", then\nleave', expectedOutput: '' }),
  item({ input: { question: 'capital of France', choices: ['Paris', 'Lyon'] }, expectedOutput: true, metadata: { topic: 'geo', level: 2 } }),
  item({ input: '"already quoted"', expectedOutput: 'null' }),
];

const asSent = (i: DatasetItem) => ({ input: i.input, expectedOutput: i.expectedOutput, metadata: i.metadata });

describe('dataset files', () => {
  it('reads back what it writes as JSONL, source included', () => {
    const items = [...TRICKY, item({ input: 'from a trace', source: { traceId: 'ab'.repeat(16), spanId: null } })];
    expect(parseItems(itemsJsonl(items), 'jsonl').map((i) => i.item)).toEqual(
      items.map((i) => ({ ...asSent(i), ...(i.source === null ? {} : { source: i.source }) })),
    );
  });

  it('reads back what it writes as CSV: every value as it was, a null expected output and missing metadata left out', () => {
    const keys = ['level', 'topic'];
    const read = parseItems(csvHeader(keys) + itemsCsv(TRICKY, keys), 'csv');
    expect(read.map((i) => i.item)).toEqual(
      TRICKY.map((i) => ({
        input: i.input,
        ...(i.expectedOutput === null ? {} : { expectedOutput: i.expectedOutput }),
        ...(Object.keys(i.metadata).length > 0 ? { metadata: i.metadata } : {}),
      })),
    );
    // The third item's input spans two lines: the fourth starts on line 6.
    expect(read.map((i) => i.line)).toEqual([2, 3, 4, 6, 7]);
  });

  /** What end users type into prompts that a spreadsheet would run as a formula (OWASP's CSV injection list), and texts that look like the escaped form. */
  const FORMULAS: DatasetItem[] = [
    item({ input: "=cmd|' /C calc'!A0", expectedOutput: '+1+1', metadata: { note: '@SUM(1,1)' } }),
    item({ input: '-2+3+cmd|x', expectedOutput: -5, metadata: { note: '\tTAB' } }),
    item({ input: '\rCR first', expectedOutput: "'=already escaped", metadata: { note: "''+two quotes" } }),
    item({ input: "'plain quote", expectedOutput: "it's fine", metadata: { note: 'a=b' } }),
  ];

  it('writes no CSV cell a spreadsheet runs as a formula, and reads every value back exactly', () => {
    const keys = ['note'];
    const text = csvHeader(keys) + itemsCsv(FORMULAS, keys);
    const cells = text.split(/,|\n/).map((cell) => cell.replace(/^"/, ''));
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(text).toContain("\n'=cmd|' /C calc'!A0,'+1+1,\"'@SUM(1,1)\"\n");
    expect(parseItems(text, 'csv').map((i) => i.item)).toEqual(
      FORMULAS.map((i) => ({ input: i.input, expectedOutput: i.expectedOutput, metadata: i.metadata })),
    );
    // A hand-written file's leading quote before a formula character is the spreadsheet's text mark; any other is kept.
    expect(parseItems("input\n'=1+1\n'plain\n", 'csv').map((i) => i.item)).toEqual([{ input: '=1+1' }, { input: "'plain" }]);
  });

  it.each([
    ['jsonl', '{"input":"a"}\n\n{"expectedOutput":"b"}\n', 'line 3: input: an item needs an input (or fromTrace)'],
    ['jsonl', '{"input":"a"}\n{"input": oops}\n', /^line 2: not JSON/],
    ['jsonl', '{"input":"a","metadata":"x"}\n', 'line 1: metadata: must be an object'],
    ['jsonl', '\n\n', 'the file holds no items'],
    ['csv', 'input,colour\na,red\n', "line 1: column 'colour' is not input, expectedOutput or metadata.KEY"],
    ['csv', 'expectedOutput\nb\n', 'line 1: the header has no input column'],
    ['csv', 'input,expectedOutput\na,b\nc\n', 'line 3: 1 fields where the header has 2'],
    ['csv', 'input,expectedOutput\na,b\n,c\n', 'line 3: input: an item needs an input (or fromTrace)'],
    ['csv', 'input\n"never closed\n', 'line 2: a quoted field is not closed'],
  ] as const)('refuses a bad %s file naming the line: %j', (format, text, message) => {
    expect(() => parseItems(text, format)).toThrow(message);
  });

  it('takes the format from --format, else the extension', () => {
    expect(formatOf('qa.csv', undefined)).toBe('csv');
    expect(formatOf('qa.JSONL', undefined)).toBe('jsonl');
    expect(formatOf('qa.ndjson', undefined)).toBe('jsonl');
    expect(formatOf('qa.txt', 'csv')).toBe('csv');
    expect(() => formatOf('qa.txt', undefined)).toThrow('say --format jsonl or --format csv');
    expect(() => formatOf('qa.csv', 'xml')).toThrow("--format must be jsonl or csv, not 'xml'");
  });
});

import { describe, expect, it } from 'vitest';
import { diffLines, diffWords } from './text-diff.js';

const side = (runs: { op: string; text: string }[], keep: string) =>
  runs
    .filter((r) => r.op === '=' || r.op === keep)
    .map((r) => r.text)
    .join('');

describe('diffLines', () => {
  it('keeps common lines and marks the rest', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { op: '=', text: 'a' },
      { op: '-', text: 'b' },
      { op: '+', text: 'x' },
      { op: '=', text: 'c' },
      { op: '+', text: 'd' },
    ]);
    expect(diffLines('', 'new')).toEqual([{ op: '+', text: 'new' }]);
  });
});

describe('diffWords', () => {
  it('marks the words a model changed in a sentence, not the whole line', () => {
    expect(diffWords('The sky is blue today.', 'The sky is grey today.')).toEqual([
      { op: '=', text: 'The sky is ' },
      { op: '-', text: 'blue ' },
      { op: '+', text: 'grey ' },
      { op: '=', text: 'today.' },
    ]);
  });

  it('gives each text back from its runs, spaces and line breaks included', () => {
    const a = '  Paris is the capital.\nIt has 2.1 million people.  ';
    const b = 'Paris is the capital of France.\n\nIt has about 2.1 million people.';
    const runs = diffWords(a, b);
    expect(side(runs, '-')).toBe(a);
    expect(side(runs, '+')).toBe(b);
    // Runs of one kind are merged: no two neighbours share an op.
    expect(runs.every((r, i) => i === 0 || runs[i - 1]!.op !== r.op)).toBe(true);
  });

  it('compares empty texts', () => {
    expect(diffWords('', '')).toEqual([]);
    expect(diffWords('', 'new words')).toEqual([{ op: '+', text: 'new words' }]);
    expect(diffWords('old', '')).toEqual([{ op: '-', text: 'old' }]);
  });
});

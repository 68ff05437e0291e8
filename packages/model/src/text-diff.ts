import type { TextDiffLine } from './diff.js';

/**
 * Two texts compared: by lines (a prompt, a trace diff's messages) or by words (a completion,
 * where a model rewrites a sentence and a line diff would mark the whole paragraph). One longest
 * common subsequence for both; the server's diffs and the dashboard's agree because they are this.
 */

/** Cells of the comparison table (tokens of `a` times tokens of `b`) beyond which all of `a` is removed and all of `b` added. */
const MAX_DIFF_CELLS = 4_000_000;

/** A line diff: each line kept (`=`), only in `a` (`-`) or only in `b` (`+`). */
export function diffLines(a: string, b: string): TextDiffLine[] {
  return diffTokens(a === '' ? [] : a.split('\n'), b === '' ? [] : b.split('\n'));
}

/**
 * A word diff: runs of words kept, removed and added, each run's text with the spaces that
 * followed its words, so joining the `=` and `-` runs gives `a` back and the `=` and `+` runs `b`.
 */
export function diffWords(a: string, b: string): TextDiffLine[] {
  const runs: TextDiffLine[] = [];
  for (const token of diffTokens(wordsOf(a), wordsOf(b))) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.op === token.op) last.text += token.text;
    else runs.push({ ...token });
  }
  return runs;
}

/** Each word with the white space after it (leading white space is a token of its own). */
function wordsOf(text: string): string[] {
  return text.match(/\s+|\S+\s*/g) ?? [];
}

function diffTokens(x: readonly string[], y: readonly string[]): TextDiffLine[] {
  const n = x.length;
  const m = y.length;
  if (n * m > MAX_DIFF_CELLS) return [...x.map((text) => ({ op: '-' as const, text })), ...y.map((text) => ({ op: '+' as const, text }))];
  // lengths[i][j]: the longest common subsequence of x[i..] and y[j..], in one flat array.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        x[i] === y[j] ? lengths[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const out: TextDiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: '=', text: x[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!) out.push({ op: '-', text: x[i++]! });
    else out.push({ op: '+', text: y[j++]! });
  }
  while (i < n) out.push({ op: '-', text: x[i++]! });
  while (j < m) out.push({ op: '+', text: y[j++]! });
  return out;
}

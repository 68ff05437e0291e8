import { SPAN_CATEGORIES, type SpanCategory } from '@spoor/model';
import { type SpanColumns, STATUS_ERROR } from './span-columns';
import { rowOfSpan, type SpanTree } from './span-tree';

/**
 * Search within a trace, over what the waterfall holds. Words match, case-insensitively, a span's
 * name, service, model or the start of its id; `status:error`, `category:llm`, `service:x` and
 * `model:x` match those fields. Every word must match. Attribute values live on the server: the
 * waterfall adds its matches from `GET /api/traces/:id/search` (see `attributeSearchText`).
 *
 * Text is matched against the string tables once (a trace of 1,000,000 spans has a few thousand
 * distinct strings), then each span by its table indexes: no string is made or lowered per span.
 */
type Term = (i: number) => boolean;

/** Per entry of a string table, 1 when it contains `needle` (lowercase). */
const tableMatches = (table: readonly string[], needle: string): Uint8Array => Uint8Array.from(table, (text) => (text.toLowerCase().includes(needle) ? 1 : 0));

function termOf(spans: SpanColumns, word: string): Term {
  const colon = /^(status|category|service|model):(.+)$/i.exec(word);
  if (colon !== null) {
    const field = colon[1]!.toLowerCase();
    const want = colon[2]!.toLowerCase();
    if (field === 'status') return want === 'error' ? (i) => spans.status[i] === STATUS_ERROR : (i) => spans.status[i] !== STATUS_ERROR;
    if (field === 'category') {
      const category = SPAN_CATEGORIES.indexOf(want as SpanCategory);
      return (i) => spans.category[i] === category;
    }
    const hit = tableMatches(spans.strings, want);
    if (field === 'model') return (i) => spans.model[i] !== -1 && hit[spans.model[i]!] === 1;
    return (i) => hit[spans.service[i]!] === 1;
  }
  const needle = word.toLowerCase();
  const hit = tableMatches(spans.strings, needle);
  const id = idPrefix(needle);
  return (i) =>
    hit[spans.name[i]!] === 1 ||
    hit[spans.service[i]!] === 1 ||
    (spans.model[i] !== -1 && hit[spans.model[i]!] === 1) ||
    (id !== null && id(spans.idHigh[i]!, spans.idLow[i]!));
}

/** A test of whether an id (as two 32-bit words) starts with `text`, or `null` when no id can. */
function idPrefix(text: string): ((high: number, low: number) => boolean) | null {
  if (!/^[0-9a-f]{1,16}$/.test(text)) return null;
  const hexDigits = (digits: string): [value: number, shift: number] => [parseInt(digits.padEnd(8, '0'), 16), 32 - 4 * digits.length];
  const [high, highShift] = hexDigits(text.slice(0, 8));
  if (text.length <= 8) return (h) => highShift === 32 || h >>> highShift === high >>> highShift;
  const [low, lowShift] = hexDigits(text.slice(8));
  return (h, l) => h === high && (lowShift === 32 || l >>> lowShift === low >>> lowShift);
}

/** Splits a query into words; double quotes keep spaces inside one word. */
export function queryWords(query: string): string[] {
  const words: string[] = [];
  for (const m of query.matchAll(/"([^"]*)"|(\S+)/g)) {
    const word = (m[1] ?? m[2] ?? '').replace(/"/g, '');
    if (word !== '') words.push(word);
  }
  return words;
}

/** Rows whose span matches every word of `query`, ascending; empty for an empty query. */
export function searchSpans(tree: SpanTree, query: string): Int32Array {
  const terms = queryWords(query).map((word) => termOf(tree.spans, word));
  if (terms.length === 0) return new Int32Array(0);
  const out = new Int32Array(tree.count);
  const { order } = tree;
  let count = 0;
  for (let row = 0; row < tree.count; row++) {
    const i = order[row]!;
    if (terms.every((t) => t(i))) out[count++] = row;
  }
  return out.subarray(0, count);
}

/**
 * The text to look for in attribute values on the server: a query of one plain word or quoted
 * phrase (no `field:` filter), at least 2 characters; otherwise `null`.
 */
export function attributeSearchText(query: string): string | null {
  const words = queryWords(query);
  if (words.length !== 1) return null;
  const word = words[0]!;
  return word.length >= 2 && !/^(status|category|service|model):/i.test(word) ? word : null;
}

/** `local` and the rows of `spanIds` found by the server, ascending, without repeats. */
export function mergeMatches(tree: SpanTree, local: Int32Array, spanIds: readonly string[]): Int32Array {
  if (spanIds.length === 0) return local;
  const rows = new Set<number>(local);
  for (const id of spanIds) {
    const row = rowOfSpan(tree, id);
    if (row !== -1) rows.add(row);
  }
  return Int32Array.from([...rows].sort((a, b) => a - b));
}

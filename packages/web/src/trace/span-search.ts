import type { SpanTree } from './span-tree';

/**
 * Search within a trace, over what the waterfall holds. Words match, case-insensitively, a span's
 * name, service, model or the start of its id; `status:error`, `category:llm`, `service:x` and
 * `model:x` match those fields. Every word must match. Attribute values live on the server: the
 * waterfall adds its matches from `GET /api/traces/:id/search` (see `attributeSearchText`).
 */
type Term = (tree: SpanTree, row: number) => boolean;

function termOf(word: string): Term {
  const colon = /^(status|category|service|model):(.+)$/i.exec(word);
  if (colon !== null) {
    const field = colon[1]!.toLowerCase();
    const want = colon[2]!.toLowerCase();
    if (field === 'status') return want === 'error' ? (t, r) => t.isError[r] === 1 : (t, r) => t.isError[r] === 0;
    if (field === 'category') return (t, r) => t.categories[r] === want;
    if (field === 'model') return (t, r) => (t.models[r] ?? '').toLowerCase().includes(want);
    return (t, r) => t.services[r]!.toLowerCase().includes(want);
  }
  const needle = word.toLowerCase();
  return (t, r) =>
    t.names[r]!.toLowerCase().includes(needle) ||
    t.services[r]!.toLowerCase().includes(needle) ||
    t.spanIds[r]!.startsWith(needle) ||
    (t.models[r] ?? '').toLowerCase().includes(needle);
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
  const terms = queryWords(query).map(termOf);
  if (terms.length === 0) return new Int32Array(0);
  const out = new Int32Array(tree.count);
  let count = 0;
  for (let row = 0; row < tree.count; row++) {
    if (terms.every((t) => t(tree, row))) out[count++] = row;
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
    const row = tree.rowOfSpan.get(id);
    if (row !== undefined) rows.add(row);
  }
  return Int32Array.from([...rows].sort((a, b) => a - b));
}

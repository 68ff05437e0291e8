import type { Span } from '@spoor/model';
import type { SpanTree } from './span-tree';

/**
 * Search within a trace. Words match, case-insensitively, a span's name, service, id, status
 * message or any attribute value; `key=value` matches an attribute exactly; `status:error`,
 * `category:llm` and `service:x` match those fields. Every word must match.
 */
type Term = (span: Span) => boolean;

function termOf(word: string): Term {
  const colon = /^(status|category|service|kind|model):(.+)$/i.exec(word);
  if (colon !== null) {
    const field = colon[1]!.toLowerCase();
    const want = colon[2]!.toLowerCase();
    if (field === 'status') return (s) => s.status.code === want;
    if (field === 'category') return (s) => s.category === want;
    if (field === 'kind') return (s) => s.kind === want;
    if (field === 'model') return (s) => (s.llm?.responseModel ?? s.llm?.requestModel ?? '').toLowerCase().includes(want);
    return (s) => s.serviceName.toLowerCase().includes(want);
  }
  const eq = word.indexOf('=');
  if (eq > 0) {
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    return (s) => {
      const v = s.attributes[key] ?? s.resource[key];
      return v !== undefined && String(v) === value;
    };
  }
  const needle = word.toLowerCase();
  return (s) => {
    if (s.name.toLowerCase().includes(needle) || s.serviceName.toLowerCase().includes(needle) || s.spanId.startsWith(needle)) return true;
    if (s.status.message !== '' && s.status.message.toLowerCase().includes(needle)) return true;
    for (const key in s.attributes) {
      const v = s.attributes[key];
      if (typeof v === 'string' ? v.toLowerCase().includes(needle) : String(v) === needle) return true;
    }
    return false;
  };
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
  const n = tree.spans.length;
  const out = new Int32Array(n);
  let count = 0;
  for (let row = 0; row < n; row++) {
    const span = tree.spans[row]!;
    if (terms.every((t) => t(span))) out[count++] = row;
  }
  return out.subarray(0, count);
}

import type { DocsSection } from './site.js';
import { escapeHtml } from './site.js';

/** One section that holds every word asked for, with the words marked in a piece of its text. */
export interface DocsHit {
  section: DocsSection;
  /** HTML: the text around the first word found, escaped, each word in `<mark>`. */
  snippet: string;
}

/** Words of a query past this many are not looked for: a query is a few words, not a page. */
const MAX_TERMS = 8;
const SNIPPET_BEFORE = 80;
const SNIPPET_LENGTH = 240;

/** The query's words, lower case, each once. */
export function queryTerms(query: string): string[] {
  return [...new Set(query.toLowerCase().split(/\s+/).filter((t) => t.length > 0))].slice(0, MAX_TERMS);
}

/**
 * The sections that hold every word of the query (in their heading, the headings they are under,
 * the page's title or their text), best first: a word in the heading counts most, then in the
 * headings above it, then each time it is in the text (up to 5).
 */
export function searchDocs(sections: readonly DocsSection[], query: string, limit = 30): DocsHit[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const scored: Array<{ section: DocsSection; score: number; at: number }> = [];
  sections.forEach((section, at) => {
    const heading = section.heading.toLowerCase();
    const title = [section.pageTitle, ...section.parents].join(' ').toLowerCase();
    const text = section.text.toLowerCase();
    let score = 0;
    for (const term of terms) {
      const inText = occurrences(text, term, 5);
      if (!heading.includes(term) && !title.includes(term) && inText === 0) return;
      score += (heading.includes(term) ? 10 : 0) + (title.includes(term) ? 3 : 0) + inText;
    }
    scored.push({ section, score, at });
  });
  scored.sort((a, b) => b.score - a.score || a.at - b.at);
  return scored.slice(0, limit).map(({ section }) => ({ section, snippet: snippet(section.text, terms) }));
}

function occurrences(text: string, term: string, cap: number): number {
  let count = 0;
  for (let at = text.indexOf(term); at >= 0 && count < cap; at = text.indexOf(term, at + term.length)) count++;
  return count;
}

/** The text around the first word found, escaped, with every word marked. */
export function snippet(text: string, terms: readonly string[]): string {
  const lower = text.toLowerCase();
  const first = Math.min(...terms.map((t) => lower.indexOf(t)).filter((at) => at >= 0), Number.POSITIVE_INFINITY);
  const start = Number.isFinite(first) ? Math.max(0, first - SNIPPET_BEFORE) : 0;
  const piece = text.slice(start, start + SNIPPET_LENGTH);
  const pattern = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  let html = '';
  let last = 0;
  for (const match of piece.matchAll(pattern)) {
    html += escapeHtml(piece.slice(last, match.index)) + `<mark>${escapeHtml(match[0])}</mark>`;
    last = match.index + match[0].length;
  }
  html += escapeHtml(piece.slice(last));
  return (start > 0 ? '… ' : '') + html + (start + SNIPPET_LENGTH < text.length ? ' …' : '');
}

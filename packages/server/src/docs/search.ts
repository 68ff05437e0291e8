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
  return [
    ...new Set(
      query
        .toLowerCase()
        .split(/\s+/)
        .filter((t) => t.length > 0),
    ),
  ].slice(0, MAX_TERMS);
}

/**
 * The sections that hold every word of the query (in their heading, the headings they are under,
 * the page's title or their text), best first: a word in the heading counts most, then in the
 * headings above it, then each time it is in the text (up to 5).
 */
export function searchDocs(sections: readonly DocsSection[], query: string, limit = 30): DocsHit[] {
  const terms = queryTerms(query);
  if (terms.length === 0) return [];
  const patterns = terms.map((term) => wordStart(term, 'gu'));
  const scored: Array<{ section: DocsSection; score: number; at: number }> = [];
  sections.forEach((section, at) => {
    const title = [section.pageTitle, ...section.parents].join(' ');
    let score = 0;
    for (const pattern of patterns) {
      const inHeading = occurrences(section.heading, pattern, 1);
      const inTitle = occurrences(title, pattern, 1);
      const inText = occurrences(section.text, pattern, 5);
      if (inHeading + inTitle + inText === 0) return;
      score += inHeading * 10 + inTitle * 3 + inText;
    }
    scored.push({ section, score, at });
  });
  scored.sort((a, b) => b.score - a.score || a.at - b.at);
  return scored.slice(0, limit).map(({ section }) => ({ section, snippet: snippet(section.text, terms) }));
}

/** A word that starts with the term (`tail` finds "tail-sampling", not "detail"), in any case. */
function wordStart(term: string, flags: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, `i${flags}`);
}

function occurrences(text: string, pattern: RegExp, cap: number): number {
  let count = 0;
  pattern.lastIndex = 0;
  while (count < cap && pattern.exec(text) !== null) count++;
  return count;
}

/** The text around the first word found, escaped, with every word marked. */
export function snippet(text: string, terms: readonly string[]): string {
  const found = terms.map((t) => text.search(wordStart(t, 'u'))).filter((at) => at >= 0);
  let start = found.length === 0 ? 0 : Math.max(0, Math.min(...found) - SNIPPET_BEFORE);
  // Begin at a word, not inside one.
  const space = start === 0 ? -1 : text.indexOf(' ', start);
  if (space >= 0 && space < start + 20) start = space + 1;
  const piece = text.slice(start, start + SNIPPET_LENGTH);
  const pattern = new RegExp(terms.map((t) => wordStart(t, '').source).join('|'), 'giu');
  let html = '';
  let last = 0;
  for (const match of piece.matchAll(pattern)) {
    html += escapeHtml(piece.slice(last, match.index)) + `<mark>${escapeHtml(match[0])}</mark>`;
    last = match.index + match[0].length;
  }
  html += escapeHtml(piece.slice(last));
  return (start > 0 ? '… ' : '') + html + (start + SNIPPET_LENGTH < text.length ? ' …' : '');
}

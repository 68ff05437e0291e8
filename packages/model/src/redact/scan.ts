import type { Finder } from './finder.js';
import type { RedactMode } from './options.js';

/** One thing to look for inside strings, bound to what to do with it: a detector or a user rule. */
export interface Scanner {
  readonly label: string;
  readonly mode: RedactMode;
  readonly find: Finder;
  /** Prebuilt `[REDACTED:<label>]`. */
  readonly maskText: string;
}

/** A span of text `[start, end)` that `scanner` wants replaced. */
export interface Finding {
  readonly start: number;
  readonly end: number;
  readonly scanner: Scanner;
}

/**
 * Appends every match of `scanner` in `text` to `found` and returns it. The array is only created
 * on the first finding, so a clean string allocates nothing.
 */
export function collectFindings(text: string, scanner: Scanner, found: Finding[] | undefined): Finding[] | undefined {
  for (let range = scanner.find(text, 0); range !== null; range = scanner.find(text, range.end)) {
    (found ??= []).push({ start: range.start, end: range.end, scanner });
  }
  return found;
}

/**
 * `text` with each finding replaced by `replacement(finding, matchedText)`. Overlaps resolve to
 * the finding that starts first, then the longer one, then the one found first (scanner order),
 * so `Bearer eyJ…` is one bearer finding rather than a bearer and a JWT fighting over the text.
 */
export function replaceFindings(text: string, found: Finding[], replacement: (finding: Finding, matched: string) => string): string {
  // Array.prototype.sort is stable, which keeps the scanner order for exact ties.
  if (found.length > 1) found.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let cursor = 0;
  for (const finding of found) {
    if (finding.start < cursor) continue;
    out += text.slice(cursor, finding.start) + replacement(finding, text.slice(finding.start, finding.end));
    cursor = finding.end;
  }
  return out + text.slice(cursor);
}

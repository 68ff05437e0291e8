/** A half-open span `[start, end)` of a string. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Finds the first match in `text` that starts at or after `from`, or `null`. Scanning a whole
 * string is a loop of calls, each `from` the previous `end`. A finder keeps no state between
 * calls that outlives the call, so one finder serves every redactor.
 */
export type Finder = (text: string, from: number) => TextRange | null;

/** How {@link regexFinder} judges and trims a regex match. */
export interface RegexFinderOptions {
  /** Second look at a candidate the regex alone cannot judge (checksums, ranges). */
  readonly accept?: (secret: string) => boolean;
  /**
   * Capture group holding the secret, which must end where the match ends: `Bearer <token>`
   * matches the scheme word for context but reports only the token. Default 0, the whole match.
   */
  readonly group?: number;
}

/** A {@link Finder} over a global regex. The regex is owned by the finder: do not share it. */
export function regexFinder(pattern: RegExp, options: RegexFinderOptions = {}): Finder {
  const { accept, group = 0 } = options;
  return (text, from) => {
    pattern.lastIndex = from;
    let match: RegExpExecArray | null;
    while ((match = pattern.exec(text)) !== null) {
      const end = match.index + match[0].length;
      if (end === match.index) {
        // A user pattern such as /\b/ matches nothing at a position; step past it or exec loops.
        pattern.lastIndex++;
        continue;
      }
      const secret = match[group];
      if (secret === undefined || secret === '' || (accept !== undefined && !accept(secret))) continue;
      return { start: end - secret.length, end };
    }
    return null;
  };
}

/**
 * A {@link Finder} over a pattern another engine compiled (see `TextPattern`). Empty matches are
 * stepped over, as {@link regexFinder} does: they mark nothing.
 */
export function textPatternFinder(pattern: { find(text: string, from: number): TextRange | null }): Finder {
  return (text, from) => {
    for (let at = from; at <= text.length; ) {
      const match = pattern.find(text, at);
      if (match === null) return null;
      if (match.end > match.start) return match;
      at = match.start + 1;
    }
    return null;
  };
}

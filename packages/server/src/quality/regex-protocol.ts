import { type Regex, type RegexLimits, compileRegex } from '../regex.js';

/** Between the main thread and the regex thread (`regex-thread.ts`), started with the main thread's limits. */
export type RegexProtocol = {
  config: RegexLimits;
  calls: {
    /** Whether `pattern` (already checked where the evaluator was made) matches in the first `maxChars` characters of `text`. */
    test: (pattern: string, text: string) => boolean;
  };
  posts: Record<never, never>;
  events: Record<never, never>;
};

/** `pattern` compiled once into `cache` (emptied past 1,000 patterns). */
export function compiledFor(cache: Map<string, Regex>, pattern: string): Regex {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    if (cache.size >= 1000) cache.clear();
    cache.set(pattern, (regex = compileRegex(pattern)));
  }
  return regex;
}

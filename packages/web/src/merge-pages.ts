/**
 * Lists read a page at a time (newest first) while the first page may be asked again (a live
 * view): what was loaded stays, and an item is shown once even when it is on two pages.
 */
export function mergePages<T>(first: readonly T[], loaded: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  const merged: T[] = [];
  for (const item of [...first, ...loaded]) {
    const key = keyOf(item);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(item);
  }
  return merged;
}

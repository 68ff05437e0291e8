import type { TraceSummary } from '@spoor/model';

/**
 * The trace list with what the live stream said since it was loaded: a listed trace is replaced
 * in place by its newer summary; a trace not listed goes where its start puts it (the list is
 * newest first, so a new run lands on top). One that would go below the last row while older pages
 * remain unloaded is left out: it belongs to one of those pages, and "Load more" brings it.
 */
export function withLiveTraces(listed: readonly TraceSummary[], changed: ReadonlyMap<string, TraceSummary>, hasMore: boolean): TraceSummary[] {
  if (changed.size === 0) return listed as TraceSummary[];
  const listedIds = new Set<string>();
  const rows = listed.map((trace) => {
    listedIds.add(trace.traceId);
    return changed.get(trace.traceId) ?? trace;
  });
  const added = [...changed.values()].filter((trace) => !listedIds.has(trace.traceId)).sort(newestFirst);
  if (added.length === 0) return rows;
  const merged: TraceSummary[] = [];
  let next = 0;
  for (const row of rows) {
    while (next < added.length && newestFirst(added[next]!, row) <= 0) merged.push(added[next++]!);
    merged.push(row);
  }
  if (!hasMore || rows.length === 0) merged.push(...added.slice(next));
  return merged;
}

/** Newer start first; ISO-8601 times of one form compare as text. Ties by trace id, as the API orders them. */
function newestFirst(a: TraceSummary, b: TraceSummary): number {
  if (a.startTime !== b.startTime) return a.startTime < b.startTime ? 1 : -1;
  return a.traceId < b.traceId ? 1 : a.traceId > b.traceId ? -1 : 0;
}

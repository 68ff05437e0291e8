/**
 * Two traces picked in the trace list to compare: at most two stay picked (the earlier pick is
 * dropped for a third), and the comparison takes the run that started first as A, the baseline,
 * whichever was picked first. Pure; tested in trace-picks.test.ts.
 */

export interface PickedTrace {
  traceId: string;
  /** ISO time, as the trace list has it. */
  startTime: string;
}

export function toggleTrace(picked: readonly PickedTrace[], trace: PickedTrace): PickedTrace[] {
  if (picked.some((p) => p.traceId === trace.traceId)) return picked.filter((p) => p.traceId !== trace.traceId);
  return [...picked, { traceId: trace.traceId, startTime: trace.startTime }].slice(-2);
}

/** `/compare?a=…&b=…` of two picks, the earlier start as A; `null` until two are picked. */
export function tracesComparePath(picked: readonly PickedTrace[]): string | null {
  if (picked.length !== 2) return null;
  const [x, y] = picked as [PickedTrace, PickedTrace];
  const [a, b] = Date.parse(x.startTime) <= Date.parse(y.startTime) ? [x, y] : [y, x];
  return `/compare?${new URLSearchParams({ a: a.traceId, b: b.traceId }).toString()}`;
}

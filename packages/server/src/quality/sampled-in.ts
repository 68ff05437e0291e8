/**
 * Whether a trace is sampled in at `rate`, by its id alone: the same trace is always in or out
 * at one rate, and a trace in at a rate is in at every higher rate (as OpenTelemetry's
 * TraceIdRatioBased sampler). The id is hashed (FNV-1a, 32 bits), since not every SDK makes
 * random ids. Evaluators and tail sampling share it; it is a module of its own so that the
 * database thread, where tail sampling decides, does not load what checks evaluator specs.
 */
export function sampledIn(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 0x1_0000_0000 < rate;
}

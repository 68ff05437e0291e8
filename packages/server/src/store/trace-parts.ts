import type { SpanRecord } from '@spoor/model';

/**
 * Trace summaries, for every engine: each write batch adds one part per trace it holds (its span
 * and error counts, time bounds, root, tokens and cost), and a trace's summary is the sum of its
 * parts, taken when it is read. Parts are only ever appended, so spans of one trace may arrive in
 * any number of batches from any number of services, and a batch written again under its key
 * adds no part twice.
 */

/** One trace's share of a write batch. */
export interface TracePart {
  projectId: string;
  traceId: string;
  startUs: number;
  endUs: number;
  spanCount: number;
  errorCount: number;
  rootName: string | null;
  rootService: string | null;
  /** Whether the root span failed, when the part has it. */
  rootFailed: boolean | null;
  /** Name and service of the part's earliest span (at `startUs`). */
  firstName: string;
  firstService: string;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** The first session and user id a span of the part carries (the trace list shows them). */
  sessionId: string | null;
  userId: string | null;
}

/** Folds a batch's spans into one part per trace. */
export function tracePartsOf(spans: SpanRecord[]): TracePart[] {
  const parts = new Map<string, TracePart>();
  for (const s of spans) {
    const key = s.projectId === 'default' ? s.traceId : `${s.projectId}\u0000${s.traceId}`;
    let part = parts.get(key);
    if (part === undefined) {
      part = {
        projectId: s.projectId,
        traceId: s.traceId,
        startUs: s.startTimeUs,
        endUs: s.endTimeUs,
        spanCount: 0,
        errorCount: 0,
        rootName: null,
        rootService: null,
        rootFailed: null,
        firstName: s.name,
        firstService: s.serviceName,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        sessionId: null,
        userId: null,
      };
      parts.set(key, part);
    }
    part.spanCount++;
    if (s.status.code === 'error') part.errorCount++;
    if (s.startTimeUs < part.startUs) {
      part.startUs = s.startTimeUs;
      part.firstName = s.name;
      part.firstService = s.serviceName;
    }
    if (s.endTimeUs > part.endUs) part.endUs = s.endTimeUs;
    if (s.parentSpanId === null) {
      part.rootName = s.name;
      part.rootService = s.serviceName;
      part.rootFailed = (part.rootFailed ?? false) || s.status.code === 'error';
    }
    part.sessionId ??= s.sessionId;
    part.userId ??= s.userId;
    const llm = s.llm;
    if (llm !== null) {
      if (llm.inputTokens !== null) part.inputTokens = (part.inputTokens ?? 0) + llm.inputTokens;
      if (llm.outputTokens !== null) part.outputTokens = (part.outputTokens ?? 0) + llm.outputTokens;
      if (llm.costUsd !== null) part.costUsd = (part.costUsd ?? 0) + llm.costUsd;
    }
  }
  return [...parts.values()];
}

import { type LlmFields, SPAN_CATEGORIES, type SpanRecord, isUnpricedCall } from '@spoor/model';

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
  /**
   * Per category index (`SPAN_CATEGORIES`), the part's longest span of it, µs, 0 where it has none:
   * what tail sampling's "slower than" rules read, without reading the spans. `null` in a part
   * stored before Spoor kept it (schema 17 on DuckDB, 9 on ClickHouse).
   */
  longestUs: number[] | null;
  /**
   * LLM calls of the part with tokens but no cost (no price for their model), which `costUsd`
   * leaves out. `null` in a part stored before Spoor kept it (schema 18 on DuckDB, 10 on
   * ClickHouse): read as 0 until the trace is re-priced, which counts them again.
   */
  unpricedCalls: number | null;
  /**
   * The UTF-8 bytes of the part's spans' stored attributes, events and links texts: what a trace's
   * detail reads its size from (`TraceReader.traceSize`) without reading a span. `null` in a part
   * stored before Spoor kept it (schema 23 on DuckDB, 13 on ClickHouse), or rewritten where the
   * texts were not at hand: its trace's size is read from its spans instead.
   */
  textBytes: number | null;
}

/**
 * Folds a batch's spans into one part per trace. `textBytes`, each span's stored text bytes, when
 * the caller has them from the batch's columns (`spanTextBytes`); else they are worked out from
 * the records, as `batchOf` stores them (each JSON text; events and links with none are `[]`).
 */
export function tracePartsOf(spans: SpanRecord[], textBytes?: ArrayLike<number>): TracePart[] {
  const parts = new TracePartsBuilder();
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    const category = SPAN_CATEGORIES.indexOf(s.category);
    parts.add(
      s.projectId,
      s.traceId,
      s.startTimeUs,
      s.endTimeUs,
      s.status.code === 'error',
      s.name,
      s.serviceName,
      s.parentSpanId === null,
      s.sessionId,
      s.userId,
      s.llm,
      category,
      textBytes === undefined ? storedTextBytes(s) : textBytes[i]!,
    );
  }
  return parts.parts();
}

/** A span's attributes, events and links as the JSON texts stored, in UTF-8 bytes. */
function storedTextBytes(s: SpanRecord): number {
  return Buffer.byteLength(JSON.stringify(s.attributes)) + Buffer.byteLength(JSON.stringify(s.events)) + Buffer.byteLength(JSON.stringify(s.links));
}

/**
 * Folds spans into one part per trace, one span at a time: `tracePartsOf` over records, and the
 * protobuf decoder over the columns it fills (`ingest/decode-columns.ts`), by the same rule.
 */
export class TracePartsBuilder {
  private readonly byTrace = new Map<string, TracePart>();

  add(
    projectId: string,
    traceId: string,
    startUs: number,
    endUs: number,
    failed: boolean,
    name: string,
    service: string,
    isRoot: boolean,
    sessionId: string | null,
    userId: string | null,
    llm: LlmFields | null,
    /** The span's index in `SPAN_CATEGORIES`. */
    category: number,
    /** The UTF-8 bytes of its stored attributes, events and links. */
    textBytes: number,
  ): void {
    const key = projectId === 'default' ? traceId : `${projectId}\u0000${traceId}`;
    let part = this.byTrace.get(key);
    if (part === undefined) {
      part = {
        projectId,
        traceId,
        startUs,
        endUs,
        spanCount: 0,
        errorCount: 0,
        rootName: null,
        rootService: null,
        rootFailed: null,
        firstName: name,
        firstService: service,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        sessionId: null,
        userId: null,
        longestUs: new Array<number>(SPAN_CATEGORIES.length).fill(0),
        unpricedCalls: 0,
        textBytes: 0,
      };
      this.byTrace.set(key, part);
    }
    const longest = part.longestUs!;
    if (endUs - startUs > longest[category]!) longest[category] = endUs - startUs;
    part.spanCount++;
    part.textBytes! += textBytes;
    if (failed) part.errorCount++;
    if (startUs < part.startUs) {
      part.startUs = startUs;
      part.firstName = name;
      part.firstService = service;
    }
    if (endUs > part.endUs) part.endUs = endUs;
    if (isRoot) {
      part.rootName = name;
      part.rootService = service;
      part.rootFailed = (part.rootFailed ?? false) || failed;
    }
    part.sessionId ??= sessionId;
    part.userId ??= userId;
    if (llm !== null) {
      if (llm.inputTokens !== null) part.inputTokens = (part.inputTokens ?? 0) + llm.inputTokens;
      if (llm.outputTokens !== null) part.outputTokens = (part.outputTokens ?? 0) + llm.outputTokens;
      if (llm.costUsd !== null) part.costUsd = (part.costUsd ?? 0) + llm.costUsd;
      else if (isUnpricedCall(llm)) part.unpricedCalls!++;
    }
  }

  parts(): TracePart[] {
    return [...this.byTrace.values()];
  }
}

import type { CountedScore } from '../metrics/score-metrics.js';
import { type ModelPrice, type PriceBook, type PriceTable, type ScoreRecord, SPOOR_SERVICE_NAME } from '@spoor/model';
import { AppError } from '../errors.js';
import { ScoreMetrics } from '../metrics/score-metrics.js';
import { DEFAULT_MAX_SERIES_PER_FAMILY, type SpanFacts, SpanMetrics, factsOf } from '../metrics/span-metrics.js';
import { PriceBooks } from '../pricing/price-books.js';
import type { WriteBatch } from '../store/tables.js';
import { type MaskFile, type Maskers, type MaskingPolicy, ProjectMasking } from './masking.js';
import { decodeTraceColumns } from './decode-columns.js';
import { decodeBatch } from './decode.js';
import { RECENT_SPANS_PER_PROJECT, RecentSpans, type SpanIdWords, idWordsOfSpans } from './recent-spans.js';
import type { Encoding, OtlpSignal } from './response.js';

/** A request body to decode. */
export interface DecodeRequest {
  signal: OtlpSignal;
  encoding: Encoding;
  projectId: string;
  receivedUs: number;
  body: Uint8Array;
  /**
   * The request was acknowledged before (a quarantined entry replayed): its spans are not taken
   * for a client's resend of spans already stored.
   */
  alreadyAcknowledged?: boolean;
  /**
   * An app sent it (an OTLP receiver): its spans may not claim Spoor's own service
   * (`SPOOR_SERVICE_NAME`), which production views leave out. Spoor's own traces and what the
   * spool gives back (checked when first received) are not.
   */
  fromClient?: boolean;
}

/** What a body decoded to: the batch the writer stores, the body itself (to spool), and what was rejected. */
export interface DecodeResult {
  /** Names the request to `accepted` or `dropped`, which settle its span metrics. */
  ticket: number;
  batch: WriteBatch;
  body: Uint8Array;
  records: number;
  rejected: number;
  /** How many of the rejected were spans already received. */
  duplicates: number;
  rejectReason: string | null;
  /** `gen_ai.evaluation.result` events that could be no score (`decode.ts`). */
  refusedEvaluations: number;
  /** Strings whose invalid UTF-8 was replaced with U+FFFD, their records kept. */
  replacedStrings: number;
  /** Running snapshots kept, and dropped because their span had arrived ended (`decode.ts`). */
  snapshots: number;
  snapshotsAfterEnd: number;
}

/**
 * Whether decoding the request's body again gives its batch: not when the receiver dropped spans
 * of it as received before, or a running snapshot as coming after its span's end, which the body
 * alone cannot tell (`spooledBatch`; `IngestQueue.submit`'s `fromBody`).
 */
export function rebuildsFromBody(decoded: Pick<DecodeResult, 'duplicates' | 'snapshotsAfterEnd'>): boolean {
  return decoded.duplicates === 0 && decoded.snapshotsAfterEnd === 0;
}

/**
 * Decodes, checks, normalizes and prices request bodies into write batches, and counts the
 * span metrics of the requests that are then acknowledged. `DecodeThread` does it on a thread of
 * its own, so the HTTP thread stays free to answer (health checks and reads among them) while
 * bodies are decoded; `InProcessDecoder` does it here, for tests and tools (`decode-client.ts`).
 */
export interface Decoder {
  /** Throws the decoder's `AppError` for a body it cannot read. */
  decode(request: DecodeRequest): Promise<DecodeResult>;
  /** The request was acknowledged: its spans count on `/metrics`. */
  accepted(ticket: number): void;
  /** The request was refused after it decoded (a full queue, a shutdown): its spans do not count. */
  dropped(ticket: number): void;
  /** The span-derived metrics in the Prometheus text format. */
  spanMetrics(): Promise<string>;
  /**
   * Scores stored other than by ingest (the API's, evaluators'): they count on `/metrics` as
   * `spoor_scores_total` and `spoor_score_value`, as ingest's do once acknowledged.
   */
  countScores(scores: readonly CountedScore[]): void;
  /** A project's prices set through the API, over Spoor's table and the `--prices` file. */
  setPrices(projectId: string, models: ModelPrice[]): void;
  /** Spans stored before this start, oldest first: one of them sent again is stored once. */
  remember(spans: ReadonlyArray<{ projectId: string; traceId: string; spanId: string }>): void;
  /** A project's masking policy set through the API (`null`: back to the `--mask` file's, if any). */
  setMasking(projectId: string, policy: MaskingPolicy | null): void;
  close(): Promise<void>;
}

export type { MaskFile } from './masking.js';

/** A decoded request's spans and scores until it is acknowledged or refused; `claimed` when its spans are claimed in the project's recent spans. */
interface Unsettled {
  spans: SpanFacts;
  ids: SpanIdWords;
  scores: ScoreRecord[];
  claimed: boolean;
}

/** The decoding itself, wherever it runs: the price books, and the spans of requests not yet settled. */
export class DecodeCore {
  readonly metrics: SpanMetrics;
  readonly scoreMetrics: ScoreMetrics;
  private readonly books: PriceBooks;
  private readonly unsettled = new Map<number, Unsettled>();
  /** Per project, the last 100,000 spans' ids claimed or stored, to store a request sent again once. */
  private readonly recent = new Map<string, RecentSpans>();
  private nextTicket = 0;
  private readonly masking: ProjectMasking;

  constructor(prices: PriceTable | null, maskFile: MaskFile | null = null, metricsMaxSeries = DEFAULT_MAX_SERIES_PER_FAMILY) {
    this.metrics = new SpanMetrics({ maxSeriesPerFamily: metricsMaxSeries });
    this.scoreMetrics = new ScoreMetrics({ maxSeriesPerFamily: metricsMaxSeries });
    this.books = new PriceBooks(prices);
    this.masking = new ProjectMasking(maskFile);
  }

  setMasking(projectId: string, policy: MaskingPolicy | null): void {
    this.masking.set(projectId, policy);
  }

  /** `spoor_masked_values_total` in the Prometheus text format. */
  maskedMetrics(): string {
    return this.masking.metricsText();
  }

  /**
   * Throws `ERR_INGEST_DUPLICATE_IN_FLIGHT` for a request with spans claimed by one not yet
   * acknowledged or refused: a copy sent while the first was unanswered. Refused for now (503), it
   * is retried and then learns whether the first was stored, rather than being told it was.
   */
  decode(request: DecodeRequest): DecodeResult {
    const { signal, encoding, body, projectId, receivedUs } = request;
    const claiming = request.alreadyAcknowledged !== true;
    const recent = this.recentFor(projectId);
    const prices = this.books.bookFor(projectId);
    const maskers = this.masking.maskersOf(projectId);
    if (signal === 'traces') {
      let inFlight = 0;
      const claimed = (words: Int32Array, at: number, hash: number): boolean => {
        const claim = recent.claimOfWords(words, at, hash);
        if (claim > 0 && this.unsettled.has(claim)) inFlight++;
        return claim !== -1;
      };
      // Read only: a snapshot of a span received ended, even one still being stored, is dropped (never a 503).
      const ended = (words: Int32Array, at: number, hash: number): boolean => recent.claimOfWords(words, at, hash) !== -1;
      const columns = decodeTraceColumns(encoding, body, projectId, receivedUs, prices, claiming ? claimed : undefined, ended, maskers?.request);
      if (request.fromClient === true) refuseSpoorService(columns.spans.serviceNames);
      if (inFlight > 0) throw inFlightError(inFlight);
      return this.settleLater(columns.spans, columns.ids, columns.scores, claiming, recent, body, columns);
    }
    // Logs and metric points: records, masked, then columns (`decode.ts`).
    const decoded = decodeBatch(signal, encoding, body, projectId, receivedUs, prices, undefined, maskers?.records);
    const { spans, scores = [] } = decoded.decoded;
    return this.settleLater(factsOf(projectId, spans), idWordsOfSpans(spans), scores, claiming, recent, body, {
      batch: decoded.batch,
      records: decoded.records,
      rejected: decoded.rejected,
      duplicates: decoded.duplicates ?? 0,
      rejectReason: decoded.rejectReason,
      refusedEvaluations: decoded.refusedEvaluations ?? 0,
      replacedStrings: decoded.replacedStrings ?? 0,
      snapshots: decoded.snapshots ?? 0,
      snapshotsAfterEnd: decoded.snapshotsAfterEnd ?? 0,
    });
  }

  /** Gives a decoded request its ticket, and claims its spans under it. */
  private settleLater(
    spans: SpanFacts,
    ids: SpanIdWords,
    scores: ScoreRecord[],
    claiming: boolean,
    recent: RecentSpans,
    body: Uint8Array,
    result: Omit<DecodeResult, 'ticket' | 'body'>,
  ): DecodeResult {
    const ticket = ++this.nextTicket;
    // Claimed now, not once acknowledged: a copy decoded while this request is being spooled finds them.
    if (spans.count > 0 && claiming) recent.addWords(ids.words, ids.hashes, spans.count, ticket);
    if (spans.count > 0 || scores.length > 0) this.unsettled.set(ticket, { spans, ids, scores, claimed: claiming });
    return {
      ticket,
      batch: result.batch,
      body,
      records: result.records,
      rejected: result.rejected,
      duplicates: result.duplicates,
      rejectReason: result.rejectReason,
      refusedEvaluations: result.refusedEvaluations,
      replacedStrings: result.replacedStrings,
      snapshots: result.snapshots,
      snapshotsAfterEnd: result.snapshotsAfterEnd,
    };
  }

  settle(ticket: number, accepted: boolean): void {
    const settled = this.unsettled.get(ticket);
    if (settled === undefined) return;
    this.unsettled.delete(ticket);
    const { spans, ids, scores, claimed } = settled;
    if (accepted) this.scoreMetrics.countScores(scores);
    if (spans.count === 0) return;
    const recent = this.recentFor(spans.projectId);
    if (!accepted) {
      // Refused after it was decoded (a full spool, a shutdown): its retry is to be stored.
      if (claimed) recent.releaseWords(ids.words, ids.hashes, spans.count, ticket);
      return;
    }
    this.metrics.recordFacts(spans);
    // A quarantined request replayed claims nothing as it is decoded; its spans count as seen from now.
    if (!claimed) recent.addWords(ids.words, ids.hashes, spans.count);
  }

  setPrices(projectId: string, models: ModelPrice[]): void {
    this.books.setApiPrices(projectId, models);
  }

  remember(spans: ReadonlyArray<{ projectId: string; traceId: string; spanId: string }>): void {
    for (const span of spans) this.recentFor(span.projectId).add([span]);
  }

  private recentFor(projectId: string): RecentSpans {
    let recent = this.recent.get(projectId);
    if (recent === undefined) {
      recent = new RecentSpans(RECENT_SPANS_PER_PROJECT);
      this.recent.set(projectId, recent);
    }
    return recent;
  }
}

/**
 * A spooled request decoded again where it is read back (the database thread, after an outage,
 * a stall or a crash), by the path `DecodeCore.decode` took, so the store gets the same rows, but
 * for what the receiver dropped by what it had seen before (spans already received, a running
 * snapshot of a span that had ended), which the body alone cannot tell: such a request is not
 * left on disk for a stall (`IngestQueue.submit`'s `fromBody`). Claims nothing: the receiver
 * claimed its spans when it accepted it.
 */
export function spooledBatch(entry: DecodeRequest, prices: PriceBook | undefined, maskers: Maskers | null): WriteBatch {
  const { signal, encoding, body, projectId, receivedUs } = entry;
  if (signal !== 'traces') return decodeBatch(signal, encoding, body, projectId, receivedUs, prices, undefined, maskers?.records).batch;
  return decodeTraceColumns(encoding, body, projectId, receivedUs, prices, undefined, undefined, maskers?.request).batch;
}

function inFlightError(inFlight: number): AppError {
  return new AppError(
    'ERR_INGEST_DUPLICATE_IN_FLIGHT',
    `${inFlight} of its spans are in a request still being stored (sent again before it was answered?); retry to learn whether it was`,
    {
      retryAfterSeconds: 1,
    },
  );
}

/**
 * Refuses a client's request whose spans name Spoor's own service: left in, an app's traces would
 * leave its statistics, cost and alerts for Spoor's own. A service sends one resource per request,
 * so the request is refused whole, saying which field and why.
 */
function refuseSpoorService(serviceNames: readonly string[]): void {
  if (!serviceNames.includes(SPOOR_SERVICE_NAME)) return;
  throw new AppError(
    'ERR_INGEST_RESERVED_SERVICE',
    `resource attribute service.name "${SPOOR_SERVICE_NAME}" is reserved for the traces Spoor records itself (judges, experiments, replays): name the service otherwise`,
  );
}

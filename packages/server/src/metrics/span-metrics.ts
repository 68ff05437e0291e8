import { SPAN_KINDS, type LlmFields, type SpanRecord, isUnpricedCall } from '@spoor/model';

/**
 * What the span metrics need of a request's spans, one array per field: the decoder keeps this of
 * a request until it is acknowledged, rather than its records.
 */
export interface SpanFacts {
  count: number;
  projectId: string;
  serviceNames: readonly string[];
  /** Index into `SPAN_KINDS`. */
  kinds: Uint8Array;
  /** 1 where the span's status is error. */
  failed: Uint8Array;
  startUs: Float64Array;
  endUs: Float64Array;
  llm: ReadonlyArray<LlmFields | null>;
}

/** The facts of spans decoded as records. */
export function factsOf(projectId: string, spans: readonly SpanRecord[]): SpanFacts {
  const n = spans.length;
  const facts = {
    count: n,
    projectId,
    serviceNames: new Array<string>(n),
    kinds: new Uint8Array(n),
    failed: new Uint8Array(n),
    startUs: new Float64Array(n),
    endUs: new Float64Array(n),
    llm: new Array<LlmFields | null>(n),
  };
  spans.forEach((span, i) => {
    facts.serviceNames[i] = span.serviceName;
    facts.kinds[i] = SPAN_KINDS.indexOf(span.kind);
    facts.failed[i] = span.status.code === 'error' ? 1 : 0;
    facts.startUs[i] = span.startTimeUs;
    facts.endUs[i] = span.endTimeUs;
    facts.llm[i] = span.llm;
  });
  return facts;
}
import { Buckets, Histogram, headerText, histogramText, sampleText } from './exposition.js';
import { SeriesTable, seriesText } from './series-table.js';

/*
 * Metrics derived from acknowledged spans, kept in memory as spans are acknowledged so that a scrape
 * never reads the store. Names follow the Prometheus conventions; the GenAI families are named as
 * the OpenTelemetry Prometheus exporter names the GenAI semantic conventions' metrics (dots become
 * underscores, the unit `s` becomes `_seconds`, `{token}` adds nothing), with the spec's buckets.
 *
 * | family                                              | type      | labels                                   | buckets                               |
 * | --------------------------------------------------- | --------- | ---------------------------------------- | ------------------------------------- |
 * | spoor_spans_total                                   | counter   | service_name, span_kind                  |                                       |
 * | spoor_span_errors_total                             | counter   | service_name, span_kind                  |                                       |
 * | spoor_span_duration_seconds                         | histogram | service_name, span_kind                  | SPAN_DURATION_BUCKETS (5 ms … 10 min) |
 * | gen_ai_client_token_usage                           | histogram | GENAI + gen_ai_token_type=input|output   | TOKEN_USAGE_BUCKETS (1 … 4^13)        |
 * | gen_ai_client_operation_duration_seconds            | histogram | GENAI                                    | OPERATION_BUCKETS (10 ms … 81.92 s)   |
 * | gen_ai_client_operation_time_to_first_chunk_seconds | histogram | GENAI                                    | OPERATION_BUCKETS                     |
 * | spoor_gen_ai_tokens_total                           | counter   | GENAI + gen_ai_token_type=TOKEN_TYPES    |                                       |
 * | spoor_gen_ai_cost_usd_total                         | counter   | GENAI                                    |                                       |
 * | spoor_metrics_overflow_total                        | counter   | family                                   |                                       |
 *
 * GENAI = gen_ai_provider_name, gen_ai_request_model (the response model when the request named
 * none), gen_ai_operation_name; a value the span lacks is `unknown`. Token counts mean what the
 * GenAI conventions say: input includes cache reads and writes, output includes reasoning.
 * Time to first token is the client-side `gen_ai.client.operation.time_to_first_chunk` of the
 * GenAI metrics spec (the `gen_ai.server.*` metrics describe model servers, not the calls an
 * app's spans record).
 *
 * Cardinality: each family exposes at most `maxSeriesPerFamily` series, histogram buckets and
 * `gen_ai_token_type` included (`SeriesTable`). The label sets that come from the data (service ×
 * kind; provider × model × operation) are kept while the table's largest family has room: 19
 * series a (service, kind) in `spoor_span_duration_seconds`, 34 a (provider, model, operation) in
 * `gen_ai_client_token_usage` (input and output, 17 each), so 104 and 57 of them at the default
 * 2,000; later ones are folded into one series whose labels are `other`.
 * `spoor_metrics_overflow_total` counts, per family, the spans folded.
 */

/** Span durations, 5 ms to 10 min: LLM agents' spans run from milliseconds to many minutes. */
export const SPAN_DURATION_BUCKETS = new Buckets([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]);
/** `gen_ai.client.token.usage` ExplicitBucketBoundaries, from the GenAI metrics spec. */
export const TOKEN_USAGE_BUCKETS = new Buckets([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
/** `gen_ai.client.operation.duration` and `.time_to_first_chunk` ExplicitBucketBoundaries, from the spec. */
export const OPERATION_BUCKETS = new Buckets([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);

/** `gen_ai_token_type` values of `spoor_gen_ai_tokens_total`, in `GenAiSeries.tokens` order. */
export const TOKEN_TYPES = ['input', 'output', 'cache_read', 'cache_creation', 'reasoning'] as const;

/**
 * Series each derived family may expose, buckets included: the ten families (span, GenAI and score
 * ones) then expose at most 20,000 series with their overflow counts, well inside a Prometheus
 * `sample_limit` of 50,000 beside Spoor's own series.
 */
export const DEFAULT_MAX_SERIES_PER_FAMILY = 2000;

export interface SpanMetricsOptions {
  /** Series each family may expose, histogram buckets included, before new label sets are folded into `other`. Default 2000. */
  maxSeriesPerFamily?: number;
}

const SPANS = 'spoor_spans_total';
const SPAN_ERRORS = 'spoor_span_errors_total';
const SPAN_DURATION = 'spoor_span_duration_seconds';
const TOKEN_USAGE = 'gen_ai_client_token_usage';
const OPERATION_DURATION = 'gen_ai_client_operation_duration_seconds';
const FIRST_CHUNK = 'gen_ai_client_operation_time_to_first_chunk_seconds';
const TOKENS = 'spoor_gen_ai_tokens_total';
const COST = 'spoor_gen_ai_cost_usd_total';
const UNPRICED = 'spoor_gen_ai_unpriced_calls_total';
const OVERFLOW = 'spoor_metrics_overflow_total';

const UNKNOWN = 'unknown';
const SPAN_LABELS = ['service_name', 'span_kind'];
const GENAI_LABELS = ['gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_operation_name'];

interface SpanSeries {
  spans: number;
  errors: number;
  duration: Histogram;
}

interface GenAiSeries {
  inputTokens: Histogram;
  outputTokens: Histogram;
  duration: Histogram;
  firstChunk: Histogram;
  /** Token sums by `TOKEN_TYPES` index. */
  tokens: Float64Array;
  /** Bit i set once `TOKEN_TYPES[i]` was reported, so a type no span reports has no series. */
  tokensSeen: number;
  costUsd: number;
  costSeen: boolean;
  /** Calls with tokens but no cost (no price for the model): what `costUsd` leaves out. */
  unpricedCalls: number;
}

const newSpanSeries = (): SpanSeries => ({ spans: 0, errors: 0, duration: new Histogram(SPAN_DURATION_BUCKETS) });
const newGenAiSeries = (): GenAiSeries => ({
  inputTokens: new Histogram(TOKEN_USAGE_BUCKETS),
  outputTokens: new Histogram(TOKEN_USAGE_BUCKETS),
  duration: new Histogram(OPERATION_BUCKETS),
  firstChunk: new Histogram(OPERATION_BUCKETS),
  tokens: new Float64Array(TOKEN_TYPES.length),
  tokensSeen: 0,
  costUsd: 0,
  costSeen: false,
  unpricedCalls: 0,
});

export class SpanMetrics {
  private readonly spans: SeriesTable<SpanSeries>;
  private readonly genAi: SeriesTable<GenAiSeries>;

  constructor(options: SpanMetricsOptions = {}) {
    const max = options.maxSeriesPerFamily ?? DEFAULT_MAX_SERIES_PER_FAMILY;
    this.spans = new SeriesTable(SPAN_LABELS, max, SPAN_DURATION_BUCKETS.seriesPerHistogram, newSpanSeries);
    // gen_ai_client_token_usage: an input and an output histogram per label set.
    this.genAi = new SeriesTable(GENAI_LABELS, max, 2 * TOKEN_USAGE_BUCKETS.seriesPerHistogram, newGenAiSeries);
  }

  /**
   * Adds acknowledged spans (already normalized: `span.llm` holds canonical LLM fields or null).
   * Hot path: a span whose label sets were seen before costs a few Map lookups and no strings.
   */
  record(spans: readonly SpanRecord[]): void {
    for (const span of spans) this.recordOne(span.serviceName, span.kind, span.status.code === 'error', span.startTimeUs, span.endTimeUs, span.llm);
  }

  /** `record` of spans kept as columns (what the protobuf decoder keeps of a request until it is acknowledged). */
  recordFacts(facts: SpanFacts): void {
    for (let i = 0; i < facts.count; i++) {
      this.recordOne(facts.serviceNames[i]!, SPAN_KINDS[facts.kinds[i]!]!, facts.failed[i] === 1, facts.startUs[i]!, facts.endUs[i]!, facts.llm[i]!);
    }
  }

  private recordOne(serviceName: string, kind: string, failed: boolean, startUs: number, endUs: number, llm: LlmFields | null): void {
    // A clock-skewed span that ends before it starts counts as instant.
    const seconds = endUs > startUs ? (endUs - startUs) / 1e6 : 0;
    const series = this.spans.get(serviceName || UNKNOWN, kind);
    series.spans += 1;
    if (failed) series.errors += 1;
    series.duration.observe(seconds);
    if (llm !== null) this.recordLlm(llm, seconds);
  }

  private recordLlm(llm: LlmFields, seconds: number): void {
    const series = this.genAi.get(llm.provider || UNKNOWN, llm.requestModel || llm.responseModel || UNKNOWN, llm.operation || UNKNOWN);
    series.duration.observe(seconds);
    if (llm.inputTokens !== null) series.inputTokens.observe(llm.inputTokens);
    if (llm.outputTokens !== null) series.outputTokens.observe(llm.outputTokens);
    if (llm.timeToFirstTokenMs !== null) series.firstChunk.observe(llm.timeToFirstTokenMs / 1000);
    addTokens(series, 0, llm.inputTokens);
    addTokens(series, 1, llm.outputTokens);
    addTokens(series, 2, llm.cacheReadInputTokens);
    addTokens(series, 3, llm.cacheCreationInputTokens);
    addTokens(series, 4, llm.reasoningTokens);
    if (llm.costUsd !== null && llm.costUsd >= 0) {
      series.costUsd += llm.costUsd;
      series.costSeen = true;
    } else if (isUnpricedCall(llm)) {
      series.unpricedCalls += 1;
    }
  }

  /**
   * The Prometheus text exposition (format 0.0.4) of everything recorded since start;
   * `moreOverflow` adds the overflow counts of families kept elsewhere (the score metrics).
   */
  render(moreOverflow: ReadonlyArray<readonly [family: string, count: number]> = []): string {
    const { spans, genAi } = this;
    let text = headerText(SPANS, 'Spans acknowledged (durably spooled), by service and span kind.', 'counter');
    text += seriesText(spans, (labels, s) => sampleText(SPANS, labels, s.spans));
    text += headerText(SPAN_ERRORS, 'Acknowledged spans whose status is error, by service and span kind.', 'counter');
    text += seriesText(spans, (labels, s) => sampleText(SPAN_ERRORS, labels, s.errors));
    text += headerText(SPAN_DURATION, 'Duration of acknowledged spans, by service and span kind.', 'histogram');
    text += seriesText(spans, (labels, s) => histogramText(SPAN_DURATION, labels, s.duration));

    text += headerText(TOKEN_USAGE, 'Input and output tokens used per GenAI operation (OpenTelemetry GenAI metric).', 'histogram');
    text += seriesText(genAi, (labels, s) => observedText(TOKEN_USAGE, labels, s.inputTokens), 'gen_ai_token_type="input"');
    text += seriesText(genAi, (labels, s) => observedText(TOKEN_USAGE, labels, s.outputTokens), 'gen_ai_token_type="output"');
    text += headerText(OPERATION_DURATION, 'GenAI operation duration (OpenTelemetry GenAI metric).', 'histogram');
    text += seriesText(genAi, (labels, s) => histogramText(OPERATION_DURATION, labels, s.duration));
    text += headerText(FIRST_CHUNK, 'Time to the first chunk of a streamed GenAI response (OpenTelemetry GenAI metric).', 'histogram');
    text += seriesText(genAi, (labels, s) => observedText(FIRST_CHUNK, labels, s.firstChunk));

    text += headerText(TOKENS, 'Tokens used by GenAI operations, by type; input includes cache reads and writes, output includes reasoning.', 'counter');
    TOKEN_TYPES.forEach((type, i) => {
      const bit = 1 << i;
      const render = (labels: string, s: GenAiSeries): string => ((s.tokensSeen & bit) === 0 ? '' : sampleText(TOKENS, labels, s.tokens[i]!));
      text += seriesText(genAi, render, `gen_ai_token_type="${type}"`);
    });
    text += headerText(COST, 'Cost of GenAI operations in US dollars, as reported by the span or from the price table.', 'counter');
    text += seriesText(genAi, (labels, s) => (s.costSeen ? sampleText(COST, labels, s.costUsd) : ''));
    text += headerText(UNPRICED, 'GenAI calls with tokens but no price for their model, which the cost leaves out.', 'counter');
    text += seriesText(genAi, (labels, s) => (s.unpricedCalls > 0 ? sampleText(UNPRICED, labels, s.unpricedCalls) : ''));

    text += headerText(
      OVERFLOW,
      'Spans (scores, for the score families) folded into a family\'s series of other labels (otel_metric_overflow="true") because the family had no room for their label set.',
      'counter',
    );
    for (const family of [SPANS, SPAN_ERRORS, SPAN_DURATION]) text += sampleText(OVERFLOW, `family="${family}"`, spans.overflowed);
    for (const family of [TOKEN_USAGE, OPERATION_DURATION, FIRST_CHUNK, TOKENS, COST, UNPRICED])
      text += sampleText(OVERFLOW, `family="${family}"`, genAi.overflowed);
    for (const [family, count] of moreOverflow) text += sampleText(OVERFLOW, `family="${family}"`, count);
    return text;
  }
}

/** Histograms a span may leave empty (no token count, not streamed) get no series until one is recorded. */
function observedText(name: string, labels: string, histogram: Histogram): string {
  return histogram.count === 0 ? '' : histogramText(name, labels, histogram);
}

function addTokens(series: GenAiSeries, type: number, tokens: number | null): void {
  if (tokens === null || !(tokens >= 0)) return;
  series.tokens[type]! += tokens;
  series.tokensSeen |= 1 << type;
}

/**
 * The columns the ClickHouse span tables (`spans`, `span_stats`, `running_spans`) share, with the
 * codecs each takes, and what `span_stats` and `span_facts` add (`schema-tables.ts` has the tables).
 */

import { SPANS } from '../tables.js';
import { ID, JSON_TEXT, LC, LCN, NULLABLE_ID, TIME } from './schema-columns.js';

/**
 * A span's `cache.hit` attribute, worked out by ClickHouse as the span is inserted: 1 true, -1
 * false, 0 neither. The realtime numbers count it over the last five minutes; reading it from
 * the attributes there meant reading and searching every span's JSON, half that query's time
 * (bench:analytics). A span without the key is one substring test at insert.
 */
export const CACHE_HIT = `Int8 MATERIALIZED multiIf(position(attributes, '"cache.hit"') = 0, 0,
    JSONExtract(attributes, 'cache.hit', 'Nullable(String)') = 'true', 1,
    JSONExtract(attributes, 'cache.hit', 'Nullable(String)') = 'false', -1, 0)`;

/** How the span tables store a span's counts, amounts, and session and user ids. */
interface SpanCodecs {
  count: string;
  amount: string;
  text: string;
}

/**
 * The span columns `spans`, `span_stats` and `running_spans` share, in `store/tables.ts`' order;
 * `codecs` for the counts, amounts and session and user ids, which lie differently in each.
 */
const spanColumns = (codecs: SpanCodecs): string => `  project_id ${LC},
  trace_id ${ID},
  span_id ${ID},
  parent_span_id ${NULLABLE_ID},
  trace_state String,
  flags UInt32,
  name ${LC},
  kind UInt8,
  service_name ${LC},
  start_us ${TIME},
  end_us ${TIME},
  duration_us Int64 CODEC(T64, ZSTD(1)),
  status_code UInt8,
  status_message String,
  attributes ${JSON_TEXT},
  source_id ${LC},
  events ${JSON_TEXT},
  links ${JSON_TEXT},
  dropped_attributes UInt32,
  dropped_events UInt32,
  dropped_links UInt32,
  session_id ${codecs.text},
  is_llm Bool,
  llm_provider ${LCN},
  llm_operation ${LCN},
  llm_request_model ${LCN},
  llm_response_model ${LCN},
  input_tokens ${codecs.count},
  output_tokens ${codecs.count},
  total_tokens ${codecs.count},
  cache_read_tokens ${codecs.count},
  cache_creation_tokens ${codecs.count},
  reasoning_tokens ${codecs.count},
  cost_usd ${codecs.amount},
  ttft_ms ${codecs.amount},
  finish_reasons ${LCN},
  cost_source ${LCN},
  category UInt8,
  user_id ${codecs.text}`;

/**
 * `spans` and `running_spans`: LZ4, the default. Lying by service and name, their counts took
 * about 0.6 B a span with it (bench:sampling); whether ZSTD would slow the statistics' reads of
 * them is not measured.
 */
export const SPAN_COLUMNS = spanColumns({ count: 'Nullable(Int64)', amount: 'Nullable(Float64)', text: 'Nullable(String)' });

/**
 * `span_stats`, where a sampled-out trace's spans lie together and a call's tokens and cost
 * alternate with its steps' NULLs: ZSTD, as LZ4 barely shrank them there (tokens and cost 4.0 of
 * 16.6 B a span sent, session and user 0.7, bench:sampling; 1.7 and 0.4 with ZSTD).
 */
const SPAN_STATS_CODECS: SpanCodecs = { count: 'Nullable(Int64) CODEC(ZSTD(1))', amount: 'Nullable(Float64) CODEC(ZSTD(1))', text: NULLABLE_ID };
export const SPAN_STATS_COLUMNS = spanColumns(SPAN_STATS_CODECS);

/** The columns of `span_stats` that took ZSTD in schema version 8 (LZ4 before): what its migration modifies. */
export const SPAN_STATS_ZSTD_SINCE_8: readonly string[] = [
  `session_id ${SPAN_STATS_CODECS.text}`,
  ...['input_tokens', 'output_tokens', 'total_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'reasoning_tokens'].map(
    (c) => `${c} ${SPAN_STATS_CODECS.count}`,
  ),
  ...['cost_usd', 'ttft_ms'].map((c) => `${c} ${SPAN_STATS_CODECS.amount}`),
  `user_id ${SPAN_STATS_CODECS.text}`,
];

/**
 * A sampled-out LLM call's response id (`''` for other spans), which its `llm_responses` row held
 * (`sql/span-stats.ts`); found by its bloom filter when a score names it. Random like the ids:
 * with LZ4 a demo-like response id took 27 B, with ZSTD about half (BENCHMARKS.md).
 */
export const SPAN_STATS_RESPONSE_ID = `response_id ${ID}`;
export const SPAN_STATS_RESPONSE_INDEX = 'INDEX response_idx response_id TYPE bloom_filter(0.001) GRANULARITY 1';

/** What `span_facts` reads of `spans` and of `span_stats`: every stored column. */
export const SPAN_FACT_COLUMNS: readonly string[] = [...SPANS.map((c) => c.name), 'batch_id', 'cache_hit'];

/**
 * The columns a stored span or log is read back from, for an answer (`StoredSpan`, `StoredLog`)
 * or a record (`LogRecordData`): its plain columns, then its JSON text columns. An engine reads
 * them its own fastest way (`duckdb/read.ts`; on ClickHouse a span's in `clickhouse/span-rows.ts`,
 * decoded column by column, a log's in `clickhouse/trace-rows.ts`); the converters of
 * `record-rows.ts` find each by name.
 */

/** A span's plain columns but its finish reasons (a JSON text that arrives parsed). */
export const SPAN_COLUMNS: readonly string[] = [
  'project_id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'trace_state',
  'flags',
  'name',
  'kind',
  'service_name',
  'start_us',
  'end_us',
  'status_code',
  'status_message',
  'source_id',
  'dropped_attributes',
  'dropped_events',
  'dropped_links',
  'session_id',
  'is_llm',
  'llm_provider',
  'llm_operation',
  'llm_request_model',
  'llm_response_model',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'reasoning_tokens',
  'cost_usd',
  'ttft_ms',
  'cost_source',
  'category',
  'user_id',
];

/** A span's double columns, which may hold NaN or an infinity (JSON has no word for either: they are read as null). */
export const SPAN_DOUBLE_COLUMNS: ReadonlySet<string> = new Set(['cost_usd', 'ttft_ms']);

/** A span's JSON text columns, kept as text in an answer. */
export const SPAN_TEXT_COLUMNS: readonly string[] = ['attributes', 'events', 'links'];

/** A log's plain columns. */
export const LOG_COLUMNS: readonly string[] = [
  'project_id',
  'log_id',
  'time_us',
  'observed_us',
  'trace_id',
  'span_id',
  'flags',
  'severity_number',
  'severity_text',
  'source_id',
  'service_name',
  'event_name',
  'dropped_attributes',
  'body_bytes',
];

/** A log's JSON text columns. */
export const LOG_TEXT_COLUMNS: readonly string[] = ['body', 'attributes'];

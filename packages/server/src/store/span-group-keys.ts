import { SPAN_CATEGORIES, SPAN_KINDS, type SpanGroupColumn } from '@spoor/model';

/**
 * The SQL of each column a span statistic may be grouped by, over the `spans` table of every
 * engine: the expressions are the same in DuckDB's and ClickHouse's SQL (1-based list indexing
 * turns the stored kind and category numbers back into their names).
 */
const quotedList = (values: readonly string[]): string => `[${values.map((v) => `'${v}'`).join(', ')}]`;

export const SPAN_GROUP_COLUMNS: Readonly<Record<SpanGroupColumn, string>> = {
  name: 'name',
  service: 'service_name',
  // The model asked for ("gpt-4o"), not the dated one that answered, is what users group by.
  model: 'coalesce(llm_request_model, llm_response_model)',
  provider: 'llm_provider',
  kind: `${quotedList(SPAN_KINDS)}[kind + 1]`,
  category: `${quotedList(SPAN_CATEGORIES)}[category + 1]`,
  operation: 'llm_operation',
  session: 'session_id',
};

import { SPAN_CATEGORIES, SPAN_GROUP_COLUMNS, SPAN_KINDS, type SpanGroupColumn } from '@spoor/model';
import { type AlertLabel, type AlertMatcher, type AlertSeriesSource, StoreError } from '../store.js';
import type { ChClient, ChParams } from './client.js';

/**
 * The SQL of alert labels and matchers over spans, logs and error events: what DuckDB's
 * `alert-series.ts` computes, label for label.
 */

/**
 * A name out of a list by a 0-based number, NULL past its end as in DuckDB (ClickHouse gives an
 * array's default past the end: `''` for strings, NULL for Nullable ones).
 */
const nameOf = (names: readonly string[], index: string): string =>
  `arrayElement(CAST([${names.map((n) => `'${n}'`).join(', ')}] AS Array(Nullable(String))), ${index} + 1)`;

const STATUS_LABEL = nameOf(['unset', 'ok', 'error'], 'status_code');
/** OpenTelemetry severity numbers 1-4 are trace, 5-8 debug, ... 21-24 fatal; 0 is unset. */
const SEVERITY_LABEL = nameOf(['unset', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'], 'intDiv(severity_number + 3, 4)');

const SPAN_LABELS: Record<SpanGroupColumn, string> = {
  name: 'name',
  service: 'service_name',
  // The model asked for ("gpt-4o"), not the dated one that answered, is what users group by.
  model: 'coalesce(llm_request_model, llm_response_model)',
  provider: 'llm_provider',
  kind: nameOf(SPAN_KINDS, 'kind'),
  category: nameOf(SPAN_CATEGORIES, 'category'),
  operation: 'llm_operation',
  session: 'session_id',
};

const LOG_LABELS = new Map([
  ['service', 'service_name'],
  ['severity', SEVERITY_LABEL],
  ['text', 'body_text'],
  ['trace_id', 'trace_id'],
]);

const ERROR_LABELS = new Map([
  ['service', 'service_name'],
  ['fingerprint', 'fingerprint'],
  ['type', 'exception_type'],
  ['provider', 'provider'],
  ['tool', 'tool_name'],
]);

const isSpanGroupColumn = (name: string): name is SpanGroupColumn => (SPAN_GROUP_COLUMNS as readonly string[]).includes(name);

/**
 * An attribute as text, as DuckDB's `json_extract_string` gives it: a string's value, other
 * values as JSON text, NULL for a missing key or a JSON null. `JSONExtract` to
 * `Nullable(String)` does all of that in one parse. `keys` are placeholders, each one key (dots
 * in a key are not a path).
 */
const jsonText = (json: string, ...keys: string[]): string => `JSONExtract(${json}, ${keys.join(', ')}, 'Nullable(String)')`;

/**
 * The SQL of a query's labels over one source's rows. Attribute labels are looked up on the
 * record, then on its resource; all of them share one join with the project's `sources` (read
 * deduplicated: it is a ReplacingMergeTree), each resource parsed once per key rather than once
 * per record.
 */
export class LabelSql {
  private readonly resourceColumns = new Map<string, string>();

  constructor(
    private readonly ch: ChClient,
    private readonly p: ChParams,
    private readonly project: string,
    private readonly source: AlertSeriesSource,
  ) {}

  of(label: AlertLabel): string {
    const sql = label.attribute ? this.attribute(label.name) : this.builtin(label.name);
    if (sql === undefined) throw new StoreError(`alert series of ${this.source} have no label '${label.name}'`);
    return sql;
  }

  /** The `LEFT JOIN` the attribute labels need, or nothing. */
  join(): string {
    if (this.resourceColumns.size === 0) return '';
    const columns = [...this.resourceColumns].map(([key, alias]) => `${jsonText('resource', "'attributes'", this.p.add(key))} AS ${alias}`);
    return `LEFT JOIN (SELECT source_id, ${columns.join(', ')} FROM ${this.ch.tables.sources} FINAL WHERE project_id = ${this.project}) AS resource_keys
      USING (source_id)`;
  }

  private builtin(name: string): string | undefined {
    switch (this.source) {
      case 'spans':
      case 'duration':
        if (name === 'status') return STATUS_LABEL;
        return isSpanGroupColumn(name) ? SPAN_LABELS[name] : undefined;
      case 'logs':
        return LOG_LABELS.get(name);
      case 'errors':
        return ERROR_LABELS.get(name);
    }
  }

  /**
   * Attributes are written with `JSON.stringify`, so a record whose text does not contain the
   * quoted key has no such attribute, and is not parsed at all (as in DuckDB's adapter).
   */
  private attribute(key: string): string | undefined {
    if (this.source === 'errors') return undefined;
    let alias = this.resourceColumns.get(key);
    if (alias === undefined) {
      alias = `r${this.resourceColumns.size}`;
      this.resourceColumns.set(key, alias);
    }
    const own = `if(position(attributes, ${this.p.add(JSON.stringify(key))}) > 0, ${jsonText('attributes', this.p.add(key))}, NULL)`;
    return `coalesce(${own}, resource_keys.${alias})`;
  }
}

/**
 * A matcher as a condition; the negations also hold where the label is absent, as in Prometheus.
 * Regular expressions are RE2 in both engines, unanchored; `(?-s)` because ClickHouse's `.`
 * matches a line break and DuckDB's (RE2's default) does not.
 */
export function matcherSql(p: ChParams, labels: LabelSql, matcher: AlertMatcher): string {
  const label = labels.of(matcher);
  switch (matcher.op) {
    case '=':
      return `${label} = ${p.add(matcher.value)}`;
    case '!=':
      return `NOT coalesce(${label} = ${p.add(matcher.value)}, false)`;
    case '=~':
      return `match(${label}, ${p.add(`(?-s)${matcher.value}`)})`;
    case '!~':
      return `NOT coalesce(match(${label}, ${p.add(`(?-s)${matcher.value}`)}), false)`;
  }
}

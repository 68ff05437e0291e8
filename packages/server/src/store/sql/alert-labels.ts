import { SPAN_GROUP_COLUMNS as SPAN_GROUP_NAMES, type SpanGroupColumn } from '@spoor/model';
import { type AlertLabel, type AlertMatcher, type AlertSeriesSource, StoreError } from '../store.js';
import type { Dialect, Params } from './dialect.js';
import { SPAN_GROUP_COLUMNS, ownAttribute } from './filters.js';

/** The SQL of alert labels and matchers over spans, logs, error events and scores. */

const isSpanGroupColumn = (name: string): name is SpanGroupColumn => (SPAN_GROUP_NAMES as readonly string[]).includes(name);

/** A built-in label of a source's records, or `undefined` for a name the source lacks. */
function builtinLabel(d: Dialect, source: AlertSeriesSource, name: string): string | undefined {
  switch (source) {
    case 'spans':
    case 'duration':
      if (name === 'status') return d.nameAt(['unset', 'ok', 'error'], 'status_code');
      return isSpanGroupColumn(name) ? SPAN_GROUP_COLUMNS[name] : undefined;
    case 'logs':
      // OpenTelemetry severity numbers 1-4 are trace, 5-8 debug, ... 21-24 fatal; 0 is unset.
      // Widened first: DuckDB's UTINYINT + 3 overflows for the stored numbers past 252.
      if (name === 'severity')
        return d.nameAt(['unset', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'], d.intDiv('CAST(severity_number AS INTEGER) + 3', '4'));
      return LOG_COLUMNS.get(name);
    case 'errors':
      return ERROR_COLUMNS.get(name);
    case 'scores':
      return SCORE_COLUMNS.has(name) ? name : undefined;
  }
}

const LOG_COLUMNS = new Map([
  ['service', 'service_name'],
  ['text', 'body_text'],
  ['trace_id', 'trace_id'],
]);

const ERROR_COLUMNS = new Map([
  ['service', 'service_name'],
  ['fingerprint', 'fingerprint'],
  ['type', 'exception_type'],
  ['provider', 'provider'],
  ['tool', 'tool_name'],
]);

/** A score's labels are its columns of the same names. */
const SCORE_COLUMNS = new Set(['name', 'label', 'source', 'author']);

/**
 * The SQL of a query's labels over one source's rows. Attribute labels are looked up on the
 * record, then on its resource; all of them share one join with the project's sources (read one
 * row per source), each resource parsed once per key rather than once per record.
 */
export class LabelSql {
  private readonly resourceColumns = new Map<string, string>();

  constructor(
    private readonly d: Dialect,
    private readonly p: Params,
    private readonly project: string,
    private readonly source: AlertSeriesSource,
  ) {}

  of(label: AlertLabel): string {
    const sql = label.attribute ? this.attribute(label.name) : builtinLabel(this.d, this.source, label.name);
    if (sql === undefined) throw new StoreError(`alert series of ${this.source} have no label '${label.name}'`);
    return sql;
  }

  /** The `LEFT JOIN` the attribute labels need, or nothing. */
  join(): string {
    if (this.resourceColumns.size === 0) return '';
    const columns = [...this.resourceColumns].map(([key, alias]) => `${this.d.jsonText(this.p, 'resource', ['attributes', key])} AS ${alias}`);
    return `LEFT JOIN (SELECT source_id, ${columns.join(', ')} FROM ${this.d.sources} WHERE project_id = ${this.project}) AS resource_keys USING (source_id)`;
  }

  /** Errors and scores have no attributes; a span's or log's own attribute, else its resource's. */
  private attribute(key: string): string | undefined {
    if (this.source === 'errors' || this.source === 'scores') return undefined;
    let alias = this.resourceColumns.get(key);
    if (alias === undefined) {
      alias = `r${this.resourceColumns.size}`;
      this.resourceColumns.set(key, alias);
    }
    return `coalesce(${ownAttribute(this.d, this.p, key)}, resource_keys.${alias})`;
  }
}

/**
 * A matcher as a condition; the negations also hold where the label is absent, as in Prometheus.
 * Regular expressions are RE2 in both engines, unanchored.
 */
export function matcherSql(d: Dialect, p: Params, labels: LabelSql, matcher: AlertMatcher): string {
  const label = labels.of(matcher);
  switch (matcher.op) {
    case '=':
      return `${label} = ${p.add(matcher.value)}`;
    case '!=':
      return d.distinctFrom(label, p.add(matcher.value));
    case '=~':
      return d.matches(p, label, matcher.value);
    case '!~':
      return `NOT coalesce(${d.matches(p, label, matcher.value)}, false)`;
  }
}

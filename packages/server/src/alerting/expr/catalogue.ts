import { SCORE_SOURCES } from '@spoor/model';
import type { AggregateFn, Source } from './ast.js';

/**
 * What the expression language knows by name: sources, the functions each takes, the labels
 * each can be matched and grouped by. The parser checks against these; the printer uses the
 * same predicates so that what it prints parses back.
 */

export type SourceKind = Source['kind'];
type BuiltinKind = Exclude<SourceKind, 'metric'>;

/** How each built-in source is written. */
export const SOURCE_NAMES: Record<BuiltinKind, string> = { spans: 'spans', duration: 'duration_ms', logs: 'logs', errors: 'errors', scores: 'score' };

const KIND_BY_NAME = new Map(Object.entries(SOURCE_NAMES).map(([kind, name]) => [name, kind as BuiltinKind]));

export const FUNCTIONS: Record<SourceKind, readonly AggregateFn[]> = {
  spans: ['count', 'rate', 'errors', 'error_rate', 'tokens', 'input_tokens', 'output_tokens', 'cost', 'cost_per_workflow', 'unpriced_calls'],
  duration: ['avg', 'min', 'max', 'p50', 'p90', 'p95', 'p99'],
  logs: ['count', 'rate'],
  errors: ['count', 'new_error_group', 'regressed_error_group'],
  scores: ['count', 'rate', 'avg', 'min', 'max', 'sum', 'p50', 'p90', 'p95', 'p99'],
  metric: ['rate', 'increase', 'avg', 'min', 'max', 'sum', 'last', 'p50', 'p90', 'p95', 'p99'],
};

export const ALL_FUNCTIONS: readonly AggregateFn[] = [...new Set(Object.values(FUNCTIONS).flat())];

const SPAN_LABELS = ['service', 'name', 'kind', 'category', 'model', 'provider', 'operation', 'status', 'session'];

/** Built-in labels per source; `null` where any label goes (metric attributes). */
export const LABELS: Record<SourceKind, readonly string[] | null> = {
  spans: SPAN_LABELS,
  duration: SPAN_LABELS,
  logs: ['service', 'severity', 'text', 'trace_id'],
  errors: ['service', 'fingerprint', 'type', 'provider', 'tool'],
  scores: ['name', 'label', 'source', 'author'],
  metric: null,
};

const STATUSES = ['unset', 'ok', 'error'];
const SEVERITIES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The values a built-in label can take, where the set is closed; else null. */
export function closedValues(source: SourceKind, label: string): readonly string[] | null {
  if ((source === 'spans' || source === 'duration') && label === 'status') return STATUSES;
  if (source === 'logs' && label === 'severity') return SEVERITIES;
  if (source === 'scores' && label === 'source') return SCORE_SOURCES;
  return null;
}

export const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export function builtinSource(name: string): Source | null {
  const kind = KIND_BY_NAME.get(name);
  return kind === undefined ? null : { kind };
}

export function sourceName(source: Source): string {
  return source.kind === 'metric' ? source.name : SOURCE_NAMES[source.kind];
}

/**
 * Whether `name` may be written unquoted as a metric. A bare near-miss of a built-in source
 * (`span`, `duraton_ms`) is far likelier a typo than an app metric, so it must be quoted.
 */
export function isBareMetricName(name: string): boolean {
  if (!IDENT.test(name)) return false;
  if (name.includes('.')) return true;
  return !KIND_BY_NAME.has(name) && closest(name, Object.values(SOURCE_NAMES)).length === 0;
}

/**
 * How `label` reads on `source`: a built-in of the source, an attribute key, or neither. An
 * attribute key needs a dot or quotes on spans and logs, so that `servce` is caught as a typo;
 * error groups and scores have no attributes.
 */
export function labelKind(source: SourceKind, label: string, quoted: boolean): 'builtin' | 'attribute' | 'unknown' {
  const builtins = LABELS[source];
  if (builtins === null) return 'attribute';
  if (builtins.includes(label)) return 'builtin';
  if (source === 'errors' || source === 'scores') return 'unknown';
  return quoted || label.includes('.') ? 'attribute' : 'unknown';
}

/** `a, b or c`. */
export function listOf(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** ` (did you mean 'x'?)` when a candidate is a close spelling of `word`, else empty. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const matches = closest(word, candidates);
  return matches.length === 0 ? '' : ` (did you mean ${listOf(matches.map((match) => `'${match}'`))}?)`;
}

/**
 * The candidates nearest to `word`: the same but for case, else those within one edit (two
 * for words longer than four letters), or that start with it. Ties are all returned.
 */
export function closest(word: string, candidates: readonly string[]): string[] {
  const lower = word.toLowerCase();
  const sameButCase = candidates.filter((candidate) => candidate.toLowerCase() === lower);
  if (sameButCase.length > 0) return sameButCase;
  const limit = word.length <= 4 ? 1 : 2;
  let best: string[] = [];
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const prefix = word.length >= 3 && candidate.startsWith(lower);
    const distance = prefix ? 1 : editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [[candidate], distance];
    else if (distance === bestDistance) best.push(candidate);
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i]!;
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

import type { CompareQuery, ScoreStatsQuery, ScoreStatsRow, SpanRecord } from '@spoor/model';
import { quantileOfSorted, sortNumbers } from '../../src/store/rank-sums.js';
import type { ScoreCompareGroup, ScoreStore, StoredScore } from '../../src/store/store.js';
import { matchesFilter, sideKey } from './fake-analytics.js';
import { attributeText, byText } from './fake-reads.js';

/** Score statistics of the in-memory fake: the plain computation that `store/sql/score-stats.ts` performs. */

/** The project's newest scores in the range (deletions out, response ids resolved), of the name and source the query reads. */
export function scoresOfQuery(scores: ScoreStore, query: Pick<ScoreStatsQuery, 'projectId' | 'range' | 'name' | 'by'>): Promise<StoredScore[]> {
  const source = query.by === 'evaluator' ? ('evaluator' as const) : null;
  return scores.listScores(
    { projectId: query.projectId, range: query.range, traceId: null, spanId: null, sessionId: null, name: query.name, source },
    null,
    Infinity,
  );
}

/** A function giving each score its group key under `by`, over the committed spans. */
export function groupKeyOf(spans: readonly SpanRecord[], projectId: string, by: ScoreStatsQuery['by']): (s: StoredScore) => string | null {
  if (by === 'name') return (s) => s.name;
  if (by === 'evaluator') return (s) => s.author;
  const keyOf = (span: SpanRecord): string | null =>
    by === 'model'
      ? (span.llm?.requestModel ?? span.llm?.responseModel ?? null)
      : by === 'service'
        ? span.serviceName
        : attributeText(span.resource.attributes, 'service.version');
  const own = new Map<string, string | null>();
  const root = new Map<string, string | null>();
  for (const span of spans) {
    if (span.projectId !== projectId) continue;
    const key = keyOf(span);
    own.set(`${span.traceId}/${span.spanId}`, key);
    if (span.parentSpanId === null && key !== null) {
      const before = root.get(span.traceId);
      if (before === undefined || before === null || key < before) root.set(span.traceId, key);
    }
  }
  return (s) => {
    if (s.traceId === null) return null;
    if (s.spanId !== null) return own.get(`${s.traceId}/${s.spanId}`) ?? null;
    return by === 'model' ? null : (root.get(s.traceId) ?? null);
  };
}

export async function scoreStats(spans: readonly SpanRecord[], scores: ScoreStore, query: ScoreStatsQuery): Promise<ScoreStatsRow[]> {
  const keyOf = groupKeyOf(spans, query.projectId, query.by);
  const groups = new Map<string, { name: string; key: string | null; scores: StoredScore[] }>();
  for (const s of await scoresOfQuery(scores, query)) {
    const key = keyOf(s);
    const id = JSON.stringify([s.name, key]);
    const group = groups.get(id) ?? { name: s.name, key, scores: [] };
    group.scores.push(s);
    groups.set(id, group);
  }
  const rows = [...groups.values()].map(({ name, key, scores: list }): ScoreStatsRow => {
    const values = list.flatMap((s) => (s.value === null ? [] : [s.value]));
    const sorted = sortNumbers(values);
    const labels: Record<string, number> = {};
    for (const label of list.flatMap((s) => (s.label === null ? [] : [s.label])).sort(byText)) labels[label] = (labels[label] ?? 0) + 1;
    return {
      name,
      key,
      count: list.length,
      mean: values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length,
      p50: quantileOfSorted(sorted, 0.5),
      p90: quantileOfSorted(sorted, 0.9),
      labels,
    };
  });
  rows.sort((x, y) => y.count - x.count || byText(x.name, y.name) || (x.key === y.key ? 0 : x.key === null ? 1 : y.key === null ? -1 : byText(x.key, y.key)));
  return rows.slice(0, query.limit);
}

/** The release comparison's score groups: `store/sql/score-compare.ts` in plain code. */
export async function compareScores(spans: readonly SpanRecord[], scores: ScoreStore, query: CompareQuery): Promise<ScoreCompareGroup[]> {
  const own = new Map<string, string>();
  const root = new Map<string, string>();
  for (const span of spans) {
    const side = matchesFilter(span, query.filter) ? sideKey(span, query.by) : null;
    if (side !== query.a && side !== query.b) continue;
    own.set(`${span.traceId}/${span.spanId}`, side);
    const before = root.get(span.traceId);
    if (span.parentSpanId === null && (before === undefined || side < before)) root.set(span.traceId, side);
  }
  const all = { fromUs: null, toUs: null };
  const live = await scores.listScores(
    { projectId: query.filter.projectId, range: all, traceId: null, spanId: null, sessionId: null, name: null, source: null },
    null,
    Infinity,
  );
  const groups = new Map<string, ScoreCompareGroup & { values: number[]; counts: number[] }>();
  for (const s of live) {
    const value = s.traceId === null ? undefined : s.spanId !== null ? own.get(`${s.traceId}/${s.spanId}`) : root.get(s.traceId);
    if (value === undefined) continue;
    const side = value === query.b ? 'b' : 'a';
    const id = JSON.stringify([s.name, side, s.label]);
    const group = groups.get(id) ?? { name: s.name, side, label: s.label, count: 0, values: [] as number[], counts: [] as number[] };
    group.count += 1;
    // Each value as a tally of its own: a store may list a value more than once.
    if (s.value !== null) {
      group.values.push(s.value);
      group.counts.push(1);
    }
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** The values a comparison's group tallies, each as many times as counted, ascending: what a test compares. */
export function valuesOf(group: ScoreCompareGroup): number[] {
  const values: number[] = [];
  for (let i = 0; i < group.values.length; i++) for (let k = 0; k < group.counts[i]!; k++) values.push(group.values[i]!);
  return values.sort((x, y) => x - y);
}

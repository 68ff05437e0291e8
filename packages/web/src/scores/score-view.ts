import type { Score, ScoreSummary } from '@spoor/model';

/**
 * Scores as the dashboard shows them: which belong to the trace and which to a span, a score's
 * value in words, the signed-in person's own thumbs vote, and one cell of the trace list per name.
 */

/** The name of a thumbs vote, as the SDK's `feedback()` sends it: label `up` (value 1) or `down` (value 0). */
export const THUMBS = 'thumbs';
export type Thumb = 'up' | 'down';

/** A number as a score shows it: up to three significant decimals, no trailing zeros. */
export function scoreNumberText(value: number): string {
  if (Number.isInteger(value)) return String(value);
  const text = Math.abs(value) >= 100 ? value.toFixed(1) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(2);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** `0.82`, `down`, or `partial · 0.5` when a score has both. */
export function scoreValueText(score: Pick<Score, 'value' | 'label'>): string {
  if (score.label !== null && score.value !== null) return `${score.label} · ${scoreNumberText(score.value)}`;
  if (score.label !== null) return score.label;
  return score.value === null ? '–' : scoreNumberText(score.value);
}

/** The scores of one target: the trace itself (`spanId` null) or one of its spans. */
export function scoresOfTarget(scores: readonly Score[], spanId: string | null): Score[] {
  return scores.filter((s) => s.spanId === spanId && (spanId !== null || s.traceId !== null));
}

/** The person's own thumbs vote on a target (the newest, should a stale copy be held too), or `null`. */
export function ownVote(scores: readonly Score[], author: string, spanId: string | null): Score | null {
  let found: Score | null = null;
  for (const s of scoresOfTarget(scores, spanId)) {
    if (s.name !== THUMBS || s.source !== 'human' || s.author !== author) continue;
    if (found === null || s.time >= found.time) found = s;
  }
  return found;
}

/** Which way a vote points: its label, else its value (1 up, 0 down), else none. */
export function thumbOf(score: Score | null): Thumb | null {
  if (score === null) return null;
  if (score.label === 'up' || score.label === 'down') return score.label;
  return score.value === 1 ? 'up' : score.value === 0 ? 'down' : null;
}

/** `scores` with `score` in its slot: the one with its id replaced, or added at the end (time order). */
export function withScore(scores: readonly Score[], score: Score): Score[] {
  const rest = scores.filter((s) => s.scoreId !== score.scoreId);
  return [...rest, score].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** The score names on a page of traces, sorted: one list column each. */
export function scoreColumnNames(traces: readonly { scores: Record<string, ScoreSummary> }[]): string[] {
  const names = new Set<string>();
  for (const t of traces) for (const name of Object.keys(t.scores)) names.add(name);
  return [...names].sort();
}

/**
 * A list cell: the most frequent label when the name's scores read as labels (a thumbs vote's
 * value is only its label as 1 or 0), with its share unless all agree; else the mean of the
 * values; `–` when none. Ties between labels go to the first in name order.
 */
export function summaryText(summary: ScoreSummary | undefined): string {
  if (summary === undefined || summary.count === 0) return '–';
  if (!isCategorical(summary)) return meanText(summary);
  const [label, n] = labelsByCount(summary)[0]!;
  return n === summary.count ? label : `${label} (${n}/${summary.count})`;
}

/** A list cell's title: how many scores it sums up (`1 score`, `3 scores`), or none for an empty cell. */
export function summaryTitle(summary: ScoreSummary | undefined): string | undefined {
  if (summary === undefined) return undefined;
  return `${summary.count} score${summary.count === 1 ? '' : 's'}`;
}

/**
 * The scores of many targets pooled (a session's runs): each label with its count, most first
 * (`up 3 · down 1`, ties in name order), when the name's scores read as labels; else the mean
 * of the values; `–` when none.
 */
export function pooledText(summary: ScoreSummary | undefined): string {
  if (summary === undefined || summary.count === 0) return '–';
  if (!isCategorical(summary)) return meanText(summary);
  return labelsByCount(summary)
    .map(([label, n]) => `${label} ${n}`)
    .join(' · ');
}

/** Whether a name's scores read as labels: every one has a label (a thumbs vote's value is only its label as 1 or 0), or none has a value. */
function isCategorical(summary: ScoreSummary): boolean {
  const labelled = Object.values(summary.labels).reduce((sum, n) => sum + n, 0);
  return labelled > 0 && (labelled >= summary.count || summary.mean === null);
}

/** Each label with its count, most first, ties in name order. */
export function labelsByCount(summary: ScoreSummary): [string, number][] {
  return Object.entries(summary.labels).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1));
}

const meanText = (summary: ScoreSummary): string => (summary.mean === null ? '–' : scoreNumberText(summary.mean));

/**
 * The trace list's `score=` parameters from what a person typed in the filter box: one filter per
 * word (`faithfulness<0.7 thumbs=down`). The server checks each and names a malformed one.
 */
export function scoreFiltersOf(text: string): string[] {
  return text.trim() === '' ? [] : text.trim().split(/\s+/);
}

/** The body of `POST /api/scores` for a person's thumbs vote on a trace or span, with their comment (blank: none). */
export function voteBody(traceId: string, spanId: string | null, thumb: Thumb, comment: string): Record<string, unknown> {
  const body: Record<string, unknown> = { traceId, name: THUMBS, value: thumb === 'up' ? 1 : 0, label: thumb, source: 'human' };
  if (spanId !== null) body['spanId'] = spanId;
  if (comment.trim() !== '') body['comment'] = comment.trim();
  return body;
}

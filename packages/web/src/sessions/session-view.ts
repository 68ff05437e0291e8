import type { SessionRun, SessionSummary } from '@spoor/model';
import { pooledText, scoreColumnNames, summaryText } from '../scores/score-view';

/** View-model functions of the sessions pages. Pure; tested in session-view.test.ts. */

/** Longest window `GET /api/sessions/:id?hours=` accepts: a year. */
export const MAX_SESSION_HOURS = 8760;
export const DEFAULT_SESSION_HOURS = 24;

/** Windows offered on a session's page, in hours. */
export const SESSION_WINDOWS = [
  { hours: 1, label: 'Last hour' },
  { hours: 6, label: 'Last 6 hours' },
  { hours: 24, label: 'Last 24 hours' },
  { hours: 168, label: 'Last 7 days' },
  { hours: 720, label: 'Last 30 days' },
] as const;

/** Runs oldest first, so a conversation reads top to bottom; equal starts keep a stable order. */
export function runsInTimeOrder(runs: readonly SessionRun[]): SessionRun[] {
  return [...runs].sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime) || a.traceId.localeCompare(b.traceId));
}

/** Input plus output tokens; `null` when neither is known. */
export function totalTokens(item: { inputTokens: number | null; outputTokens: number | null }): number | null {
  if (item.inputTokens === null && item.outputTokens === null) return null;
  return (item.inputTokens ?? 0) + (item.outputTokens ?? 0);
}

/** The tokens of all runs that reported any; `null` when none did. */
export function runsTokens(runs: readonly SessionRun[]): number | null {
  let sum: number | null = null;
  for (const run of runs) {
    const tokens = totalTokens(run);
    if (tokens !== null) sum = (sum ?? 0) + tokens;
  }
  return sum;
}

/** Milliseconds from a session's first record to its last activity. */
export function sessionSpanMs(session: Pick<SessionSummary, 'firstSeen' | 'lastActivity'>): number | null {
  const ms = Date.parse(session.lastActivity) - Date.parse(session.firstSeen);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/**
 * The `hours` a session's page asks for so that every run since `firstSeen` is in it: the session
 * detail's window always ends now, while the list may show a session from days ago.
 */
export function hoursCovering(firstSeen: string, nowMs: number): number {
  const ms = nowMs - Date.parse(firstSeen);
  if (!Number.isFinite(ms)) return DEFAULT_SESSION_HOURS;
  const hours = Math.ceil(ms / 3_600_000) + 1;
  return Math.min(MAX_SESSION_HOURS, Math.max(DEFAULT_SESSION_HOURS, hours));
}

/** `hours` from the URL when the API would accept it, else the default. */
export function hoursFrom(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_SESSION_HOURS;
  const n = Number(value);
  return n > 0 && n <= MAX_SESSION_HOURS ? n : DEFAULT_SESSION_HOURS;
}

/** `Last 3 days` for a window the presets do not name. */
export function windowLabel(hours: number): string {
  const preset = SESSION_WINDOWS.find((w) => w.hours === hours);
  if (preset !== undefined) return preset.label;
  if (hours % 24 === 0) return `Last ${hours / 24} days`;
  return `Last ${hours} hours`;
}

type SessionScores = Pick<SessionSummary, 'scores' | 'traceScores'>;

/** The score names of a page of sessions, their own and their runs', sorted: one list column each. */
export function sessionScoreNames(sessions: readonly SessionScores[]): string[] {
  return scoreColumnNames(sessions.flatMap((s) => [s, { scores: s.traceScores }]));
}

/**
 * A sessions list cell: the runs' scores of the name pooled (the mean, or each label's count),
 * then the session's own as the trace list shows a trace's (`up 2 · down 1 · session: down`).
 */
export function sessionScoreText(session: SessionScores, name: string): string {
  const runs = session.traceScores[name];
  const own = session.scores[name];
  const parts: string[] = [];
  if (runs !== undefined && runs.count > 0) parts.push(pooledText(runs));
  if (own !== undefined && own.count > 0) parts.push(`session: ${summaryText(own)}`);
  return parts.length === 0 ? '–' : parts.join(' · ');
}

/** How many scores a cell stands for: `3 scores of its runs, 1 of the session`. */
export function sessionScoreTitle(session: SessionScores, name: string): string | undefined {
  const runs = session.traceScores[name]?.count ?? 0;
  const own = session.scores[name]?.count ?? 0;
  if (runs === 0 && own === 0) return undefined;
  const parts = [];
  if (runs > 0) parts.push(`${runs} score${runs === 1 ? '' : 's'} of its runs`);
  if (own > 0) parts.push(`${own} of the session`);
  return parts.join(', ');
}

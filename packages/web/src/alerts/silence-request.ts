import type { LabelMatcher, SilenceRequest } from '@spoor/model';

/** Silences made from the alerts page. Pure; tested in silence-request.test.ts. */

/** Durations offered for a new silence, as the API reads them. */
export const SILENCE_DURATIONS = [
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '2h', label: '2 hours' },
  { value: '4h', label: '4 hours' },
  { value: '8h', label: '8 hours' },
  { value: '1d', label: '1 day' },
  { value: '7d', label: '7 days' },
] as const;

export interface SilenceDraft {
  /** The alert's labels the silence must match exactly; an alert has at least `alertname`. */
  labelNames: readonly string[];
  duration: string;
  createdBy: string;
  comment: string;
}

/**
 * The `POST /api/alerts/silences` body that silences alerts carrying the chosen labels of
 * `labels` with the same values (equality matchers, sorted by label name). Names not among
 * `labels` are ignored; an empty comment is left out.
 */
export function silenceRequestFor(labels: Record<string, string>, draft: SilenceDraft): SilenceRequest {
  const matchers: LabelMatcher[] = draft.labelNames
    .filter((name) => Object.hasOwn(labels, name))
    .sort()
    .map((name) => ({ name, op: '=', value: labels[name] ?? '' }));
  const request: SilenceRequest = { matchers, duration: draft.duration, createdBy: draft.createdBy.trim() };
  const comment = draft.comment.trim();
  if (comment !== '') request.comment = comment;
  return request;
}

/** Why the draft cannot be sent yet, or `null`: the API would refuse it too, with a longer message. */
export function silenceDraftProblem(draft: SilenceDraft): string | null {
  if (draft.labelNames.length === 0) return 'Choose at least one label to match.';
  if (draft.createdBy.trim() === '') return 'Say who silences, so others can ask.';
  return null;
}

/** `service="rag"`, `name=~"retr.*"`: a matcher as Alertmanager writes it. */
export function matcherText(matcher: LabelMatcher): string {
  return `${matcher.name}${matcher.op}${JSON.stringify(matcher.value)}`;
}

/** Whether a silence is about a rule: it matches the rule's `alertname` exactly. */
export function silenceNamesRule(matchers: readonly LabelMatcher[], rule: string): boolean {
  return matchers.some((m) => m.name === 'alertname' && m.op === '=' && m.value === rule);
}

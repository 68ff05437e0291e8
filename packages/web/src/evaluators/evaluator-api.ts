/**
 * The shapes of `/api/evaluators*` answers the page reads (README "Evaluators"), as the server's
 * `@spoor/model` declares them.
 */
export interface EvaluatorView {
  name: string;
  version: number;
  author: string;
  spec: Record<string, unknown> & { kind: string; target: string };
  state: 'active' | 'paused';
  pausedReason: string | null;
  /** `file`: from the `--evaluators` file, read-only through the API. */
  source: 'api' | 'file';
  createdAt: string;
  updatedAt: string;
  scoresMade: number;
  errors: number;
  costTodayUsd: number;
}

export interface PreviewItem {
  traceId: string;
  spanId: string | null;
  value: number | null;
  label: string | null;
  comment: string | null;
  costUsd: number;
  error: string | null;
}

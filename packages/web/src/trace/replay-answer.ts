import type { ChatMessage } from '@spoor/model';

/** One call's side as `POST /api/replay` (and the playground's run) answers it: its model, usage, cost, time and completion. */
export interface ReplaySide {
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  durationMs: number;
  completion: ChatMessage[];
}

/** `POST /api/replay`'s answer. */
export interface ReplayAnswer {
  replay: { traceId: string; spanId: string; provider: string };
  original: ReplaySide;
  result: ReplaySide;
  deltas: { inputTokens: number | null; outputTokens: number | null; costUsd: number | null; durationMs: number | null };
  links: { trace: string; compare: string };
}

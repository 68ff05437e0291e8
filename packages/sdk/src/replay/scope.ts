import { context, createContextKey, type Context, type Span } from '@opentelemetry/api';
import { runtime } from '../runtime.js';
import type { ReplaySession } from './session.js';

/**
 * Replay sessions scoped to an async context: an experiment runs several items at once, each
 * under the recording of its own source trace. The session rides in the OpenTelemetry context, so
 * every span and call started inside an item's task (across `await`s) finds that item's session;
 * outside one, the process-wide `init({ replay })` session (if any) answers.
 */
const REPLAY_SESSION_KEY = createContextKey('spoor.replay.session');

/**
 * Scoped sessions open now. The span processor looks in a span's context for a session only
 * while one is open, so an app that runs no experiment pays one number compare per span.
 */
let open = 0;

/** Whether any scoped session is open: the span processor's guard. */
export function scopedReplayOpen(): boolean {
  return open > 0;
}

/** The session scoped to `ctx`, if any (not the process-wide one). */
export function scopedReplayIn(ctx: Context): ReplaySession | undefined {
  return ctx.getValue(REPLAY_SESSION_KEY) as ReplaySession | undefined;
}

/** The session that answers a call started in `ctx`: the scoped one, else `init({ replay })`'s. */
export function replaySessionFor(ctx: Context): ReplaySession | undefined {
  return (open > 0 ? scopedReplayIn(ctx) : undefined) ?? runtime.replay;
}

/** `ctx` with `session` scoped to it. */
export function withReplaySession(ctx: Context, session: ReplaySession): Context {
  return ctx.setValue(REPLAY_SESSION_KEY, session);
}

/**
 * Runs `fn` with a scoped session counted open until the promise it returns settles, so the span
 * processor looks for sessions only while one may be found.
 */
export async function whileScoped<T>(fn: () => Promise<T>): Promise<T> {
  open++;
  try {
    return await fn();
  } finally {
    open--;
  }
}

/**
 * Runs `fn` inside the active span `root` (an experiment's item span) with `session` scoped to it:
 * the spans `fn` starts are placed under `root` as the recorded run's roots were, and its calls are
 * answered by `session`.
 */
export function runWithReplaySession<T>(session: ReplaySession, root: Span, fn: () => Promise<T>): Promise<T> {
  session.transparentRoot(root);
  const scoped = withReplaySession(context.active(), session);
  return whileScoped(() => context.with(scoped, fn));
}

import { context, trace, type Attributes } from '@opentelemetry/api';
import { EXPERIMENT_ATTRIBUTES, type JsonValue } from '@spoor/model';
import { runWithReplaySession } from '../replay/scope.js';
import { REPLAY_OF_ATTRIBUTE, type ReplaySession } from '../replay/session.js';
import { runtime } from '../runtime.js';
import { FORCE_ATTRIBUTE } from '../sampling/sampler.js';
import { runInSpan } from '../trace/run-in-span.js';
import { countsOf, type ItemReplayCounts } from './item-replay.js';

/** Span attributes of an item's root: the calls its recording answered, and those made live. */
export const ITEM_REPLAYED_ATTRIBUTE = 'spoor.replay.replayed';
export const ITEM_LIVE_ATTRIBUTE = 'spoor.replay.live';

/** One item's run: its trace, what the task answered or threw, how long it took, how its calls went. */
export interface ItemRun {
  traceId: string;
  /** What the task returned, as JSON (`null` for nothing); `null` when it threw. */
  output: JsonValue | null;
  /** The thrown error's message, `null` when the task returned. */
  error: string | null;
  latencyMs: number;
  replay: ItemReplayCounts | null;
}

/**
 * Runs one item's task as a trace of its own: a root span `experiment <name>` (kept whatever the
 * sample rate) tagged with the experiment and item ids, and, with a session, linked to the
 * recording it replays; the task runs inside it under that session. Never rejects: a task that
 * throws (or rejects) is an errored item.
 */
export async function runItem(
  experimentName: string,
  ids: { experimentId: string; itemId: string },
  session: ReplaySession | undefined,
  task: () => unknown,
): Promise<ItemRun> {
  const attributes: Attributes = { [EXPERIMENT_ATTRIBUTES.id]: ids.experimentId, [EXPERIMENT_ATTRIBUTES.item]: ids.itemId, [FORCE_ATTRIBUTE]: true };
  if (session !== undefined && session.config.traceId !== '') attributes[REPLAY_OF_ATTRIBUTE] = session.config.traceId;
  const parent = trace.deleteSpan(context.active());
  const span = runtime.tracer.startSpan(`experiment ${experimentName}`, { attributes }, parent);
  // A sync throw becomes a rejection, so every failure is handled in one place.
  const run = (): Promise<unknown> => Promise.resolve().then(task);
  const began = performance.now();
  let output: JsonValue | null = null;
  let error: string | null = null;
  try {
    const value = await runInSpan(
      span,
      parent,
      () => (session === undefined ? run() : runWithReplaySession(session, span, run)),
      (ended) => {
        if (session === undefined) return;
        const counts = countsOf(session);
        ended.setAttributes({ [ITEM_REPLAYED_ATTRIBUTE]: counts.replayed, [ITEM_LIVE_ATTRIBUTE]: counts.live });
      },
    );
    output = jsonOf(value);
  } catch (thrown) {
    error = messageOf(thrown);
  }
  const latencyMs = performance.now() - began;
  return { traceId: span.spanContext().traceId, output, error, latencyMs, replay: session === undefined ? null : countsOf(session) };
}

/** A task's answer as JSON: what `JSON.stringify` keeps of it, or its text when it cannot be (a cycle, a bigint). */
export function jsonOf(value: unknown): JsonValue | null {
  if (value === undefined) return null;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? null : (JSON.parse(json) as JsonValue);
  } catch {
    return String(value);
  }
}

/** An error's message (its text when something other than an Error was thrown). */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  try {
    return String(thrown);
  } catch {
    return 'the task threw a value that has no text';
  }
}

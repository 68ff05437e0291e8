import { describeChanges, type RequestChange } from './diff.js';

/** Why a replay could not start or go on; `code` names the case, the message says how to fix it. */
export type ReplayErrorCode = 'not_found' | 'unauthorized' | 'unreachable' | 'unreadable' | 'no_recorded_calls' | 'not_replayable';

/**
 * A replay that cannot run as asked: the trace is not on the server, the key may not read it, or
 * it holds nothing to replay. Every call that would have been replayed fails with it, so a test
 * says why instead of quietly calling out.
 */
export class ReplayError extends Error {
  override name = 'ReplayError';
  constructor(
    readonly code: ReplayErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`spoor replay: ${message}`, options);
  }
}

/** Why a call did not match its recording: the request changed, or no call was recorded there. */
export type DivergenceReason = 'changed' | 'unrecorded';

/** What a divergence says; see {@link ReplayDivergence}. */
export interface DivergenceDetails {
  /** The recorded trace being replayed. */
  traceId: string;
  /** Names of the spans around the call, from the root, e.g. `agent > tool-call`. */
  stepPath: string;
  /** The call's place among the replayable calls under `stepPath`, from 0. */
  position: number;
  /** `llm` for a client call, `tool` for a `traced` function with `captureArgs`. */
  kind: 'llm' | 'tool';
  /** The span name of the call now, e.g. `chat gpt-4o-mini` or `get_weather`. */
  spanName: string;
  reason: DivergenceReason;
  /** The recorded span at this place, if any. */
  recordedSpanId: string | undefined;
  /** Field by field, what differs from the recorded request (masked as the trace keeps it). */
  changes: RequestChange[];
}

/**
 * A replayed call that does not match the recorded run: the code or the prompt changed. It names
 * the step and shows what changed, e.g.
 *
 *     call #0 under "agent > tool-call" (chat gpt-4o-mini) differs from trace 4bf9…:
 *       messages[0].parts[0].content: "Weather in Paris?" → "Weather in Rome?"
 *
 * Thrown into the app (the call rejects with it) unless the replay was started with
 * `passthrough: true`, which makes the call live instead and reports the divergence through
 * `onDivergence` and `getReplayReport()`.
 */
export class ReplayDivergence extends Error implements DivergenceDetails {
  override name = 'ReplayDivergence';
  readonly traceId: string;
  readonly stepPath: string;
  readonly position: number;
  readonly kind: 'llm' | 'tool';
  readonly spanName: string;
  readonly reason: DivergenceReason;
  readonly recordedSpanId: string | undefined;
  readonly changes: RequestChange[];

  constructor(details: DivergenceDetails) {
    super(divergenceMessage(details));
    this.traceId = details.traceId;
    this.stepPath = details.stepPath;
    this.position = details.position;
    this.kind = details.kind;
    this.spanName = details.spanName;
    this.reason = details.reason;
    this.recordedSpanId = details.recordedSpanId;
    this.changes = details.changes;
  }
}

function divergenceMessage(d: DivergenceDetails): string {
  const where = `call #${d.position} under "${d.stepPath || '(root)'}" (${d.spanName})`;
  if (d.reason === 'unrecorded') return `spoor replay: ${where} was not in trace ${d.traceId}: the code makes a call the recorded run did not`;
  return `spoor replay: ${where} differs from trace ${d.traceId}:\n${describeChanges(d.changes)}`;
}

/**
 * A replayed call whose recording failed: the replay fails the same way, with the recorded
 * `error.type` (e.g. `rate_limit`, `timeout`, `5xx`) and message.
 */
export class ReplayedFailure extends Error {
  override name = 'ReplayedFailure';
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(`spoor replay: the recorded call failed (${type}): ${message}`);
  }
}

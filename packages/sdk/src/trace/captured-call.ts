import type { Context, Span } from '@opentelemetry/api';
import { MAX_CONTENT_LENGTH } from '../llm/content.js';
import { TOOL_ASYNC_ATTRIBUTE, TOOL_RESULT_ATTRIBUTE, type ToolEntry } from '../replay/cassette.js';
import { ReplayedFailure } from '../replay/errors.js';
import { CALL_SEQUENCE_ATTRIBUTE, nextCallSequence, REQUEST_HASH_ATTRIBUTE, requestHash } from '../replay/hash.js';
import { decided } from '../replay/mark.js';
import type { ReplaySession } from '../replay/session.js';
import { warnOnce } from '../runtime.js';
import { capturedJson } from './capture.js';

// A `traced` function with `captureArgs` is a tool call as far as replay goes: its arguments are
// hashed and its result recorded whole (up to 32 KiB), so a replay can answer for it.

/** Spans of calls that returned a generator: their steps are not a result a replay could return. */
const generatorSpans = new WeakSet<Span>();

/** Records the arguments (`input.value`, 4 KiB) and their hash as the call starts. */
export function recordArguments(span: Span, args: unknown[]): void {
  if (!span.isRecording()) return;
  span.setAttribute('input.value', capturedJson(args));
  span.setAttribute(REQUEST_HASH_ATTRIBUTE, requestHash(args));
  span.setAttribute(CALL_SEQUENCE_ATTRIBUTE, nextCallSequence());
}

/** Records the result as `output.value` (4 KiB, to read) and `spoor.tool.result` (32 KiB, to replay). */
export function recordResult(span: Span, failed: boolean, result: unknown): void {
  if (failed || !span.isRecording()) return;
  if (result !== undefined) span.setAttribute('output.value', capturedJson(result));
  if (!generatorSpans.has(span)) span.setAttribute(TOOL_RESULT_ATTRIBUTE, capturedJson(result, MAX_CONTENT_LENGTH));
}

/** Calls the function and notes what kind of thing it returned, so a replay returns the same kind. */
export function callNoted(span: Span, call: () => unknown): unknown {
  const result = call();
  if (result instanceof Promise) span.setAttribute(TOOL_ASYNC_ATTRIBUTE, true);
  else if (isIterator(result)) generatorSpans.add(span);
  return result;
}

/**
 * The call under replay: the recorded result (a resolved promise when the recorded call returned
 * one), the recorded failure, a divergence, or, with `passthrough` or nothing recorded, the live
 * call. A sync function called before the recording has arrived cannot wait for it, so it runs
 * live, with one warning.
 */
export function replayedTool(session: ReplaySession, span: Span, name: string, args: unknown[], parent: Context, fn: unknown, call: () => unknown): unknown {
  const position = session.claim(parent);
  const hash = requestHash(args);
  const async = isAsyncFunction(fn);
  const answer = (): unknown => {
    try {
      return answerFrom(
        session,
        span,
        decided(span, session, () => session.decide(position, 'tool', name, hash, () => ({ arguments: fullJson(args) }))),
        call,
      );
    } catch (error) {
      if (async) return Promise.reject(error);
      throw error;
    }
  };
  if (session.state !== 'loading') return answer();
  if (async) return session.ready.then(answer);
  warnOnce(
    'replay-sync-before-load',
    `replay: '${name}' is a sync function called before the recorded trace arrived, so it ran live; await whenReplayLoaded() first to replay it`,
  );
  session.wentLive(undefined);
  return callNoted(span, call);
}

function answerFrom(session: ReplaySession, span: Span, decision: ReturnType<ReplaySession['decide']>, call: () => unknown): unknown {
  if (decision.kind === 'live') return callNoted(span, call);
  const entry = decision.entry as ToolEntry;
  if (entry.failure !== undefined) {
    const failure = new ReplayedFailure(entry.failure.type, entry.failure.message);
    if (entry.async) return Promise.reject(failure);
    throw failure;
  }
  // `decide` replays only an entry with a result or a failure.
  const value = entry.result!.value;
  if (entry.async) span.setAttribute(TOOL_ASYNC_ATTRIBUTE, true);
  return entry.async ? Promise.resolve(value) : value;
}

function fullJson(value: unknown): unknown {
  return JSON.parse(capturedJson(value, Number.MAX_SAFE_INTEGER)) as unknown;
}

function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && fn.constructor.name === 'AsyncFunction';
}

function isIterator(value: unknown): boolean {
  const tag = (value as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag];
  return tag === 'Generator' || tag === 'AsyncGenerator';
}

import type { Context, Span } from '@opentelemetry/api';
import type { LlmEntry } from '../replay/cassette.js';
import { ReplayedFailure } from '../replay/errors.js';
import { requestHash } from '../replay/hash.js';
import { ReplayPromise, ReplayStream } from '../replay/replay-promise.js';
import { decided } from '../replay/mark.js';
import type { ReplaySession } from '../replay/session.js';
import { capturedJson } from '../trace/capture.js';
import type { LlmMethod, LlmRequest } from './method.js';
import type { LlmReplay } from './replay-shapes.js';
import { callName } from './semconv.js';

/** The parts of an LLM call in flight a replay needs: its span and request. */
interface ReplayableCall {
  readonly span: Span;
  readonly request: LlmRequest;
}

/**
 * Answers one LLM call from the replayed recording. The call's place is taken now, while the app
 * is still calling in order; the answer waits for the cassette, then is the recorded response (or
 * stream) rebuilt in the provider's shapes, the recorded failure, a {@link ReplayDivergence}, or,
 * with `passthrough`, the live call.
 */
export function replayedCall(
  session: ReplaySession,
  method: LlmMethod,
  replay: LlmReplay,
  call: ReplayableCall,
  body: Record<string, unknown>,
  parent: Context,
  live: () => unknown,
): ReplayPromise<unknown> {
  const position = session.claim(parent);
  const hash = requestHash(body);
  const spanName = callName(method.operation, call.request.model);
  const data = session.ready.then(() => {
    const decision = decided(call.span, session, () => session.decide(position, 'llm', spanName, hash, () => requestAsRecorded(method, body)));
    if (decision.kind === 'live') return live();
    const entry = decision.entry as LlmEntry;
    if (entry.failure !== undefined) throw new ReplayedFailure(entry.failure.type, entry.failure.message);
    // `decide` replays only an entry with an output or a failure.
    const output = entry.output!;
    return call.request.stream ? new ReplayStream(replay.stream(output, call.request)) : replay.response(output, call.request);
  });
  return new ReplayPromise(data, replay.requestIdHeader);
}

/**
 * The request in the form a trace keeps it (GenAI request attributes, system instructions and
 * input messages, masked), so its diff with the recording compares like with like.
 */
function requestAsRecorded(method: LlmMethod, body: Record<string, unknown>): unknown {
  const request = method.request(body, true);
  const shape: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.attributes)) {
    if (key.startsWith('gen_ai.request.') && key !== 'gen_ai.request.stream') shape[key.slice('gen_ai.request.'.length)] = value;
  }
  if (request.model !== undefined) shape.model = request.model;
  if (request.systemInstructions !== undefined) shape.system = request.systemInstructions;
  shape.messages = request.inputMessages;
  return JSON.parse(capturedJson(shape, Number.MAX_SAFE_INTEGER)) as unknown;
}

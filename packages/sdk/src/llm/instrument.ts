import { context } from '@opentelemetry/api';
import { runtime } from '../runtime.js';
import { LlmCall } from './call.js';
import type { ClientInfo, LlmMethod } from './method.js';
import { replayedCall } from './replay-call.js';
import { replaySessionFor } from '../replay/scope.js';

const INSTRUMENTED = Symbol.for('spoor.llm.instrumented');

type Method = ((this: unknown, ...args: unknown[]) => unknown) & { [INSTRUMENTED]?: true };

/**
 * Replaces `resource[name]` (e.g. `client.chat.completions.create`) on that instance with one that
 * makes each call a GenAI span. Idempotent. The replacement calls the original with the same
 * `this` and arguments, and returns what it returns, so helpers built on the method
 * (`messages.stream()`, `chat.completions.parse()`) are covered too.
 */
export function instrumentMethod(resource: unknown, name: string, method: LlmMethod, client: ClientInfo): void {
  if (typeof resource !== 'object' || resource === null) return;
  const target = resource as Record<string, unknown>;
  const original = target[name] as Method | undefined;
  if (typeof original !== 'function' || original[INSTRUMENTED]) return;
  const instrumented: Method = function (this: unknown, ...args: unknown[]): unknown {
    const body = args[0];
    if (runtime.off || typeof body !== 'object' || body === null) return original.apply(this, args);
    const parent = context.active();
    const call = LlmCall.start(method, body as Record<string, unknown>, client);
    if (call === undefined) return original.apply(this, args);
    args[0] = call.request.body;
    const session = replaySessionFor(parent);
    if (session !== undefined && method.replay !== undefined) {
      const live = () => context.with(call.active, () => original.apply(this, args));
      return call.observe(replayedCall(session, method, method.replay, call, body as Record<string, unknown>, parent, live));
    }
    let result: unknown;
    try {
      result = context.with(call.active, () => original.apply(this, args));
    } catch (error) {
      call.fail(error);
      throw error;
    }
    return call.observe(result);
  };
  instrumented[INSTRUMENTED] = true;
  target[name] = instrumented;
}

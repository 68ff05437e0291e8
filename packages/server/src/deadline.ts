/**
 * One deadline for a whole call to an outside service (an LLM provider for a replay, and the
 * judges and experiments that will call providers too): headers, body, and whatever the client
 * does after. The `openai` and `@anthropic-ai/sdk` clients stop their own timeout once the headers
 * arrive, so a provider that answered at once and then sent a byte a second kept a replay with
 * `timeout=5s` open past 120 s.
 */

/** The deadline passed before the call settled. */
export class DeadlineError extends Error {
  override name = 'DeadlineError';

  constructor(readonly timeoutMs: number) {
    super(`the call did not finish within ${timeoutMs} ms`);
  }
}

/**
 * Runs `call` and settles within `timeoutMs` whatever it does: with its result, its error, or a
 * `DeadlineError`. The signal given to `call` aborts at the deadline; pass it to the client, so
 * its request (headers and body) is torn down rather than left to finish unheard.
 */
export async function withDeadline<T>(timeoutMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineError(timeoutMs);
      reject(error);
      controller.abort(error);
    }, timeoutMs);
    timer.unref();
  });
  try {
    // The race answers even when a client ignores the signal; `call`'s later rejection is the
    // race's to swallow.
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

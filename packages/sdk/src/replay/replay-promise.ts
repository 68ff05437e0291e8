/**
 * What an instrumented client method returns for a replayed call: a `Promise` (so `await`,
 * `instanceof Promise` and the SDK's own span helpers treat it as the real `APIPromise`) with the
 * helpers the provider SDKs' own code calls on it: `withResponse()` (`messages.stream()` uses it),
 * `asResponse()`, and `_thenUnwrap()` (`chat.completions.parse()` uses it).
 */
export class ReplayPromise<T> extends Promise<T> {
  // `then` on the parent class would build new ReplayPromises through this constructor.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /** The answer; named as on `APIPromise`, where the instrumentation watches it for failures. */
  readonly responsePromise: Promise<T>;
  parsedPromise: Promise<T> | undefined;

  constructor(
    data: Promise<T>,
    private readonly requestIdHeader: string,
  ) {
    super((resolve) => resolve(undefined as T));
    this.responsePromise = data;
    // A failure reaches whoever awaits; a caller that only asked for the raw response must not
    // see it as unhandled.
    data.catch(() => undefined);
  }

  parse(): Promise<T> {
    return (this.parsedPromise ??= this.responsePromise);
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.parse().then(onfulfilled, onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.parse().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.parse().finally(onfinally);
  }

  /** A stand-in HTTP response: status 200 and a request id saying the answer was replayed. */
  asResponse(): Promise<Response> {
    return this.responsePromise.then(() => this.response());
  }

  async withResponse(): Promise<{ data: T; response: Response; request_id: string }> {
    const data = await this.parse();
    return { data, response: this.response(), request_id: 'replayed' };
  }

  _thenUnwrap<U>(transform: (data: T) => U): ReplayPromise<U> {
    return new ReplayPromise(this.responsePromise.then(transform), this.requestIdHeader);
  }

  private response(): Response {
    return new Response(null, { status: 200, headers: { [this.requestIdHeader]: 'replayed', 'content-type': 'application/json' } });
  }
}

/**
 * A replayed stream: the provider's events, rebuilt from the recording, iterated like the SDKs'
 * `Stream` (with the `controller` their helpers abort through).
 */
export class ReplayStream<E> implements AsyncIterable<E> {
  readonly controller = new AbortController();

  constructor(private readonly events: readonly E[]) {}

  async *[Symbol.asyncIterator](): AsyncIterator<E> {
    for (const event of this.events) {
      if (this.controller.signal.aborted) return;
      yield event;
    }
  }
}

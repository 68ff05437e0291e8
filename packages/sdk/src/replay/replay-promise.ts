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
 * A replayed stream: the provider's events, rebuilt from the recording, read like the SDKs'
 * `Stream`: `for await`, `tee()`, `toReadableStream()`, and the `controller` their helpers abort
 * through. Every reader goes through `[Symbol.asyncIterator]`, which the instrumentation wraps to
 * follow the stream.
 */
export class ReplayStream<E> implements AsyncIterable<E> {
  readonly controller: AbortController;
  private readonly iterate: () => AsyncIterator<E>;

  constructor(events: readonly E[], controller = new AbortController(), iterate?: () => AsyncIterator<E>) {
    this.controller = controller;
    this.iterate = iterate ?? (() => eventsOf(events, controller.signal));
  }

  [Symbol.asyncIterator](): AsyncIterator<E> {
    return this.iterate();
  }

  /** Two streams of the same events, read independently, as `Stream.tee()` gives. */
  tee(): [ReplayStream<E>, ReplayStream<E>] {
    const source = this[Symbol.asyncIterator]();
    const queues: Promise<IteratorResult<E>>[][] = [[], []];
    const reader = (mine: Promise<IteratorResult<E>>[]): AsyncIterator<E> => ({
      next: () => {
        if (mine.length === 0) {
          const item = source.next();
          for (const queue of queues) queue.push(item);
        }
        return mine.shift()!;
      },
    });
    return [new ReplayStream<E>([], this.controller, () => reader(queues[0]!)), new ReplayStream<E>([], this.controller, () => reader(queues[1]!))];
  }

  /** The events as newline-delimited JSON bytes, as `Stream.toReadableStream()` gives. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    let iterator: AsyncIterator<E> | undefined;
    return new ReadableStream<Uint8Array>({
      start: () => {
        iterator = this[Symbol.asyncIterator]();
      },
      pull: async (controller) => {
        const item = await iterator!.next();
        if (item.done === true) controller.close();
        else controller.enqueue(encoder.encode(`${JSON.stringify(item.value)}\n`));
      },
      cancel: async () => {
        await iterator?.return?.();
      },
    });
  }
}

async function* eventsOf<E>(events: readonly E[], signal: AbortSignal): AsyncGenerator<E> {
  for (const event of events) {
    if (signal.aborted) return;
    yield event;
  }
}

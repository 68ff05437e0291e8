import type { ChunkReader } from './method.js';

/** A streamed response of the Stainless SDKs (openai, @anthropic-ai/sdk), or any async iterable. */
export interface IterableStream {
  iterator?: () => AsyncIterator<unknown>;
  controller?: { signal?: AbortSignal };
  [Symbol.asyncIterator]: () => AsyncIterator<unknown>;
}

/** What following a stream tells the call it belongs to. */
export interface StreamListener {
  /** A chunk of generated content arrived (the first one stops the time-to-first-chunk clock). */
  output(): void;
  /** The stream is over: finished, or `abandoned` when the app stopped early or aborted it. */
  end(abandoned: boolean): void;
  /** The stream failed. */
  fail(error: unknown): void;
}

/** True for something the app can `for await` over. */
export function isIterableStream(value: unknown): value is IterableStream {
  return typeof (value as IterableStream | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Wraps the stream's iterator in place, so the app, `tee()` and `toReadableStream()` all read
 * through it and get the very same chunks; each chunk goes through `reader`, and `listener`
 * hears when the stream ends.
 */
export function followStream(stream: IterableStream, reader: ChunkReader, listener: StreamListener): void {
  if (typeof stream.iterator === 'function') {
    const iterate = stream.iterator;
    stream.iterator = () => followed(iterate.call(stream), reader, listener, stream);
    return;
  }
  const iterate = stream[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: () => followed(iterate.call(stream), reader, listener, stream),
  });
}

function followed(
  inner: AsyncIterator<unknown>,
  reader: ChunkReader,
  listener: StreamListener,
  stream: IterableStream,
): AsyncIterator<unknown> & AsyncIterable<unknown> {
  const next = (): Promise<IteratorResult<unknown>> =>
    inner.next().then(
      (item) => {
        if (item.done) {
          // `stream.controller.abort()` ends the Stainless iterator quietly, as if complete.
          listener.end(stream.controller?.signal?.aborted === true);
          return item;
        }
        let seen: ReturnType<ChunkReader['read']>;
        try {
          seen = reader.read(item.value);
        } catch {
          seen = undefined;
        }
        if (seen === 'hide') return next();
        if (seen === 'output') listener.output();
        return item;
      },
      (error: unknown) => {
        listener.fail(error);
        throw error;
      },
    );
  const outer = {
    next,
    // The app stopped early (`break`): the call is over as far as it is concerned.
    return: (value?: unknown): Promise<IteratorResult<unknown>> => {
      listener.end(true);
      return inner.return !== undefined ? inner.return(value) : Promise.resolve({ done: true as const, value });
    },
    throw: (error?: unknown): Promise<IteratorResult<unknown>> => {
      listener.fail(error);
      return inner.throw !== undefined ? inner.throw(error) : Promise.reject(error);
    },
    [Symbol.asyncIterator]: () => outer,
  };
  return outer;
}

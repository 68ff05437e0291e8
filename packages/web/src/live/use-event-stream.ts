import { useEffect, useRef } from 'react';

/** What a stream's named events are given: the event's `data` text. */
export type StreamHandlers = Readonly<Record<string, (data: string) => void>>;

/** First wait before opening again a stream the server refused (a 503 when full, say), doubled up to `MAX_RETRY_MS`. */
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 30_000;

/**
 * Listens to a Server-Sent Events stream of the API (the session cookie goes with it, as with
 * every same-origin request) while `url` is not `null`, calling `handlers[name]` with each
 * `event: name`'s data. A dropped connection is resumed by the browser itself with
 * `Last-Event-ID`; a refused one (any non-stream answer closes an `EventSource` for good) is opened
 * again after a while with `after=` the last event id, so it too resumes where it was. Handlers are
 * read when an event arrives, so they may change on every render without reopening the stream.
 * `onError` is told of every failure (a refused stream, a dropped connection).
 */
export function useEventStream(url: string | null, handlers: StreamHandlers, onError?: () => void): void {
  const current = useRef(handlers);
  const failed = useRef(onError);
  useEffect(() => {
    current.current = handlers;
    failed.current = onError;
  });
  useEffect(() => {
    if (url === null) return;
    let source: EventSource | null = null;
    let lastEventId = '';
    let retryMs = FIRST_RETRY_MS;
    let retry: number | undefined;
    const open = (): void => {
      source = new EventSource(lastEventId === '' ? url : withAfter(url, lastEventId));
      for (const name of Object.keys(current.current)) {
        source.addEventListener(name, (event) => {
          const message = event as MessageEvent<string>;
          if (message.lastEventId !== '') lastEventId = message.lastEventId;
          retryMs = FIRST_RETRY_MS;
          current.current[name]?.(message.data);
        });
      }
      source.onerror = () => {
        failed.current?.();
        // CONNECTING: the browser reconnects by itself with Last-Event-ID. CLOSED: it gave up.
        if (source?.readyState !== EventSource.CLOSED) return;
        source = null;
        retry = window.setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      };
    };
    open();
    return () => {
      window.clearTimeout(retry);
      source?.close();
    };
  }, [url]);
}

/** `url` with its `after` parameter set to `id`, its other parameters kept. */
function withAfter(url: string, id: string): string {
  const [path = '', query = ''] = url.split('?', 2);
  const search = new URLSearchParams(query);
  search.set('after', id);
  return `${path}?${search.toString()}`;
}

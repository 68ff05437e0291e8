import type { ServerResponse } from 'node:http';
import { SSE_HEADERS, sseText } from '../http/event-stream.js';

/**
 * One Server-Sent Events answer, written straight to the socket. A viewer whose socket does not
 * drain is dropped, never buffered without bound: its EventSource reconnects with the last event
 * id it got and the stream resumes there.
 */
export interface SseSink {
  /** Sends an event; `false` when the viewer has stopped reading (the stream is then closed). */
  event(event: SseEvent): boolean;
  /** Sends a comment line (a keepalive); `false` as for `event`. */
  comment(text: string): boolean;
  /** Ends the answer. */
  close(): void;
  /** Whether the answer has ended (closed here, or by the client). */
  readonly closed: boolean;
}

/**
 * An event as it goes on the wire, encoded once: viewers at one cursor are sent the same bytes.
 * Written as text for each of 50 viewers, every event was joined and encoded to UTF-8 50 times.
 */
export interface SseEvent {
  readonly name: string;
  readonly id: string;
  readonly data: string;
  readonly bytes: Buffer;
}

/** `data` is one line of JSON (no newline: JSON.stringify writes none). */
export function sseEvent(name: string, id: string, data: string): SseEvent {
  return { name, id, data, bytes: Buffer.from(sseText(name, id, data)) };
}

/** How long a browser waits before it reconnects a dropped stream. */
const RETRY_MS = 1000;

/**
 * Starts an event stream on `res`; `onClose` is told once when it ends, whoever ends it. A
 * viewer is dropped when more than `maxBufferedBytes` still wait in its socket as the next write
 * comes: at 1 MiB, some seconds of a trace receiving 1,000 spans a second (~300 bytes a span).
 * What waits before a write is what the viewer did not read since; one event larger than the
 * limit is no sign of that: a viewer back from a disconnect catches up with one event of every
 * span it missed (3 MB after 2 s away at 5,000 spans/s) and, dropped for its size, came back
 * to the same event again and again: bench:live, 50 viewers of 5,000 spans/s, had 355 reconnects
 * and 75% of (request, viewer) pairs never received when the size of a write counted; none of
 * either since.
 */
export function openSse(res: ServerResponse, maxBufferedBytes: number, onClose: () => void): SseSink {
  let closed = false;
  const end = (): void => {
    if (closed) return;
    closed = true;
    onClose();
  };
  res.on('close', end);
  res.writeHead(200, SSE_HEADERS);
  res.write(`retry: ${RETRY_MS}\n\n`);
  const write = (text: string | Buffer): boolean => {
    if (closed) return false;
    if (res.writableLength > maxBufferedBytes) {
      // Not drained: the viewer reconnects and resumes from its last event id.
      res.destroy();
      end();
      return false;
    }
    res.write(text);
    return true;
  };
  return {
    event: (event) => write(event.bytes),
    comment: (text) => write(`: ${text}\n\n`),
    close: () => {
      if (closed) return;
      res.end();
      end();
    },
    get closed() {
      return closed;
    },
  };
}

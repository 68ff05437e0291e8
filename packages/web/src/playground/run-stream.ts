import type { ApiErrorBody } from '@spoor/model';
import { ApiError, SIGNED_OUT_EVENT } from '../api';

/**
 * A run (`POST /api/replay`, `POST /api/playground/run`) asked for as Server-Sent Events, so the
 * completion shows as the provider writes it: `delta` events carry its text, then `result` the
 * answer the JSON request would have had, or `error` the API's error. `EventSource` only GETs,
 * so the stream is read from `fetch`'s body.
 */

/** One event of a stream: its name and its data (the `data:` lines joined). */
export interface StreamEvent {
  name: string;
  data: string;
}

/**
 * Splits what has arrived of an event stream into whole events and the rest (an event not yet
 * ended by its blank line), to be read again with what comes next.
 */
export function readEvents(buffered: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffered.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ name, data: data.join('\n') });
  }
  return { events, rest };
}

/**
 * POSTs `body` to `path` and reads the answer as it streams: each `delta`'s text to `onText`,
 * resolving with the `result`. A refusal before the stream (a 400, a provider this server lacks)
 * and an `error` event both throw an `ApiError`; `signal` stops the run (the server then cancels
 * the provider's call and stores nothing).
 */
export async function postStreamed<T>(path: string, body: unknown, onText: (text: string) => void, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (response.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!response.ok || response.body === null) throw await refusal(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const { events, rest } = readEvents(buffered + value);
    buffered = rest;
    for (const event of events) {
      if (event.name === 'delta') onText((JSON.parse(event.data) as { text: string }).text);
      else if (event.name === 'result') return JSON.parse(event.data) as T;
      else if (event.name === 'error') {
        const { error } = JSON.parse(event.data) as ApiErrorBody;
        throw new ApiError(response.status, error.code, error.message);
      }
    }
  }
  throw new ApiError(response.status, 'ERR_HTTP', 'the run ended before its answer arrived');
}

async function refusal(response: Response): Promise<ApiError> {
  try {
    const { error } = (await response.json()) as ApiErrorBody;
    return new ApiError(response.status, error.code, error.message);
  } catch {
    return new ApiError(response.status, 'ERR_HTTP', `${response.status} ${response.statusText}`);
  }
}

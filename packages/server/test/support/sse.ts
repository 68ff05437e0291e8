import { HANG_MS } from './wait.js';

/** One Server-Sent Event as a client reads it. */
export interface SseEvent {
  event: string;
  id: string;
  data: string;
  /** When it arrived (epoch ms). */
  atMs: number;
}

/**
 * A Server-Sent Events client over `fetch`, as a browser's EventSource reads a stream: events,
 * their ids and data; comments (keepalives) and `retry:` lines are counted apart.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  retryMs: number | null = null;
  /** Set once the stream has ended (by the server, or `close`). */
  ended = false;
  private buffer = '';
  private waiters: Array<() => void> = [];
  /** The answer's text, when the stream was refused. */
  text = '';

  private constructor(
    readonly status: number,
    readonly headers: Headers,
    private readonly abort: AbortController,
  ) {}

  /** Opens a stream; a refusal (not 200) comes back with its status and no events. */
  static async open(url: string, options: { key?: string; lastEventId?: string } = {}): Promise<SseClient> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const abort = new AbortController();
    const response = await fetch(url, { headers, signal: abort.signal });
    const client = new SseClient(response.status, response.headers, abort);
    if (response.status !== 200 || response.body === null) {
      client.text = await response.text();
      client.ended = true;
    } else void client.read(response.body.getReader());
    return client;
  }

  /** Waits until `count` events have arrived (or the stream ends), at most `timeoutMs` (by default a hang, `HANG_MS`). */
  async waitFor(count: number, timeoutMs = HANG_MS): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`waited ${timeoutMs} ms for ${count} events; got ${JSON.stringify(this.events).slice(0, 1000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events.slice(0, count);
  }

  /** Waits until the server ends the stream. */
  async waitForEnd(timeoutMs = HANG_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`the stream did not end in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The last event id received (what a reconnecting EventSource sends back). */
  get lastEventId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  close(): void {
    this.abort.abort();
    this.ended = true;
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.buffer += decoder.decode(value, { stream: true });
        this.parse();
      }
    } catch {
      // Aborted by `close`, or the server dropped the connection: either way the stream has ended.
    }
    this.ended = true;
    this.notify();
  }

  private parse(): void {
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const event: SseEvent = { event: 'message', id: '', data: '', atMs: Date.now() };
      let isEvent = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments++;
        else if (line.startsWith('retry: ')) this.retryMs = Number(line.slice(7));
        else if (line.startsWith('event: ')) [event.event, isEvent] = [line.slice(7), true];
        else if (line.startsWith('id: ')) event.id = line.slice(4);
        else if (line.startsWith('data: ')) [event.data, isEvent] = [event.data + line.slice(6), true];
      }
      if (isEvent) this.events.push(event);
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

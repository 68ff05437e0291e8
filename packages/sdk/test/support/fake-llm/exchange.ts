import { type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FakeReply, type Json } from './types.js';

/** One SSE event: its `data` (a string is sent as is, anything else as JSON) and optional `event` name. */
export interface SseEvent {
  data: unknown;
  event?: string;
}

/** An SSE event named by its `type`, which leads its data, as OpenAI Responses and Anthropic send them. */
export function typedEvent(type: string, fields: Json = {}): SseEvent {
  return { data: { type, ...fields }, event: type };
}

/** One exchange: writes to the response, honouring the reply's delays, disconnect and extra headers. */
export class Ctx {
  headers: Record<string, string> = {};
  private events = 0;
  private disconnectAfter: number | undefined;
  private chunkDelayMs = 0;
  private firstDelayMs = 0;
  private byteDelayMs = 0;
  private streamHeld: FakeReply['streamHeld'];

  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
    readonly nextId: () => string,
  ) {}

  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded || this.signal.aborted;
  }

  async sleep(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.signal }).catch(() => undefined);
  }

  /** Takes the reply's delays and disconnect point. */
  configure(reply: FakeReply): void {
    this.disconnectAfter = reply.disconnectAfter;
    this.chunkDelayMs = reply.chunkDelayMs ?? 0;
    this.firstDelayMs = reply.delayMs ?? 0;
    this.byteDelayMs = reply.byteDelayMs ?? 0;
    this.streamHeld = reply.streamHeld;
  }

  async json(status: number, body: unknown, extraHeaders: Record<string, string> = {}): Promise<void> {
    if (this.gone) return;
    const text = JSON.stringify(body);
    this.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...this.headers, ...extraHeaders });
    if (status < 400 && this.disconnectAfter !== undefined) {
      await this.write(text.slice(0, Math.floor(text.length / 2)));
      this.res.destroy();
      return;
    }
    if (status < 400 && this.byteDelayMs > 0) {
      this.res.flushHeaders();
      for (const byte of Buffer.from(text)) {
        await this.sleep(this.byteDelayMs);
        if (this.gone) return;
        await this.write(Uint8Array.of(byte));
      }
      this.res.end();
      return;
    }
    this.res.end(text);
  }

  /**
   * Sends a whole SSE response: the headers, then each event as the iterable yields it, then the end.
   * Events are pulled one at a time after the previous one is written; the first the stream is gone for
   * (client left, server closing or scripted disconnect) stops it.
   */
  async stream(events: Iterable<SseEvent>): Promise<void> {
    this.startStream();
    for (const { data, event } of events) {
      if (!(await this.event(data, event))) return;
    }
    await this.endStream();
  }

  /** Starts an SSE response; headers are flushed at once, so time-to-first-token is the delay before the first event. */
  private startStream(): void {
    if (this.gone) return;
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...this.headers });
    this.res.flushHeaders();
  }

  /** Writes one SSE event; false once the stream is gone (client left, server closing or scripted disconnect). */
  private async event(data: unknown, event?: string): Promise<boolean> {
    if (this.gone) return false;
    if (this.disconnectAfter !== undefined && this.events >= this.disconnectAfter) {
      this.res.destroy();
      return false;
    }
    const delay = this.events === 0 ? this.firstDelayMs : this.chunkDelayMs;
    if (delay > 0) await this.sleep(delay);
    if (this.streamHeld !== undefined && this.events === this.streamHeld.afterEvents) {
      const aborted = new Promise((resolve) => this.signal.addEventListener('abort', resolve, { once: true }));
      await Promise.race([this.streamHeld.until.catch(() => undefined), aborted]);
    }
    if (this.gone) return false;
    this.events++;
    await this.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    return !this.gone;
  }

  private async endStream(): Promise<void> {
    if (this.gone) return;
    if (this.disconnectAfter !== undefined) {
      this.res.destroy();
      return;
    }
    this.res.end();
  }

  private write(chunk: string | Uint8Array): Promise<void> {
    return new Promise((resolve) => this.res.write(chunk, () => resolve()));
  }
}

/**
 * How the server's parts start and stop, in one place: each part is registered with its close as
 * it starts, and closing (after a failed start, or when asked) closes them in the reverse order,
 * each close awaited. A part closes after every part started after it, so whatever uses it (the
 * evaluators storing a judge's trace through ingest, requests through the receivers) has stopped
 * first. A close that throws is logged and the others still close; the first such error is
 * thrown once all are closed. Closing twice returns the first close.
 */

export interface LifecycleLog {
  debug: (data: object, message: string) => void;
  error: (data: object, message: string) => void;
}

export class Lifecycle {
  private readonly parts: Array<{ name: string; close: () => void | Promise<void> }> = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly log: LifecycleLog) {}

  /**
   * Starts a part: `start` makes it, `close` (given what it made) stops it. A part started after
   * close began is closed at once, and the start fails.
   */
  async start<T>(name: string, start: () => T | Promise<T>, close: (part: T) => void | Promise<void>): Promise<T> {
    const part = await start();
    this.defer(name, () => close(part));
    if (this.closing !== null) {
      await this.closing;
      throw new Error(`the server was closed while ${name} started`);
    }
    return part;
  }

  /** Registers what closes a thing already started (or a step that has no start of its own). */
  defer(name: string, close: () => void | Promise<void>): void {
    if (this.closing !== null) {
      void Promise.resolve()
        .then(close)
        .catch((error: unknown) => this.log.error({ err: error, part: name }, `${name} did not close cleanly`));
      return;
    }
    this.log.debug({ part: name }, `started ${name}`);
    this.parts.push({ name, close });
  }

  /** Closes every part started, last first. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  /**
   * Runs `start` (the whole start of the server); if it throws, closes what it had started, in
   * reverse, and throws its error.
   */
  async run<T>(start: (life: Lifecycle) => Promise<T>): Promise<T> {
    try {
      return await start(this);
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  private async closeAll(): Promise<void> {
    let first: unknown = null;
    for (let part = this.parts.pop(); part !== undefined; part = this.parts.pop()) {
      try {
        await part.close();
        this.log.debug({ part: part.name }, `closed ${part.name}`);
      } catch (error) {
        first ??= error;
        this.log.error({ err: error, part: part.name }, `${part.name} did not close cleanly`);
      }
    }
    if (first !== null) throw first;
  }
}

import { type KeyRecord, keyIdOf, keyMatches } from './keys.js';

/**
 * The keys one server checks requests against: every key of the store, read whole (a few
 * hundred rows at most) and read again every `refreshMs`, so a key revoked through another
 * server (or the command line, on a stopped one) stops working within that time. A change made
 * through this server applies at once (`refresh` after it).
 */
export class KeyRing {
  private byId = new Map<string, KeyRecord>();
  private timer: NodeJS.Timeout | null = null;
  /** The read running, and the one queued after it. */
  private reading: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  private constructor(
    private readonly load: () => Promise<KeyRecord[]>,
    private readonly onError: (error: Error) => void,
  ) {}

  static async start(load: () => Promise<KeyRecord[]>, options: { refreshMs: number; onError: (error: Error) => void }): Promise<KeyRing> {
    const ring = new KeyRing(load, options.onError);
    await ring.refresh();
    ring.timer = setInterval(() => {
      // A failed read keeps the keys known before it: a store hiccup locks no one out.
      // A read that fails once the ring is closed is the server stopping (the store went first): nothing to say.
      ring.refresh().catch((error: unknown) => ring.timer !== null && ring.onError(error as Error));
    }, options.refreshMs);
    ring.timer.unref();
    return ring;
  }

  /**
   * Reads the keys again, in a read that starts after this call: a key made just before it is
   * known once it settles. A read already running may have started before the caller's change
   * (the timer's), so the call waits for the next; calls made while that one waits share it.
   */
  refresh(): Promise<void> {
    if (this.queued !== null) return this.queued;
    if (this.reading === null) return this.read();
    this.queued = this.reading
      .catch(() => {
        // That read's failure is its callers'; this call's read comes next either way.
      })
      .then(() => {
        this.queued = null;
        return this.read();
      });
    return this.queued;
  }

  private read(): Promise<void> {
    this.reading = this.load()
      .then((keys) => {
        this.byId = new Map(keys.map((key) => [key.id, key]));
      })
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  /** Whether any key was ever made: from then on, requests need one (in `auto` mode). */
  get any(): boolean {
    return this.byId.size > 0;
  }

  /** The live record of `key`, or `null` (unknown, revoked, or not a key at all). */
  find(key: string): KeyRecord | null {
    const id = keyIdOf(key);
    const record = id === null ? undefined : this.byId.get(id);
    if (record === undefined || record.revokedUs !== null || !keyMatches(key, record)) return null;
    return record;
  }

  /** The live record with this id (a session names its key by id), or `null`. */
  byKeyId(id: string): KeyRecord | null {
    const record = this.byId.get(id);
    return record === undefined || record.revokedUs !== null ? null : record;
  }

  /** Projects named by live keys (not `*`). */
  projects(): string[] {
    return [...new Set([...this.byId.values()].filter((k) => k.revokedUs === null && k.projectId !== '*').map((k) => k.projectId))].sort();
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

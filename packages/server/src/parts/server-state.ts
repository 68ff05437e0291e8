import type { SpoolPosition } from '../pipeline/spool.js';

/** How the store takes commits, as the database thread last said. */
export interface StoreHealth {
  healthy: boolean;
  /** It lacks room on the spool's own disk: requests are refused until it commits again. */
  noRoom: boolean;
  /** It lacks room, on whatever disk. */
  lacksSpace: boolean;
}

/**
 * What the server's parts share while it runs: whether it is ready, whether a thread failed, the
 * store's health and its commits as the database thread reports them (the ingest queue and live
 * streams, which start after that thread, follow them from then on), and the URL once bound.
 */
export class ServerState {
  ready = true;
  threadFailed = false;
  store: StoreHealth = { healthy: true, noRoom: false, lacksSpace: false };
  quarantinedSinceStart = 0;
  /** `http://host:port` as bound, once the HTTP receiver listens; links in notifications use it. */
  url = '';
  /** Settles if a thread dies; the server then answers 503 and should be restarted. */
  readonly failed: Promise<Error>;
  private reportFailure: (error: Error) => void = () => undefined;
  private readonly healthFollowers: Array<(health: StoreHealth) => void> = [];
  private readonly commitFollowers: Array<(seq: number, position: SpoolPosition) => void> = [];

  constructor() {
    this.failed = new Promise<Error>((resolve) => (this.reportFailure = resolve));
  }

  fail(error: Error, thread: 'database' | 'decode'): void {
    this.ready = false;
    if (thread === 'database') this.threadFailed = true;
    this.reportFailure(error);
  }

  setStoreHealth(health: StoreHealth): void {
    this.store = health;
    for (const follow of this.healthFollowers) follow(health);
  }

  /** `follow` is told the store's health now and at each change. */
  followStoreHealth(follow: (health: StoreHealth) => void): void {
    this.healthFollowers.push(follow);
    follow(this.store);
  }

  committed(seq: number, position: SpoolPosition): void {
    for (const follow of this.commitFollowers) follow(seq, position);
  }

  followCommits(follow: (seq: number, position: SpoolPosition) => void): void {
    this.commitFollowers.push(follow);
  }
}

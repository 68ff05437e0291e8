/**
 * Failed key attempts, counted per name (a client address, a key id) in token buckets: each name
 * may fail `burst` times at once and `perMinute` times a minute after that. The buckets live in a
 * map kept in order of last failure and cut to `maxTracked` names, so a flood of addresses costs
 * bounded memory (100,000 names take about 10 MB).
 */
export interface FailedAttemptsOptions {
  burst: number;
  perMinute: number;
  maxTracked: number;
  nowMs: () => number;
}

interface Bucket {
  attempts: number;
  atMs: number;
}

export class FailedAttempts {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: FailedAttemptsOptions) {}

  /** Whole seconds until `name` may fail again; 0 while it has attempts left. */
  waitSeconds(name: string): number {
    const bucket = this.buckets.get(name);
    if (bucket === undefined) return 0;
    const attempts = this.refilled(bucket);
    return attempts >= 1 ? 0 : Math.max(1, Math.ceil(((1 - attempts) * 60) / this.options.perMinute));
  }

  /** Counts one failed attempt of `name`. */
  fail(name: string): void {
    const bucket = this.buckets.get(name);
    const attempts = bucket === undefined ? this.options.burst : this.refilled(bucket);
    // Deleted and set again, so the map's first names are those that failed longest ago.
    this.buckets.delete(name);
    this.buckets.set(name, { attempts: Math.max(0, attempts - 1), atMs: this.options.nowMs() });
    for (const oldest of this.buckets.keys()) {
      if (this.buckets.size <= this.options.maxTracked) break;
      this.buckets.delete(oldest);
    }
  }

  private refilled(bucket: Bucket): number {
    const elapsedMs = Math.max(0, this.options.nowMs() - bucket.atMs);
    return Math.min(this.options.burst, bucket.attempts + (elapsedMs / 60_000) * this.options.perMinute);
  }
}

/**
 * The name a client address is counted under. One IPv6 host commonly holds a whole /64 and may
 * pick any address in it, so an IPv6 address counts as its /64; an IPv4 address mapped into
 * IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function addressKey(address: string): string {
  const bare = address.split('%', 1)[0]!.toLowerCase();
  if (!bare.includes(':')) return bare;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped !== null) return mapped[1]!;
  const [head = '', tail = ''] = bare.split('::', 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  const groups = bare.includes('::') ? [...headGroups, ...zeros, ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(':')}::/64`;
}

import { AppError } from './errors.js';
import { exportsShare } from './export/share.js';
import type { SelfMetrics } from './self-metrics.js';

/**
 * What one project may hold of a server's work at once, and the whole server: running
 * experiments, their provider calls, exports, score writes. DESIGN.md: "One project cannot
 * starve another: what a key can hold has a share per key and per project, refused with a clear
 * 429/503 naming the limit." A project over its own share is answered 429 (it asks too much); a
 * server whose whole share is held answers 503 (it is busy for everyone), each naming the flag.
 */

/** How many a project and the whole server may hold at once; 0 for no bound. */
export interface ShareLimits {
  project: number;
  server: number;
}

export interface ShareSpec {
  /** What is held, as the answer names it: `running experiments`. */
  what: string;
  /** The flag that sets the limits: `--experiments-max`. */
  flag: string;
  limits: ShareLimits;
  /** Sent as `Retry-After` with a refusal. */
  retryAfterSeconds: number;
}

/** Gives back what was taken; calling it again does nothing. */
export type Release = () => void;

/** Counts of what each project and the server hold; refuses past either share. */
export class Shares {
  private readonly byProject = new Map<string, number>();
  private total = 0;

  constructor(readonly spec: ShareSpec) {}

  /** Held now by one project, or by the whole server. */
  held(projectId?: string): number {
    return projectId === undefined ? this.total : (this.byProject.get(projectId) ?? 0);
  }

  /** Whether a project may take one more now. */
  hasRoom(projectId: string): boolean {
    return this.refusal(projectId) === null;
  }

  /** Why a project may not take one more now, naming the limit; `null` when it may. */
  refusal(projectId: string): AppError | null {
    const { what, flag, limits, retryAfterSeconds } = this.spec;
    if (limits.project > 0 && this.held(projectId) >= limits.project) {
      return new AppError(
        'ERR_PROJECT_SHARE_FULL',
        `project '${projectId}' holds ${limits.project} ${what}, its share (${flag} project=${limits.project}); retry once one ends`,
        {
          retryAfterSeconds,
        },
      );
    }
    if (limits.server > 0 && this.total >= limits.server) {
      return new AppError(
        'ERR_SERVER_SHARE_FULL',
        `this server holds ${limits.server} ${what}, its most for all projects (${flag} server=${limits.server}); retry later`,
        {
          retryAfterSeconds,
        },
      );
    }
    return null;
  }

  /** Takes one for a project, or throws the refusal (429 or 503) naming the limit. */
  acquire(projectId: string): Release {
    const refused = this.refusal(projectId);
    if (refused !== null) throw refused;
    return this.take(projectId);
  }

  /** Takes one without asking: for a caller that checked `hasRoom` in the same turn. */
  protected take(projectId: string): Release {
    this.byProject.set(projectId, this.held(projectId) + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.held(projectId) - 1;
      if (left > 0) this.byProject.set(projectId, left);
      else this.byProject.delete(projectId);
      this.total--;
      this.released();
    };
  }

  /** Called after each release. */
  protected released(): void {}
}

/**
 * A share that waits instead of refusing: `take` resolves once the project and the server both
 * have room, first come first served among those that fit. Experiment runs take a slot around
 * each provider call, so 30 runs at concurrency 64 never put more than the server's share of
 * calls on the operator's provider at once.
 */
export class WaitingShares extends Shares {
  private readonly waiting: Array<{ projectId: string; grant: (release: Release) => void }> = [];

  /**
   * Resolves with a release once there is room for the project. Those waiting never fit now
   * (`released` grants each that does at once), so one that fits goes ahead of them.
   */
  async wait(projectId: string): Promise<Release> {
    if (this.hasRoom(projectId)) return this.take(projectId);
    return new Promise<Release>((grant) => this.waiting.push({ projectId, grant }));
  }

  /** Callers waiting now. */
  get queued(): number {
    return this.waiting.length;
  }

  protected override released(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const next = this.waiting[i]!;
      if (!this.hasRoom(next.projectId)) {
        // The server is full: no one else fits either.
        if (this.spec.limits.server > 0 && this.held() >= this.spec.limits.server) return;
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      next.grant(this.take(next.projectId));
    }
  }
}

/** `project=4,server=16`, either part left out keeping its default; 0 for no bound. Throws what to fix. */
export function parseShareLimits(text: string, defaults: ShareLimits, where: string): ShareLimits {
  const limits = { ...defaults };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^(project|server)\s*=\s*(\d+)$/.exec(part);
    if (match === null)
      throw new Error(`${where} takes project=N,server=N (0 for no bound), such as project=${defaults.project},server=${defaults.server}, not '${part}'`);
    limits[match[1] as keyof ShareLimits] = Number(match[2]);
  }
  return limits;
}

/**
 * A share as what it bounds declares it: the option, flag, variable and default `config.ts` and
 * `cli/main.ts` read, the name it is held under (`ServeConfig.shares`, `serverShares`), its
 * `/metrics` label, and how a refusal names it.
 */
export interface DeclaredShare {
  name: string;
  /** Its key in `ServeOptions`: `exportsMax`. */
  option: string;
  flag: string;
  env: string;
  default: string;
  label: string;
  what: string;
  retryAfterSeconds: number;
  /** Callers wait their turn past it (`WaitingShares`) rather than being refused. */
  waits?: boolean;
}

/** The shares a server bounds, in the order its help, variables and `/metrics` list them: one line each. */
export const SHARES = [
  {
    name: 'experiments',
    option: 'experimentsMax',
    flag: '--experiments-max',
    env: 'SPOOR_EXPERIMENTS_MAX',
    default: 'project=4,server=16',
    label: 'experiments',
    what: 'running experiments',
    retryAfterSeconds: 30,
  },
  {
    name: 'providerCalls',
    option: 'providerCallsMax',
    flag: '--provider-calls-max',
    env: 'SPOOR_PROVIDER_CALLS_MAX',
    default: 'project=32,server=64',
    label: 'provider_calls',
    what: 'provider calls',
    retryAfterSeconds: 1,
    waits: true,
  },
  exportsShare,
  {
    name: 'scoreWrites',
    option: 'scoreWritesMax',
    flag: '--score-writes-max',
    env: 'SPOOR_SCORE_WRITES_MAX',
    default: 'project=64,server=256',
    label: 'score_writes',
    what: 'score writes in flight',
    retryAfterSeconds: 1,
  },
] as const satisfies readonly DeclaredShare[];

type Share = (typeof SHARES)[number];
export type ShareName = Share['name'];
/** Each share's option (`exportsMax`): `project=N,server=N`. */
export type ShareOptions = { [S in Share as S['option']]?: string };
/** The shares a server holds, by name; those that wait are `WaitingShares`. */
export type ServerShares = { [S in Share as S['name']]: S extends { waits: true } ? WaitingShares : Shares };

/** The shares a server bounds (`ServeConfig.shares`), with what all projects hold of each on `/metrics`. */
export function serverShares(limits: Record<ShareName, ShareLimits>, selfMetrics: SelfMetrics): ServerShares {
  const shares = Object.fromEntries(
    SHARES.map((share) => {
      const spec = { what: share.what, flag: share.flag, limits: limits[share.name], retryAfterSeconds: share.retryAfterSeconds };
      return [share.name, 'waits' in share ? new WaitingShares(spec) : new Shares(spec)];
    }),
  ) as ServerShares;
  selfMetrics.gaugeSeries(
    'spoor_share_held',
    `What all projects hold now of each share the server bounds (${SHARES.map((share) => share.flag).join(', ')}).`,
    () => SHARES.map((share) => ({ labels: { share: share.label }, value: shares[share.name].held() })),
  );
  selfMetrics.gauge(
    'spoor_provider_calls_waiting',
    'Provider calls (experiments, judges, replays) waiting for a slot of --provider-calls-max.',
    () => shares.providerCalls.queued,
  );
  return shares;
}

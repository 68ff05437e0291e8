/*
 * The hour of history `spoor demo` sends before its main run, so that a newcomer's dashboard has
 * something to chart: runs of three workflows across four sessions of three users, spread over
 * the last hour, a few of them failing. This file decides what happens in each run (when, who,
 * which workflow, whether and how it fails); `demo-workflows.ts` records it. A seeded generator
 * makes the history the same every time, given the number of runs and the main run's start.
 */

export type Workflow = 'answer-question' | 'research-report' | 'summarize-thread';

/** How a run fails: the retrieval service's vector search times out, or OpenAI keeps answering 429. */
export type Failure = 'search-timeout' | 'rate-limit';

export interface PlannedRun {
  startMs: number;
  workflow: Workflow;
  sessionId: string;
  userId: string;
  failure: Failure | null;
  /** The run's first OpenAI call is rate limited once, retried, and the run goes on. */
  retriedRateLimit: boolean;
  /** This run's own random numbers, for token counts and durations. */
  random: Random;
  /** The agent's release (`service.version`) that ran it; unset: the current one. */
  release?: string;
}

/** A seeded random number generator: numbers in [0, 1), and the helpers the demo draws with. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: tiny, fast and good enough for made-up durations and token counts. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** `digits` random lowercase hex digits, for made-up ids. */
  hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += this.int(0, 15).toString(16);
    return out;
  }
}

const SEED = 0x5900_2b1d;
const HOUR_MS = 3_600_000;
/**
 * The newest history run starts this long before the main run. History runs last at most about
 * 30 seconds, so the main run stays the newest trace in every list.
 */
const GAP_BEFORE_MAIN_MS = 90_000;
/** Share of history runs that fail: with the main run, 3 of the default 24 runs fail. */
const FAILING_SHARE = 0.1;
/** Share of the other runs whose first OpenAI call is rate limited once and retried. */
const RETRIED_RATE_LIMIT_SHARE = 0.15;

/**
 * Conversations, each active over a part of the hour (0 is an hour before the main run, 1 is the
 * main run). Ada's second session is the one the main run belongs to.
 */
const SESSIONS: ReadonlyArray<{ sessionId: string; userId: string; from: number; to: number }> = [
  { sessionId: 'demo-session-2', userId: 'user-grace', from: 0, to: 0.45 },
  { sessionId: 'demo-session-3', userId: 'user-ada', from: 0.15, to: 0.6 },
  { sessionId: 'demo-session-4', userId: 'user-linus', from: 0.4, to: 1 },
  { sessionId: 'demo-session-1', userId: 'user-ada', from: 0.7, to: 1 },
];

/** Quick questions are the common case, reports and summaries less so. */
const WORKFLOWS: readonly Workflow[] = ['answer-question', 'answer-question', 'answer-question', 'research-report', 'research-report', 'summarize-thread'];

/** The `count` runs before a main run that starts at `mainStartMs`, oldest first. Pure. */
export function planHistory(count: number, mainStartMs: number): PlannedRun[] {
  const random = new Random(SEED);
  const first = mainStartMs - HOUR_MS;
  const spacing = (HOUR_MS - GAP_BEFORE_MAIN_MS) / Math.max(count, 1);
  const failures = failingRuns(count);
  const runs: PlannedRun[] = [];
  for (let i = 0; i < count; i++) {
    // Evenly spaced, each moved by up to a third of the spacing, so the charts look steady but not mechanical.
    const slot = i + 0.5 + (random.next() - 0.5) * 0.66;
    const position = slot / count;
    const active = SESSIONS.filter((s) => position >= s.from && position <= s.to);
    const session = random.pick(active.length > 0 ? active : SESSIONS);
    const failure = failures.get(i) ?? null;
    runs.push({
      startMs: Math.round(first + slot * spacing),
      // A search timeout needs a search, a lasting rate limit the planner's OpenAI call.
      workflow: failure === 'search-timeout' ? 'answer-question' : failure === 'rate-limit' ? 'research-report' : random.pick(WORKFLOWS),
      sessionId: session.sessionId,
      userId: session.userId,
      failure,
      retriedRateLimit: failure === null && random.chance(RETRIED_RATE_LIMIT_SHARE),
      random: new Random(SEED + i + 1),
    });
  }
  return runs;
}

/** Which runs fail and how: spread over the hour, the two kinds taking turns. */
function failingRuns(count: number): Map<number, Failure> {
  const failing = Math.round(count * FAILING_SHARE);
  const kinds: readonly Failure[] = ['search-timeout', 'rate-limit'];
  const byIndex = new Map<number, Failure>();
  for (let k = 0; k < failing; k++) byIndex.set(Math.floor(((k + 0.5) * count) / failing), kinds[k % kinds.length]!);
  return byIndex;
}

/** Earlier days' runs: each day before the main run's, its release and its share of failures (the release of two days ago failed more). */
const DAYS: ReadonlyArray<{ release: string; failing: number }> = [
  { release: '1.4.0', failing: 0.1 },
  { release: '1.3.0', failing: 0.25 },
  { release: '1.2.0', failing: 0.1 },
];
const DAY_MS = 86_400_000;

/**
 * `perDay` runs on each of the `days` days before the hour `planHistory` covers (at most three),
 * in working hours and oldest first, each day's under the release that ran then: the release
 * comparison and a week's charts have something to show. Pure.
 */
export function planEarlierDays(days: number, perDay: number, mainStartMs: number): PlannedRun[] {
  const random = new Random(SEED ^ 0xda75);
  const runs: PlannedRun[] = [];
  for (let d = Math.min(days, DAYS.length); d >= 1; d--) {
    const { release, failing } = DAYS[d - 1]!;
    // Ten hours ending half a day before the same time d days later: yesterday's fall in the last 24 hours.
    const dayStart = mainStartMs - d * DAY_MS + 2 * HOUR_MS;
    for (let i = 0; i < perDay; i++) {
      const failure: Failure | null = random.chance(failing) ? random.pick<Failure>(['search-timeout', 'rate-limit']) : null;
      const session = random.pick(SESSIONS);
      runs.push({
        startMs: Math.round(dayStart + ((i + random.next()) * 10 * HOUR_MS) / perDay),
        workflow: failure === 'search-timeout' ? 'answer-question' : failure === 'rate-limit' ? 'research-report' : random.pick(WORKFLOWS),
        // A session per user and day, named by its date: a conversation does not last three days.
        sessionId: `${session.userId.replace(/^user-/, '')}-${new Date(dayStart).toISOString().slice(0, 10)}`,
        userId: session.userId,
        failure,
        retriedRateLimit: failure === null && random.chance(RETRIED_RATE_LIMIT_SHARE),
        random: new Random(SEED + 10_000 * d + i),
        release,
      });
    }
  }
  return runs;
}

import { trace, type Context, type Span } from '@opentelemetry/api';
import { positionKey, type Cassette, type CassetteEntry } from './cassette.js';
import { requestChanges } from './diff.js';
import { ReplayDivergence, ReplayError } from './errors.js';

/** Root span attribute of a replay run: the id of the trace it replays. */
export const REPLAY_OF_ATTRIBUTE = 'spoor.replay.of';
/** Call span attribute: `replayed` from the cassette, or `live` (passthrough, or nothing to replay). */
export const REPLAY_OUTCOME_ATTRIBUTE = 'spoor.replay.outcome';

/** What `init({ replay })` resolved to. */
export interface ReplayConfig {
  traceId: string;
  /** Base URL of the Spoor server the trace is read from. */
  endpoint: string;
  /** Sent with the read, e.g. `authorization: Bearer <read key>`. */
  headers: Record<string, string>;
  passthrough: boolean;
  onDivergence: ((divergence: ReplayDivergence) => void) | undefined;
  /**
   * Calls made live whatever the recording holds, decided once per session: an experiment's
   * `replay: 'tools'` (every LLM call) or its `target` (calls named, or under a span named, so).
   * Undefined for `init({ replay })`, which replays every call it can.
   */
  alwaysLive?: ((kind: CassetteEntry['kind'], path: string, spanName: string) => boolean) | undefined;
}

/** Where a call runs: the path of spans above it and its place among the replayable calls there. */
export interface Position {
  path: string;
  index: number;
}

/** What to do with one call: answer it from the cassette, or make it live. */
export type Decision = { kind: 'replay'; entry: CassetteEntry } | { kind: 'live'; entry: CassetteEntry | undefined };

/** How a replay went so far; see `getReplayReport()`. */
export interface ReplayReport {
  /** The trace replayed. */
  traceId: string;
  /** `loading` until the trace is read; `failed` with `error` when it could not be. */
  state: 'loading' | 'ready' | 'failed';
  error: ReplayError | undefined;
  /** Calls answered from the recording. */
  replayed: number;
  /** Calls made live: with `passthrough` after a divergence, or with nothing recorded to replay. */
  live: number;
  /** Every divergence, in the order met. */
  divergences: readonly ReplayDivergence[];
  /** Recorded calls the run has not reached (yet), as `path#index`. */
  unused: string[];
}

/**
 * One replay run: the cassette once it is loaded, the place of every span started since (so a
 * call knows its position), and the tally for the report. Positions are claimed synchronously
 * when a call starts, so calls started in the same order get the same places however long the
 * cassette takes to arrive.
 */
export class ReplaySession {
  state: ReplayReport['state'] = 'loading';
  /** Settles (never rejects) when the cassette is loaded or failed to load. */
  readonly ready: Promise<void>;
  private cassette: Cassette | undefined;
  private error: ReplayError | undefined;
  private readonly paths = new WeakMap<object, string>();
  private readonly counts = new Map<string, number>();
  private readonly used = new Set<string>();
  private replayed = 0;
  private live = 0;
  private readonly divergences: ReplayDivergence[] = [];

  /**
   * `load` reads the recording in the background; a cassette already read (an experiment's item,
   * read before its task starts) makes the session ready at once, so even sync tools replay.
   */
  constructor(
    readonly config: ReplayConfig,
    load: ((config: ReplayConfig) => Promise<Cassette>) | Cassette,
  ) {
    if (typeof load !== 'function') {
      this.cassette = load;
      this.state = 'ready';
      this.ready = Promise.resolve();
      return;
    }
    this.ready = load(config).then(
      (cassette) => {
        this.cassette = cassette;
        this.state = 'ready';
      },
      (error: unknown) => {
        this.error =
          error instanceof ReplayError ? error : new ReplayError('unreadable', `the recorded trace could not be read: ${String(error)}`, { cause: error });
        this.state = 'failed';
        process.stderr.write(`[spoor] ${this.error.message.replace(/^spoor /, '')}\n`);
      },
    );
  }

  /** Remembers a new span's path; a span with no local parent is a root and is marked as a replay. */
  spanStarted(span: Span, name: string, parentContext: Context): void {
    const parent = trace.getSpan(parentContext);
    const above = parent === undefined ? undefined : this.paths.get(parent);
    this.paths.set(span, above === undefined || above === '' ? name : `${above} > ${name}`);
    // An experiment's item with no recording (trace id '') replays nothing.
    if (above === undefined && this.config.traceId !== '') span.setAttribute(REPLAY_OF_ATTRIBUTE, this.config.traceId);
  }

  /**
   * Makes `span` a root the recording does not have: an experiment's `experiment <name>` span,
   * which its task runs inside. Spans under it are placed as the recorded run's roots were.
   */
  transparentRoot(span: Span): void {
    this.paths.set(span, '');
  }

  /** Takes the next place under the active span for a call starting now. */
  claim(parentContext: Context): Position {
    const parent = trace.getSpan(parentContext);
    const path = (parent === undefined ? undefined : this.paths.get(parent)) ?? '';
    const index = this.counts.get(path) ?? 0;
    this.counts.set(path, index + 1);
    return { path, index };
  }

  /**
   * Decides a call once the cassette is loaded: replay on a match; on a divergence, throw it, or
   * go live with `passthrough`. `liveRequest` builds the request as the trace would keep it, and
   * runs only for a divergence's diff.
   */
  decide(position: Position, kind: CassetteEntry['kind'], spanName: string, hash: string, liveRequest: () => unknown): Decision {
    if (this.cassette === undefined) throw this.error ?? new ReplayError('unreachable', 'the recorded trace is not loaded yet');
    const key = positionKey(position.path, position.index);
    const entry = this.cassette.entries.get(key);
    if (entry !== undefined) this.used.add(key);
    if (this.config.alwaysLive?.(kind, position.path, spanName) === true) return this.wentLive(entry);
    if (entry !== undefined && entry.kind === kind && entry.hash === hash) return this.matched(entry, key);
    const divergence = new ReplayDivergence({
      traceId: this.config.traceId,
      stepPath: position.path,
      position: position.index,
      kind,
      spanName,
      reason: entry === undefined ? 'unrecorded' : 'changed',
      recordedSpanId: entry?.spanId,
      changes:
        entry === undefined
          ? []
          : entry.kind !== kind
            ? [{ field: 'call', before: entry.spanName, after: spanName }]
            : requestChanges(entry.request, liveRequest()),
    });
    this.divergences.push(divergence);
    try {
      this.config.onDivergence?.(divergence);
    } catch {
      // The app's reporting callback must not change what the replayed call does.
    }
    if (!this.config.passthrough) throw divergence;
    return this.wentLive(entry);
  }

  /**
   * A call that matches its recording. One whose answer was not recorded whole goes live: a
   * generator's steps are never recorded; a completion cut at the capture limit is an error
   * unless `passthrough`.
   */
  private matched(entry: CassetteEntry, key: string): Decision {
    const answered = entry.failure !== undefined || (entry.kind === 'llm' ? entry.output !== undefined : entry.result !== undefined);
    if (answered) {
      this.replayed++;
      return { kind: 'replay', entry };
    }
    if (entry.kind === 'tool' || this.config.passthrough) return this.wentLive(entry);
    throw new ReplayError(
      'not_replayable',
      `the completion of '${entry.spanName}' at ${key} in trace ${this.config.traceId} was not recorded whole (longer than the 32 KiB capture limit); replay with passthrough: true to make this call live`,
    );
  }

  /** Counts a call made live; returns the decision for it. */
  wentLive(entry: CassetteEntry | undefined): Decision {
    this.live++;
    return { kind: 'live', entry };
  }

  report(): ReplayReport {
    const recorded = this.cassette === undefined ? [] : [...this.cassette.entries.keys()];
    return {
      traceId: this.config.traceId,
      state: this.state,
      error: this.error,
      replayed: this.replayed,
      live: this.live,
      divergences: [...this.divergences],
      unused: recorded.filter((key) => !this.used.has(key)),
    };
  }
}

import type { DatasetItemSource } from '@spoor/model';
import type { Cassette } from '../replay/cassette.js';
import { loadCassette } from '../replay/load.js';
import { ReplaySession, type ReplayConfig } from '../replay/session.js';
import type { ApiTarget } from './client.js';

/**
 * What an item's recording answers: nothing (`none`); its tool calls, with every LLM call live
 * (`tools`); or every call that matches its recording, with the calls that do not, and those
 * named in `target`, live (`all-but-target`).
 */
export type ExperimentReplay = 'none' | 'tools' | 'all-but-target';

export const EXPERIMENT_REPLAYS: readonly ExperimentReplay[] = ['none', 'tools', 'all-but-target'];

/** How an item's calls went: answered from its recording, or made live. */
export interface ItemReplayCounts {
  /** The recorded trace the item replayed, `null` when it has no source (every call live). */
  traceId: string | null;
  replayed: number;
  live: number;
  /** Calls that did not match their recording (and went live), as `path#index`. */
  divergences: string[];
}

/** How an experiment replays its items, decided once for the run. */
export interface ItemReplayPlan {
  replay: Exclude<ExperimentReplay, 'none'>;
  alwaysLive: NonNullable<ReplayConfig['alwaysLive']>;
  /** Where the cassettes are read: the experiment's server and key. */
  api: ApiTarget;
}

const NEVER = (): boolean => false;
const ALWAYS = (): boolean => true;

/**
 * Which calls go live whatever the recording holds: every LLM call with `tools`; and a call whose
 * span name, or the name of a span around it (a step), is in `target`. Pure, made once per run.
 */
export function alwaysLiveFor(replay: Exclude<ExperimentReplay, 'none'>, target: readonly string[]): NonNullable<ReplayConfig['alwaysLive']> {
  const names = new Set(target);
  const named =
    names.size === 0 ? NEVER : (path: string, spanName: string) => names.has(spanName) || (path !== '' && path.split(' > ').some((name) => names.has(name)));
  if (replay === 'tools') return (kind, path, spanName) => kind === 'llm' || named(path, spanName);
  return (_kind, path, spanName) => named(path, spanName);
}

/**
 * The session an item's task runs under: its source trace's cassette, read before the task starts
 * (so sync tools replay too), with mismatches made live (`passthrough`); an item with no source
 * makes every call live, and is counted so. Rejects with the loader's `ReplayError` when the
 * recording cannot be read: the item errors with it rather than calling providers unasked.
 */
export async function itemSession(plan: ItemReplayPlan, source: DatasetItemSource | null): Promise<ReplaySession> {
  const config: ReplayConfig = {
    traceId: source?.traceId ?? '',
    endpoint: plan.api.endpoint,
    headers: plan.api.headers,
    passthrough: true,
    onDivergence: undefined,
    alwaysLive: source === null ? ALWAYS : plan.alwaysLive,
  };
  const cassette: Cassette = source === null ? { traceId: '', entries: new Map(), uncaptured: 0 } : await loadCassette(config);
  return new ReplaySession(config, cassette);
}

/** The counts of a session, for the item's report and its root span. */
export function countsOf(session: ReplaySession): ItemReplayCounts {
  const report = session.report();
  return {
    traceId: report.traceId === '' ? null : report.traceId,
    replayed: report.replayed,
    live: report.live,
    divergences: report.divergences.map((d) => `${d.stepPath}#${d.position}`),
  };
}

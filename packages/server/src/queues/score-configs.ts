import { type ScoreConfig, configuredScoreProblem } from '@spoor/model';
import type { QueueRecord, QueueStore } from '../store/ports/queues.js';
import type { QueueSpec } from './spec.js';

/**
 * The project's score configs: every entry of its queues' rubrics, a name meaning one thing in the
 * project. A score of such a name, however it comes (the API, a reviewer), must be one its config
 * allows; a score of any other name is free.
 */

export interface ProjectConfig {
  config: ScoreConfig;
  /** The queue whose rubric defined it first (by name): what an error names. */
  queue: string;
}

/** Each name's config, from the queues (not deleted) as the store lists them. */
export function projectConfigs(queues: readonly QueueRecord[]): Map<string, ProjectConfig> {
  const configs = new Map<string, ProjectConfig>();
  for (const q of queues) {
    for (const config of (JSON.parse(q.spec) as QueueSpec).rubric) if (!configs.has(config.name)) configs.set(config.name, { config, queue: q.name });
  }
  return configs;
}

/** Whether two configs of a name mean the same (their descriptions may differ; labels in any order). */
export function sameMeaning(a: ScoreConfig, b: ScoreConfig): boolean {
  if (a.type === 'numeric' && b.type === 'numeric') return a.min === b.min && a.max === b.max;
  if (a.type === 'categorical' && b.type === 'categorical') return a.labels.length === b.labels.length && a.labels.every((l) => b.labels.includes(l));
  return a.type === b.type;
}

const described = (c: ScoreConfig): string =>
  c.type === 'numeric' ? `numeric ${c.min} to ${c.max}` : c.type === 'categorical' ? `categorical (${c.labels.join(', ')})` : 'boolean';

/** Why a new rubric gives a name another meaning than the project's config of it (naming both), or `null`. */
export function rubricConflict(rubric: readonly ScoreConfig[], configs: ReadonlyMap<string, ProjectConfig>): string | null {
  for (const [i, config] of rubric.entries()) {
    const held = configs.get(config.name);
    if (held !== undefined && !sameMeaning(config, held.config))
      return `rubric[${i}]: '${config.name}' is ${described(held.config)} in the rubric of queue ${held.queue}: a score name means one thing in a project, give it the same config or another name`;
  }
  return null;
}

/** Why a score does not fit the project's config of its name (naming the score, the config and its queue), or `null`. */
export function scoreMisfit(score: { name: string; value: unknown; label: unknown }, configs: ReadonlyMap<string, ProjectConfig>): string | null {
  const held = configs.get(score.name.trim());
  if (held === undefined) return null;
  const problem = configuredScoreProblem(held.config, score, 'score');
  return problem === null ? null : `${problem.slice('score.'.length)}: the score config of '${held.config.name}' in the rubric of queue ${held.queue}`;
}

/**
 * How long a project's configs are kept read: a queue made or deleted on this server is seen at
 * once (`forgetConfigs`), one made by another server sharing the store within this long.
 */
const CONFIGS_KEPT_MS = 10_000;
/** Per queue store (one per database thread), per project: the configs read and when. */
const kept = new WeakMap<object, Map<string, { atMs: number; configs: Promise<Map<string, ProjectConfig>> }>>();

function configsOf(queues: Pick<QueueStore, 'listQueues'>, projectId: string, nowMs: number): Promise<Map<string, ProjectConfig>> {
  const projects = kept.get(queues) ?? kept.set(queues, new Map()).get(queues)!;
  const held = projects.get(projectId);
  if (held !== undefined && nowMs - held.atMs < CONFIGS_KEPT_MS) return held.configs;
  const configs = queues.listQueues(projectId).then(projectConfigs);
  projects.set(projectId, { atMs: nowMs, configs });
  // A failed read is not kept: the next score reads again.
  configs.catch(() => projects.get(projectId)?.configs === configs && projects.delete(projectId));
  return configs;
}

/** Drops the configs kept of a project, once one of its queues is made or deleted. */
export function forgetConfigs(queues: Pick<QueueStore, 'listQueues'>, projectId: string): void {
  kept.get(queues)?.delete(projectId);
}

/**
 * Why a score does not fit the config its name has in the project's queues' rubrics, or `null`.
 * Asked for every score sent through the API, so the configs are kept a while, not read each time.
 */
export async function rubricMisfit(
  queues: Pick<QueueStore, 'listQueues'>,
  projectId: string,
  score: { name: string; value: unknown; label: unknown },
  nowMs: number = Date.now(),
): Promise<string | null> {
  return scoreMisfit(score, await configsOf(queues, projectId, nowMs));
}

import type { ExperimentRecord, ExperimentResultRecord, ExperimentResultTotals, ExperimentStore } from '../../src/store/ports/experiments.js';
import { byText, finite } from './fake-reads.js';

type ExperimentRow = ExperimentRecord & { projectId: string };
type ResultRow = ExperimentResultRecord & { projectId: string };

/** Of two rows of one microsecond, the later state (as `sql/experiments.ts`): deleted > failed > done > running. */
const rank = (e: ExperimentRecord): number => (e.deleted ? 3 : e.state === 'failed' ? 2 : e.state === 'done' ? 1 : 0);

/** Experiments in memory, read as the engines read them: the newest row of each experiment, the newest result of each item. */
export class FakeExperimentStore implements ExperimentStore {
  readonly experiments: ExperimentRow[] = [];
  readonly results: ResultRow[] = [];

  putExperiment(projectId: string, record: ExperimentRecord): Promise<void> {
    return this.appendRows(projectId, [record], []);
  }

  getExperiment(projectId: string, experimentId: string): Promise<ExperimentRecord | null> {
    const found = this.latest(projectId).find((e) => e.experimentId === experimentId);
    return Promise.resolve(found === undefined || found.deleted ? null : found);
  }

  latestByName(projectId: string, name: string): Promise<ExperimentRecord | null> {
    return Promise.resolve(this.live(projectId).find((e) => e.name === name) ?? null);
  }

  listExperiments(projectId: string, dataset: string | null, limit: number): Promise<ExperimentRecord[]> {
    return Promise.resolve(
      this.live(projectId)
        .filter((e) => dataset === null || e.dataset === dataset)
        .slice(0, limit),
    );
  }

  addResults(projectId: string, results: readonly ExperimentResultRecord[]): Promise<void> {
    return this.appendRows(projectId, [], results);
  }

  listResults(projectId: string, experimentId: string, afterItemId: string | null, limit: number): Promise<ExperimentResultRecord[]> {
    const results = this.latestResults(projectId, new Set([experimentId])).filter((r) => afterItemId === null || r.itemId > afterItemId);
    return Promise.resolve(results.sort((a, b) => byText(a.itemId, b.itemId)).slice(0, limit));
  }

  resultTotals(projectId: string, experimentIds: readonly string[]): Promise<ExperimentResultTotals[]> {
    const byExperiment = new Map<string, ExperimentResultRecord[]>();
    for (const r of this.latestResults(projectId, new Set(experimentIds))) byExperiment.set(r.experimentId, [...(byExperiment.get(r.experimentId) ?? []), r]);
    const sum = (values: Array<number | null>): number | null => (values.every((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v ?? 0), 0));
    const totals = [...byExperiment].map(([experimentId, results]) => {
      const latencies = results.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]));
      return {
        experimentId,
        done: results.length,
        errored: results.filter((r) => r.error !== null).length,
        inputTokens: sum(results.map((r) => r.inputTokens)),
        outputTokens: sum(results.map((r) => r.outputTokens)),
        costUsd: finite(sum(results.map((r) => r.costUsd))),
        unpricedCalls: results.reduce((n, r) => n + (r.unpricedCalls ?? 0), 0),
        latencyMsMean: latencies.length === 0 ? null : latencies.reduce((a, v) => a + v, 0) / latencies.length,
      };
    });
    return Promise.resolve(totals.sort((a, b) => byText(a.experimentId, b.experimentId)));
  }

  allRows(projectId: string): Promise<{ experiments: ExperimentRecord[]; results: ExperimentResultRecord[] }> {
    const experiments = this.experiments
      .filter((e) => e.projectId === projectId)
      .map(({ projectId: _, ...e }) => e)
      .sort((a, b) => byText(a.experimentId, b.experimentId) || a.timeUs - b.timeUs || rank(a) - rank(b));
    const results = this.results
      .filter((r) => r.projectId === projectId)
      .map(({ projectId: _, ...r }) => r)
      .sort((a, b) => byText(a.experimentId, b.experimentId) || byText(a.itemId, b.itemId) || a.timeUs - b.timeUs);
    return Promise.resolve({ experiments, results });
  }

  appendRows(projectId: string, experiments: readonly ExperimentRecord[], results: readonly ExperimentResultRecord[]): Promise<void> {
    this.results.push(...results.map((r) => ({ ...r, projectId })));
    this.experiments.push(...experiments.map((e) => ({ ...e, projectId })));
    return Promise.resolve();
  }

  /** The newest row of each of the project's experiments, deletions included. */
  private latest(projectId: string): ExperimentRecord[] {
    const newest = new Map<string, ExperimentRow>();
    for (const e of this.experiments) {
      if (e.projectId !== projectId) continue;
      const had = newest.get(e.experimentId);
      if (had === undefined || e.timeUs > had.timeUs || (e.timeUs === had.timeUs && rank(e) > rank(had))) newest.set(e.experimentId, e);
    }
    return [...newest.values()].map(({ projectId: _, ...e }) => e);
  }

  /** The project's live experiments, newest made first. */
  private live(projectId: string): ExperimentRecord[] {
    return this.latest(projectId)
      .filter((e) => !e.deleted)
      .sort((a, b) => b.createdUs - a.createdUs || byText(b.experimentId, a.experimentId));
  }

  /** The newest result of each item of these experiments. */
  private latestResults(projectId: string, experimentIds: ReadonlySet<string>): ExperimentResultRecord[] {
    const newest = new Map<string, ResultRow>();
    for (const r of this.results) {
      if (r.projectId !== projectId || !experimentIds.has(r.experimentId)) continue;
      const key = `${r.experimentId} ${r.itemId}`;
      const had = newest.get(key);
      if (had === undefined || r.timeUs > had.timeUs) newest.set(key, r);
    }
    return [...newest.values()].map(({ projectId: _, ...r }) => r);
  }
}

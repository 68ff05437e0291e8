import { randomBytes } from 'node:crypto';
import {
  type Dataset,
  type DatasetItem,
  type DatasetItemsResponse,
  type Experiment,
  type ExperimentResult,
  type ExperimentResultsResponse,
  type ExperimentTarget,
  type Attributes,
  type FetchedPrompt,
  type NewExperiment,
  type NewExperimentResult,
  type ComparedItemDetail,
  type ExperimentComparison,
  type TraceDiff,
  experimentNameProblem,
  scoreProblem,
} from '@spoor/model';
import { AppError } from '../errors.js';
import { type Json, parseJson } from '../json.js';
import { decodeCursor, encodeCursor } from '../query/cursor.js';
import { compareExperiments, compareItem } from '../query/experiment-compare.js';
import type { Replayer } from '../replay/replayer.js';
import { Shares } from '../shares.js';
import type { ExperimentRecord, ExperimentResultRecord, ExperimentResultTotals } from '../store/ports/experiments.js';
import { type ItemScores, experimentOf, resultOf, summarizeScores } from './experiment-answers.js';
import type { ExperimentCalls } from './experiment-backend.js';
import { type ExperimentEvaluator, type ItemRun, type JudgingBackend, recordRuns } from './experiment-judging.js';
import { type CallOfItem, callOfItem, callOfPromptItem } from './experiment-llm.js';
import { LlmCallRun } from './experiment-run.js';

/** What experiments need of the database thread (the main thread's `DbClient` has it all). */
export interface ExperimentBackend {
  readonly experiments: JudgingBackend['experiments'] & {
    put(projectId: string, record: ExperimentRecord): Promise<void>;
    get(projectId: string, experimentId: string): Promise<ExperimentRecord | null>;
    latestByName(projectId: string, name: string): Promise<ExperimentRecord | null>;
    list(projectId: string, dataset: string | null, limit: number): Promise<ExperimentRecord[]>;
    results(projectId: string, experimentId: string, afterItemId: string | null, limit: number): Promise<ExperimentResultRecord[]>;
    totals(projectId: string, experimentIds: readonly string[]): Promise<ExperimentResultTotals[]>;
  } & Pick<ExperimentCalls, 'items' | 'sourceSpans' | 'scores' | 'scoreSummaries'>;
  readonly datasets: {
    get(projectId: string, name: string, version: number | null): Promise<Json<Dataset>>;
    items(projectId: string, name: string, version: number | null, limit: number, cursor: string | null): Promise<Json<DatasetItemsResponse>>;
  };
  readonly traces: { diff(projectId: string, a: string, b: string): Promise<Json<TraceDiff>> };
  /** A prompt version a prompt experiment runs (`prompts/`); 404 for one the project lacks. */
  readonly prompts: { get(projectId: string, name: string, query: { version: number }): Promise<FetchedPrompt> };
}

export interface ExperimentServiceOptions {
  db: ExperimentBackend;
  /** The project's evaluators an experiment names, ready to judge (`EvaluatorService.forExperiment`). */
  evaluators: (projectId: string, names: readonly string[]) => Promise<ExperimentEvaluator[]>;
  replayer: Replayer;
  visible: () => Promise<void>;
  nowUs?: () => number;
  onError?: (message: string, data: Record<string, unknown>) => void;
  /** LLM-call experiments running at once, per project and on this server; past it a start is refused (429/503). Default: no bound. */
  running?: Shares;
}

const ID = /^[0-9a-f]{32}$/;
const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 64;
/** Results (with their items and scores) read at once for a comparison. */
const SUMMARY_PAGE = 5000;
/** Experiments of a project a start looks through for ones left running. */
const ORPHANS_READ = 1000;

/**
 * Experiments through the API: made (an LLM-call one then runs here, in the background, until
 * done or this server stops), their results recorded (an SDK one posts them), read, finished,
 * deleted. An item's run is judged by the experiment's evaluators with its expected output.
 */
export class ExperimentService {
  private readonly nowUs: () => number;
  private readonly runs = new Map<string, LlmCallRun>();
  /** Each run here until its end is written (or, deleted, is not). */
  private readonly ended = new Set<Promise<void>>();
  private readonly running: Shares;

  constructor(private readonly options: ExperimentServiceOptions) {
    this.nowUs = options.nowUs ?? (() => Date.now() * 1000);
    const unbounded = { project: 0, server: 0 };
    this.running = options.running ?? new Shares({ what: 'running experiments', flag: '--experiments-max', limits: unbounded, retryAfterSeconds: 30 });
  }

  async create(projectId: string, body: NewExperiment): Promise<Experiment> {
    const { db } = this.options;
    const nameProblem = experimentNameProblem(body.name);
    if (nameProblem !== null) throw new AppError('ERR_BAD_REQUEST', nameProblem);
    const target = checkedTarget(body.target, this.options.replayer.names());
    const names = [...new Set(body.evaluators ?? [])];
    const evaluators = await this.options.evaluators(projectId, names);
    // 404 for an unknown dataset or version, as GET /api/datasets/:name says it.
    const dataset = parseJson(await db.datasets.get(projectId, body.dataset, body.datasetVersion ?? null));
    const nowUs = this.nowUs();
    const record: ExperimentRecord = {
      experimentId: randomBytes(16).toString('hex'),
      name: body.name,
      dataset: dataset.name,
      datasetVersion: dataset.version,
      target: JSON.stringify(target),
      evaluators: JSON.stringify(names),
      metadata: JSON.stringify(body.metadata ?? {}),
      state: 'running',
      error: null,
      itemCount: dataset.itemCount,
      createdUs: nowUs,
      timeUs: nowUs,
      finishedUs: null,
      deleted: false,
    };
    const calls = await this.callsOf(projectId, target);
    if (calls === null) {
      await db.experiments.put(projectId, record);
      return experimentOf(record, undefined, []);
    }
    // Refused (429/503, naming --experiments-max) before anything is written.
    const release = this.running.acquire(projectId);
    try {
      await db.experiments.put(projectId, record);
    } catch (error) {
      release();
      throw error;
    }
    const run = new LlmCallRun({
      db,
      projectId,
      experiment: record,
      ...calls,
      evaluators,
      replayer: this.options.replayer,
      visible: this.options.visible,
      nowUs: this.nowUs,
      concurrency: body.concurrency ?? DEFAULT_CONCURRENCY,
      stands: async () => (await db.experiments.get(projectId, record.experimentId)) !== null,
    });
    this.runs.set(record.experimentId, run);
    const ended: Promise<void> = run
      .run()
      .then(async (error) => {
        // A deleted experiment stays deleted: its stopped run must not write a newer row over the
        // deletion. Deleted here, the run knows; by another server sharing the store, the store says.
        if (run.cancelled || (await db.experiments.get(projectId, record.experimentId)) === null || run.cancelled) return;
        await this.end(projectId, record, error);
      })
      .catch((error: unknown) => this.options.onError?.('an experiment could not be ended', { projectId, experiment: record.experimentId, err: error }))
      .finally(() => {
        this.runs.delete(record.experimentId);
        this.ended.delete(ended);
        release();
      });
    this.ended.add(ended);
    return experimentOf(record, undefined, []);
  }

  async get(projectId: string, ref: string): Promise<Experiment> {
    return this.answer(projectId, await this.found(projectId, ref));
  }

  async list(projectId: string, dataset: string | null, limit: number): Promise<Experiment[]> {
    const { db } = this.options;
    const records = await db.experiments.list(projectId, dataset, limit);
    const ids = records.map((r) => r.experimentId);
    const [totals, scores] = await Promise.all([db.experiments.totals(projectId, ids), db.experiments.scoreSummaries(projectId, ids)]);
    return records.map((r) =>
      experimentOf(
        r,
        totals.find((t) => t.experimentId === r.experimentId),
        scores.get(r.experimentId) ?? [],
      ),
    );
  }

  async results(projectId: string, ref: string, limit: number, cursor: string | null): Promise<ExperimentResultsResponse> {
    const record = await this.found(projectId, ref);
    const after = cursor === null ? null : decodeCursor(cursor).id;
    const rows = await this.options.db.experiments.results(projectId, record.experimentId, after, limit + 1);
    const page = rows.slice(0, limit);
    return {
      experiment: record.experimentId,
      results: await this.withItems(projectId, record, page),
      nextCursor: rows.length > limit && page.length > 0 ? encodeCursor({ timeUs: 0, id: page.at(-1)!.itemId }) : null,
    };
  }

  /** Every result of an experiment, by item id, with items and scores: what a comparison reads. */
  async allResults(projectId: string, record: ExperimentRecord): Promise<ExperimentResult[]> {
    const out: ExperimentResult[] = [];
    let after: string | null = null;
    for (;;) {
      const rows = await this.options.db.experiments.results(projectId, record.experimentId, after, SUMMARY_PAGE);
      out.push(...(await this.withItems(projectId, record, rows)));
      if (rows.length < SUMMARY_PAGE) return out;
      after = rows.at(-1)!.itemId;
    }
  }

  /**
   * Records what the SDK ran of an `sdk` experiment's items: their traces read (tokens, cost),
   * judged by the experiment's evaluators, the SDK's own scores stored; answers the results.
   */
  async addResults(projectId: string, ref: string, posted: readonly NewExperimentResult[]): Promise<ExperimentResult[]> {
    const record = await this.found(projectId, ref);
    const target = JSON.parse(record.target) as ExperimentTarget;
    if (target.kind !== 'sdk')
      throw new AppError('ERR_CONFLICT', `experiment ${record.experimentId} is an ${target.kind} experiment: the server runs its items`);
    if (record.state !== 'running')
      throw new AppError('ERR_CONFLICT', `experiment ${record.experimentId} is ${record.state}: results are recorded only while it runs`);
    const ids = [...new Set(posted.map((r) => r.itemId))];
    const items = new Map((await this.options.db.experiments.items(projectId, record.dataset, record.datasetVersion, ids)).map((i) => [i.itemId, i]));
    const unknown = posted.findIndex((r) => !items.has(r.itemId));
    if (unknown !== -1)
      throw new AppError(
        'ERR_BAD_REQUEST',
        `results[${unknown}].itemId: ${posted[unknown]!.itemId} is not an item of ${record.dataset} version ${record.datasetVersion}`,
      );
    for (const [i, r] of posted.entries()) {
      for (const [j, score] of (r.scores ?? []).entries()) {
        const problem = scoreProblem(score);
        if (problem !== null) throw new AppError('ERR_BAD_REQUEST', `results[${i}].scores[${j}].${problem}`);
      }
    }
    const timeUs = this.nowUs();
    const runs: ItemRun[] = posted.map((r) => ({
      item: items.get(r.itemId)!,
      result: {
        experimentId: record.experimentId,
        itemId: r.itemId,
        traceId: r.traceId?.toLowerCase() ?? null,
        spanId: null,
        output: r.error != null || r.output === undefined ? null : JSON.stringify(r.output),
        error: r.error ?? null,
        latencyMs: r.latencyMs ?? null,
        inputTokens: null,
        outputTokens: null,
        costUsd: null,
        timeUs,
        unpricedCalls: null,
      },
      clientScores: (r.scores ?? []).map((s) => ({ name: s.name, value: s.value ?? null, label: s.label ?? null, comment: s.comment ?? null })),
    }));
    const evaluators = await this.options.evaluators(projectId, JSON.parse(record.evaluators) as string[]);
    const written = await recordRuns(
      { db: this.options.db, projectId, experiment: record, evaluators, visible: this.options.visible, nowUs: this.nowUs },
      runs,
    );
    return this.withItems(projectId, record, written);
  }

  /** Ends an `sdk` experiment: done, or failed with why. */
  async finish(projectId: string, ref: string, error: string | null): Promise<Experiment> {
    const record = await this.found(projectId, ref);
    if (record.state !== 'running') throw new AppError('ERR_CONFLICT', `experiment ${record.experimentId} is already ${record.state}`);
    if ((JSON.parse(record.target) as ExperimentTarget).kind !== 'sdk')
      throw new AppError('ERR_CONFLICT', `experiment ${record.experimentId} is run by the server: it ends by itself`);
    return this.answer(projectId, await this.end(projectId, record, error));
  }

  async delete(projectId: string, ref: string): Promise<void> {
    const record = await this.found(projectId, ref);
    this.runs.get(record.experimentId)?.cancel();
    await this.options.db.experiments.put(projectId, { ...record, timeUs: Math.max(this.nowUs(), record.timeUs + 1), deleted: true });
  }

  /** Two experiments item by item (A the baseline): `GET /api/experiments/:a/compare/:b`. */
  async compare(projectId: string, aRef: string, bRef: string): Promise<ExperimentComparison> {
    const [a, b] = await Promise.all([this.found(projectId, aRef), this.found(projectId, bRef)]);
    const [aResults, bResults, totals] = await Promise.all([
      this.allResults(projectId, a),
      this.allResults(projectId, b),
      this.options.db.experiments.totals(projectId, [a.experimentId, b.experimentId]),
    ]);
    const of = (r: ExperimentRecord, results: readonly ExperimentResult[]) =>
      experimentOf(
        r,
        totals.find((t) => t.experimentId === r.experimentId),
        summarizeScores(results.filter((x) => x.error === null).map((x) => x.scores)),
      );
    return compareExperiments(of(a, aResults), of(b, bResults), aResults, bResults);
  }

  /** One item of a comparison, with the trace diff of its two runs. */
  async compareItem(projectId: string, aRef: string, bRef: string, itemId: string): Promise<ComparedItemDetail> {
    const [a, b] = await Promise.all([this.found(projectId, aRef), this.found(projectId, bRef)]);
    const [aResult, bResult] = await Promise.all([this.oneResult(projectId, a, itemId), this.oneResult(projectId, b, itemId)]);
    if (aResult === null && bResult === null)
      throw new AppError('ERR_NOT_FOUND', `item ${itemId} has no result in experiment ${a.experimentId} or ${b.experimentId}`);
    const item = compareItem(itemId, aResult, bResult);
    const traceDiffDetail =
      aResult?.traceId != null && bResult?.traceId != null ? parseJson(await this.options.db.traces.diff(projectId, aResult.traceId, bResult.traceId)) : null;
    return { ...item, traceDiffDetail };
  }

  private async oneResult(projectId: string, record: ExperimentRecord, itemId: string): Promise<ExperimentResult | null> {
    // The result of the item is the first at or after the id just below it.
    const below = (BigInt(`0x${itemId}`) - 1n).toString(16).padStart(32, '0');
    const [row] = await this.options.db.experiments.results(projectId, record.experimentId, itemId === '0'.repeat(32) ? null : below, 1);
    if (row === undefined || row.itemId !== itemId) return null;
    const [result] = await this.withItems(projectId, record, [row]);
    return result ?? null;
  }

  /**
   * Fails the LLM-call experiments a server that stopped without ending them left `running` (a
   * crash): called at start by a server that is the store's only writer (DuckDB), where no other
   * server can be running them. How many it failed.
   */
  async failOrphans(projectIds: readonly string[]): Promise<number> {
    let failed = 0;
    for (const projectId of projectIds) {
      for (const record of await this.options.db.experiments.list(projectId, null, ORPHANS_READ)) {
        if (record.state !== 'running' || (JSON.parse(record.target) as ExperimentTarget).kind === 'sdk' || this.runs.has(record.experimentId)) continue;
        await this.end(projectId, record, 'the Spoor server running it stopped before it ended (its items recorded so far are kept)');
        failed++;
      }
    }
    return failed;
  }

  /** Stops the experiments running here; each is recorded as failed, with what it had done. */
  async close(): Promise<void> {
    const running = [...this.runs.values()];
    for (const run of running) run.stop('this Spoor server stopped while the experiment ran');
    // Until each end is written: the store closes after this.
    await Promise.allSettled([...this.ended]);
  }

  /**
   * The calls a server-run experiment's items make: a recorded call changed, or a prompt version
   * (read now: a version is never rewritten) compiled with each item's input; `null` for an SDK one.
   */
  private async callsOf(projectId: string, target: ExperimentTarget): Promise<{ callOf: CallOfItem; attributes?: Attributes } | null> {
    if (target.kind === 'sdk') return null;
    if (target.kind === 'llm-call') return { callOf: (item, source) => callOfItem(item, target, source) };
    const prompt = await this.options.db.prompts.get(projectId, target.name, { version: target.version });
    const model = target.model ?? prompt.config.model;
    if (model === null)
      throw new AppError('ERR_BAD_REQUEST', `target.model: prompt ${target.name} version ${target.version} names no model in its config: give one`);
    return {
      callOf: (item) => callOfPromptItem(item, prompt, { ...target, model }),
      attributes: { 'spoor.prompt.name': prompt.name, 'spoor.prompt.version': String(prompt.version) },
    };
  }

  /** An experiment by id, or the newest of a name; 404 when none. */
  async found(projectId: string, ref: string): Promise<ExperimentRecord> {
    const { db } = this.options;
    const record = ID.test(ref) ? await db.experiments.get(projectId, ref) : await db.experiments.latestByName(projectId, ref);
    if (record === null) throw new AppError('ERR_NOT_FOUND', `no experiment ${ID.test(ref) ? ref : `named '${ref}'`}`);
    return record;
  }

  async answer(projectId: string, record: ExperimentRecord): Promise<Experiment> {
    const ids = [record.experimentId];
    const [[totals], scores] = await Promise.all([
      this.options.db.experiments.totals(projectId, ids),
      this.options.db.experiments.scoreSummaries(projectId, ids),
    ]);
    return experimentOf(record, totals, scores.get(record.experimentId) ?? []);
  }

  private async end(projectId: string, record: ExperimentRecord, error: string | null): Promise<ExperimentRecord> {
    const nowUs = this.nowUs();
    // A later row than the first, even within its microsecond: the newest row of an id wins.
    const ended: ExperimentRecord = {
      ...record,
      state: error === null ? 'done' : 'failed',
      error,
      timeUs: Math.max(nowUs, record.timeUs + 1),
      finishedUs: nowUs,
    };
    await this.options.db.experiments.put(projectId, ended);
    return ended;
  }

  private async withItems(projectId: string, record: ExperimentRecord, rows: readonly ExperimentResultRecord[]): Promise<ExperimentResult[]> {
    if (rows.length === 0) return [];
    const { db } = this.options;
    const items = new Map<string, DatasetItem>(
      (
        await db.experiments.items(
          projectId,
          record.dataset,
          record.datasetVersion,
          rows.map((r) => r.itemId),
        )
      ).map((i) => [i.itemId, i]),
    );
    const traceIds = rows.flatMap((r) => (r.traceId === null ? [] : [r.traceId]));
    const scores = traceIds.length === 0 ? new Map<string, ItemScores>() : await db.experiments.scores(projectId, traceIds);
    return rows.map((r) => resultOf(r, items.get(r.itemId), r.traceId === null ? undefined : scores.get(r.traceId)));
  }
}

/** The target as given (its fields checked by the route's schema), refused with a 400 when it names a provider this server lacks. */
function checkedTarget(target: ExperimentTarget, providers: readonly string[]): ExperimentTarget {
  if (target.kind !== 'sdk' && !providers.includes(target.provider)) {
    throw new AppError(
      'ERR_BAD_REQUEST',
      providers.length === 0
        ? `target.provider: this Spoor has no provider '${target.provider}' configured: start it with --provider ${target.provider}=env:${target.provider.toUpperCase()}_API_KEY (and ,base=URL for a gateway)`
        : `target.provider: this Spoor has no provider '${target.provider}' configured (it has ${providers.join(', ')})`,
    );
  }
  return target;
}

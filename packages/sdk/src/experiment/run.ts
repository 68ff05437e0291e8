import type { DatasetItem, DatasetItemsResponse, Experiment, ExperimentResult, JsonValue, NewExperiment, NewExperimentResult } from '@spoor/model';
import { flushSpans } from '../init.js';
import { apiTargetFrom } from '../replay/options.js';
import type { ReplaySession } from '../replay/session.js';
import { runtime } from '../runtime.js';
import { ExperimentApi, type ApiTarget } from './client.js';
import { ExperimentError } from './errors.js';
import { localScores, type ExperimentEvaluator, type LocalEvaluator } from './evaluators.js';
import { alwaysLiveFor, EXPERIMENT_REPLAYS, itemSession, type ExperimentReplay, type ItemReplayCounts, type ItemReplayPlan } from './item-replay.js';
import { messageOf, runItem, type ItemRun } from './item.js';

/** Options of {@link runExperiment}. */
export interface ExperimentOptions<O = unknown> {
  /** The dataset's name. */
  dataset: string;
  /** The dataset version to run. Default: its newest. */
  datasetVersion?: number;
  /** The experiment's name; runs of one suite share it (a name where an id is asked means its newest run). */
  name: string;
  /** Runs one item: what it returns (as JSON) is the item's output; what it throws makes the item errored. */
  task: (item: DatasetItem) => O | Promise<O>;
  /** Server evaluators by name and local evaluator functions, run on every answered item. Default: none. */
  evaluators?: ExperimentEvaluator[];
  /**
   * What each item's recording (its source trace) answers: `none` (default: every call live),
   * `tools` (its traced tools; every LLM call live) or `all-but-target` (every call that matches
   * its recording; a call that does not, and the calls named in `target`, live).
   */
  replay?: ExperimentReplay;
  /** Span names always made live: an LLM call's (`chat gpt-4o`), a tool's, or a step's (every call under it). */
  target?: string | string[];
  /** Items run at once. Default 4. */
  concurrency?: number;
  /** Stored with the experiment, e.g. the commit or prompt version it tests. */
  metadata?: Record<string, JsonValue>;
  /** The Spoor server. Default: `init()`'s `endpoint`. */
  endpoint?: string;
  /** A key that may read the dataset and traces and write the experiment: an admin key. Default: `init()`'s. */
  apiKey?: string;
}

/** One item's result as the server recorded it, with how its calls went. */
export interface ExperimentItemReport extends ExperimentResult {
  /** Calls answered from the item's recording and made live; `null` with `replay: 'none'`. */
  replay: ItemReplayCounts | null;
}

/** What {@link runExperiment} resolves to. */
export interface ExperimentReport {
  /** The experiment, finished: its score means, items done and errored, tokens and cost. */
  experiment: Experiment;
  /** Every item, in the dataset's order. */
  results: ExperimentItemReport[];
  /** The dataset's page on the Spoor dashboard, where the run shows among its experiments (pick two to compare). */
  url: string;
}

/** Items a results request carries at most: the server reads each item's trace and runs the evaluators on it. */
const RESULTS_PER_POST = 50;
/** Items a page of the dataset holds (the server's largest page). */
const ITEMS_PER_PAGE = 1000;
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 256;

/**
 * Runs `task` on every item of a dataset version as an experiment: each item a trace of its own
 * (root span `experiment <name>`), with `replay` answered from the recording of the trace the
 * item was taken from, scored by the server's evaluators named and your own functions, and
 * recorded on the Spoor server to compare with other runs. An item whose task throws is errored
 * and the experiment goes on. Rejects with an {@link ExperimentError} for an unknown dataset, a
 * refused key or an unreachable server. Call `init()` first: the items' traces go through it.
 * @example
 * init({ serviceName: 'support-agent' });
 * const report = await runExperiment({
 *   dataset: 'support-questions', name: 'prompt-v2', replay: 'all-but-target', target: 'answer',
 *   task: (item) => answerQuestion(item.input as string),
 *   evaluators: ['exact-answer', { name: 'short', evaluate: ({ output }) => String(output).length < 400 }],
 * });
 * await assertNoRegression(report, { baseline: 'prompt-v1' });
 */
export async function runExperiment<O>(options: ExperimentOptions<O>): Promise<ExperimentReport> {
  const run = resolved(options);
  const api = new ExperimentApi(run.api);
  const created: NewExperiment = {
    dataset: run.dataset,
    name: run.name,
    target: { kind: 'sdk', replay: run.replay },
    evaluators: run.serverEvaluators,
    metadata: run.metadata,
  };
  if (run.datasetVersion !== undefined) created.datasetVersion = run.datasetVersion;
  const experiment = await api.post<Experiment>('/api/experiments', created, `start experiment '${run.name}' on dataset '${run.dataset}'`);
  const path = `/api/experiments/${experiment.id}`;
  let results: ExperimentItemReport[];
  try {
    const items = await itemsOf(api, experiment);
    results = await runItems(api, experiment, items, run);
  } catch (error) {
    await api.post<Experiment>(`${path}/finish`, { error: messageOf(error) }, `mark experiment ${experiment.id} failed`).catch(() => undefined);
    throw error;
  }
  const finished = await api.post<Experiment>(`${path}/finish`, {}, `finish experiment ${experiment.id}`);
  return { experiment: finished, results, url: `${run.api.endpoint}/datasets/${encodeURIComponent(experiment.dataset)}` };
}

interface ResolvedRun {
  dataset: string;
  datasetVersion: number | undefined;
  name: string;
  task: (item: DatasetItem) => unknown;
  serverEvaluators: string[];
  localEvaluators: LocalEvaluator[];
  replay: ExperimentReplay;
  plan: ItemReplayPlan | undefined;
  concurrency: number;
  metadata: Record<string, JsonValue>;
  api: ApiTarget;
}

/** The options checked and filled in from `init()`; a mistake is an {@link ExperimentError} saying how to fix it. */
function resolved<O>(options: ExperimentOptions<O>): ResolvedRun {
  const bad = (message: string): never => {
    throw new ExperimentError('bad_options', `runExperiment(): ${message}`);
  };
  if (typeof options !== 'object' || options === null) bad('pass { dataset, name, task }');
  if (runtime.state !== 'enabled' || runtime.server === undefined) {
    throw new ExperimentError('not_initialized', 'runExperiment() needs init() first (and the SDK enabled): each item runs as a trace, sent through it');
  }
  const { dataset, datasetVersion, name, task, evaluators = [], replay = 'none', target = [], concurrency = DEFAULT_CONCURRENCY, metadata = {} } = options;
  if (typeof dataset !== 'string' || dataset === '') bad('dataset: the name of a dataset on the server');
  if (typeof name !== 'string' || name === '') bad('name: the experiment\'s name, e.g. "prompt-v2"');
  if (typeof task !== 'function') bad('task: a function (item) => output');
  if (datasetVersion !== undefined && (!Number.isInteger(datasetVersion) || datasetVersion < 1))
    bad(`datasetVersion: a version number, 1 or more (got ${String(datasetVersion)})`);
  if (!EXPERIMENT_REPLAYS.includes(replay)) bad(`replay: one of ${EXPERIMENT_REPLAYS.join(', ')} (got ${JSON.stringify(replay)})`);
  const targets = typeof target === 'string' ? [target] : target;
  if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string' || t === '')) bad('target: a span name or a list of them');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    bad(`concurrency: a whole number from 1 to ${MAX_CONCURRENCY} (got ${String(concurrency)})`);
  if (!Array.isArray(evaluators)) bad('evaluators: a list of server evaluator names and { name, evaluate } functions');
  const serverEvaluators: string[] = [];
  const localEvaluators: LocalEvaluator[] = [];
  for (const evaluator of evaluators) {
    if (typeof evaluator === 'string' && evaluator !== '') serverEvaluators.push(evaluator);
    else if (
      typeof evaluator === 'object' &&
      evaluator !== null &&
      typeof evaluator.name === 'string' &&
      evaluator.name !== '' &&
      typeof evaluator.evaluate === 'function'
    )
      localEvaluators.push(evaluator);
    else bad(`evaluators: ${JSON.stringify(evaluator)} is neither a server evaluator's name nor { name, evaluate }`);
  }
  const api: ApiTarget = apiTargetFrom(options.endpoint, options.apiKey, runtime.server);
  if (!/^https?:\/\/[^/\s]+/.test(api.endpoint)) bad(`endpoint: the http(s) URL of a Spoor server (got '${api.endpoint}')`);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '')) bad('apiKey: a non-empty key');
  const plan = replay === 'none' ? undefined : { replay, alwaysLive: alwaysLiveFor(replay, targets), api };
  return { dataset, datasetVersion, name, task, serverEvaluators, localEvaluators, replay, plan, concurrency, metadata, api };
}

/** Every item of the experiment's dataset version, page by page. */
async function itemsOf(api: ExperimentApi, experiment: Experiment): Promise<DatasetItem[]> {
  const items: DatasetItem[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `version=${experiment.datasetVersion}&limit=${ITEMS_PER_PAGE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page: DatasetItemsResponse = await api.get<DatasetItemsResponse>(
      `/api/datasets/${encodeURIComponent(experiment.dataset)}/items?${query}`,
      `read the items of dataset '${experiment.dataset}' version ${experiment.datasetVersion}`,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

/**
 * Runs the items, `concurrency` at once, and posts their results in batches while the others run:
 * the items' spans flushed first, so the server finds each item's trace when it reads it.
 */
async function runItems(api: ExperimentApi, experiment: Experiment, items: readonly DatasetItem[], run: ResolvedRun): Promise<ExperimentItemReport[]> {
  const sender = new ResultSender(api, experiment.id);
  const replays = new Map<string, ItemReplayCounts | null>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !sender.failed) {
      const item = items[next++]!;
      const outcome = await runOne(experiment, item, run);
      replays.set(item.itemId, outcome.replay);
      sender.add(await resultOf(item, outcome, run.localEvaluators));
    }
  };
  await Promise.all(Array.from({ length: Math.min(run.concurrency, Math.max(1, items.length)) }, worker));
  const recorded = await sender.drain();
  const byId = new Map(recorded.map((result) => [result.itemId, result]));
  return items.flatMap((item) => {
    const result = byId.get(item.itemId);
    return result === undefined ? [] : [{ ...result, replay: replays.get(item.itemId) ?? null }];
  });
}

/** One item: its recording read (an unreadable one errors the item, its task not run), then its task. */
async function runOne(experiment: Experiment, item: DatasetItem, run: ResolvedRun): Promise<ItemRun> {
  let session: ReplaySession | undefined;
  if (run.plan !== undefined) {
    try {
      session = await itemSession(run.plan, item.source);
    } catch (error) {
      return {
        traceId: '',
        output: null,
        error: messageOf(error),
        latencyMs: 0,
        replay: { traceId: item.source?.traceId ?? null, replayed: 0, live: 0, divergences: [] },
      };
    }
  }
  return runItem(experiment.name, { experimentId: experiment.id, itemId: item.itemId }, session, () => run.task(item));
}

async function resultOf(item: DatasetItem, outcome: ItemRun, evaluators: readonly LocalEvaluator[]): Promise<NewExperimentResult> {
  const result: NewExperimentResult = { itemId: item.itemId, traceId: outcome.traceId === '' ? null : outcome.traceId, latencyMs: outcome.latencyMs };
  if (outcome.error !== null) {
    result.error = outcome.error;
    return result;
  }
  result.output = outcome.output;
  if (evaluators.length > 0) {
    result.scores = await localScores(evaluators, { input: item.input, output: outcome.output, expectedOutput: item.expectedOutput, metadata: item.metadata });
  }
  return result;
}

/**
 * Posts results in batches of up to {@link RESULTS_PER_POST}, one request at a time, each after a
 * flush of the spans ended so far, while the next items run. Each request waits for the server to
 * see the flushed spans, reads the traces and judges them (80-285 ms a request in `npm run
 * bench:experiment-sdk` on a busy 2-core machine, whatever its size): posting as each item ends
 * made 7 requests of 100 items instead of 2, for no time saved. A failed post stops the run: the
 * items not yet run are not run.
 */
class ResultSender {
  private pending: NewExperimentResult[] = [];
  private sending: Promise<void> = Promise.resolve();
  private readonly recorded: ExperimentResult[] = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly api: ExperimentApi,
    private readonly experimentId: string,
  ) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  add(result: NewExperimentResult): void {
    this.pending.push(result);
    if (this.pending.length >= RESULTS_PER_POST) this.kick();
  }

  /** Sends what is pending; resolves with every result the server recorded, or rejects with the first failure. */
  async drain(): Promise<ExperimentResult[]> {
    this.kick();
    await this.sending;
    if (this.failure !== undefined) throw this.failure.error;
    return this.recorded;
  }

  private kick(): void {
    this.sending = this.sending.then(() => this.sendPending());
  }

  private async sendPending(): Promise<void> {
    while (this.pending.length > 0 && this.failure === undefined) {
      const batch = this.pending.splice(0, RESULTS_PER_POST);
      try {
        await flushSpans();
        const answer = await this.api.post<{ results: ExperimentResult[] }>(
          `/api/experiments/${this.experimentId}/results`,
          { results: batch },
          `record ${batch.length} result(s) of experiment ${this.experimentId}`,
        );
        this.recorded.push(...answer.results);
      } catch (error) {
        this.failure = { error };
      }
    }
  }
}

import type { Attributes, DatasetItem, DatasetItemsResponse } from '@spoor/model';
import { type Json, parseJson } from '../json.js';
import type { Replayer } from '../replay/replayer.js';
import type { ExperimentRecord } from '../store/ports/experiments.js';
import type { ExperimentCalls } from './experiment-backend.js';
import { type ExperimentEvaluator, type ItemRun, type JudgingBackend, recordRuns } from './experiment-judging.js';
import { type CallOfItem, type SourceSpan, erroredRun, itemTrace, runOfCall } from './experiment-llm.js';

/** Items read at once (with their recorded calls, in one read). */
const ITEM_PAGE = 1000;
/** Item runs recorded at once: their traces read, judged and written together, while the next calls go on. */
const RECORD_BATCH = 50;

export interface LlmCallRunOptions {
  db: {
    readonly experiments: JudgingBackend['experiments'] & Pick<ExperimentCalls, 'sourceSpans'>;
    readonly datasets: {
      items(projectId: string, name: string, version: number | null, limit: number, cursor: string | null): Promise<Json<DatasetItemsResponse>>;
    };
  };
  projectId: string;
  experiment: ExperimentRecord;
  /** The call each item makes (`experiment-llm.ts`): its recorded call changed, or a prompt version compiled with its input. */
  callOf: CallOfItem;
  /** On each item's root span besides the experiment's ids: the prompt version it ran. */
  attributes?: Attributes;
  evaluators: readonly ExperimentEvaluator[];
  replayer: Replayer;
  visible: () => Promise<void>;
  nowUs: () => number;
  concurrency: number;
  /** Whether the experiment still stands (not deleted, maybe by another server): asked before each batch is recorded. */
  stands: () => Promise<boolean>;
}

/**
 * An LLM-call experiment running on this server: each item's call made again with the target's
 * changes, `concurrency` at once, as a trace of its own; the runs recorded a batch at a time
 * behind the calls (their traces once visible, judged, written), so a slow judge never holds a
 * call back. An item whose provider fails is recorded as errored and the rest go on.
 */
export class LlmCallRun {
  /** Settles with `null` when every item ran, or with why the run stopped. */
  done: Promise<string | null> = Promise.resolve(null);
  private stopped: string | null = null;
  /** Deleted: nothing more of it is written, not even its end. */
  private cancelledFlag = false;
  /** Aborts the provider calls under way once the run is cancelled: nothing would record their answers. */
  private readonly cancelling = new AbortController();

  constructor(private readonly options: LlmCallRunOptions) {}

  run(): Promise<string | null> {
    this.done = this.loop();
    return this.done;
  }

  /** Starts no more items: those under way finish and are recorded, and the run ends with `reason`. */
  stop(reason: string): void {
    this.stopped ??= reason;
  }

  /** Starts no more items and records nothing more, not even the runs under way: the experiment is deleted. */
  cancel(): void {
    this.cancelledFlag = true;
    this.stop('the experiment was deleted');
    this.cancelling.abort();
  }

  /** Whether the run was cancelled (its experiment deleted): its end must not be written. */
  get cancelled(): boolean {
    return this.cancelledFlag;
  }

  private async loop(): Promise<string | null> {
    const { db, projectId, experiment, nowUs } = this.options;
    const judging = { db, projectId, experiment, evaluators: this.options.evaluators, visible: this.options.visible, nowUs };
    let recording: Promise<unknown> = Promise.resolve();
    const record = (runs: ItemRun[]): void => {
      recording = recording.then(async () => {
        // A deleted experiment's results are not written back: deleted here, or by another server sharing the store.
        if (!this.cancelledFlag && !(await this.options.stands())) this.cancel();
        if (this.cancelledFlag) return;
        await recordRuns(judging, runs);
      });
    };
    try {
      let cursor: string | null = null;
      do {
        const page: DatasetItemsResponse = parseJson(await db.datasets.items(projectId, experiment.dataset, experiment.datasetVersion, ITEM_PAGE, cursor));
        const sources = await this.sourcesOf(page.items);
        let next = 0;
        let batch: ItemRun[] = [];
        const worker = async (): Promise<void> => {
          while (next < page.items.length && this.stopped === null) {
            const item = page.items[next++]!;
            // Not `batch.push(await …)`: that reads `batch` before the await, and the array may have been recorded meanwhile.
            // The call waits for a slot of the provider calls all projects share (the replayer's).
            const run = await this.runItem(item, sources.get(sourceKey(item)));
            batch.push(run);
            if (batch.length >= RECORD_BATCH) {
              record(batch);
              batch = [];
            }
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, Math.min(this.options.concurrency, page.items.length)) }, worker));
        if (batch.length > 0) record(batch);
        cursor = page.nextCursor;
      } while (cursor !== null && this.stopped === null);
      await recording;
    } catch (error) {
      await recording.catch(() => undefined);
      return `the experiment stopped: ${(error as Error).message ?? String(error)}`;
    }
    return this.stopped;
  }

  /** The recorded spans of a page of items, read at once. */
  private async sourcesOf(items: readonly DatasetItem[]): Promise<Map<string, SourceSpan>> {
    const refs = items.flatMap((i) => (i.source?.spanId == null ? [] : [{ traceId: i.source.traceId, spanId: i.source.spanId }]));
    const spans = await this.options.db.experiments.sourceSpans(this.options.projectId, refs);
    return new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  }

  private async runItem(item: DatasetItem, source: SourceSpan | undefined): Promise<ItemRun> {
    const { projectId, experiment, nowUs } = this.options;
    const call = this.options.callOf(item, source);
    if (typeof call === 'string') return erroredRun(experiment.experimentId, item, call, null, nowUs());
    const started = performance.now();
    try {
      const made = await this.options.replayer.traced(
        projectId,
        call,
        itemTrace(experiment.experimentId, experiment.name, item, source, this.options.attributes),
        { cancel: this.cancelling.signal },
      );
      return runOfCall(experiment.experimentId, item, made, nowUs());
    } catch (error) {
      return erroredRun(experiment.experimentId, item, (error as Error).message ?? String(error), performance.now() - started, nowUs());
    }
  }
}

function sourceKey(item: DatasetItem): string {
  return item.source?.spanId == null ? '' : `${item.source.traceId}/${item.source.spanId}`;
}

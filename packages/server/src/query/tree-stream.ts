import { type Score, type TraceTree, type TreeChunkColumns, TreeStreamEncoder } from '@spoor/model';
import { AppError } from '../errors.js';
import { callGroup } from '../threads/groups.js';
import type { JsonUtf8 } from '../json.js';
import type { Store, TreeKey, TreePage } from '../store/store.js';
import type { StoredLog } from '../store/stored-trace.js';
import { scoreFromStored } from './convert.js';
import { traceTreeJson, treeTrailerJson } from './trace-json.js';
import { earliestStartUs, treeColumnsOf, treeJsonFrom } from './tree-json.js';
import { type RunningSpanView, runningTreeColumns } from './running.js';

/** A trace's running spans, with their state and duration so far; `endedUs` is when its ended spans last ended (0: none). */
export type RunningSpansOf = (projectId: string, traceId: string, endedUs: number) => Promise<RunningSpanView[]>;

/**
 * `/tree` as the binary stream of `@spoor/model`'s `tree-binary.ts`, made in the database thread a
 * page at a time: the route asks for the next page only once the socket has taken the last one,
 * so neither thread ever holds more than a page of a trace (a 1,000,000-span trace: 20 pages of
 * 50,000 spans, about 4 MB of frames each), and a client that goes away stops the reading at the
 * page it was on (the route closes its stream).
 *
 * A stream is kept here between calls (its string table and where its next page starts); one not
 * asked for within `IDLE_MS` is dropped when the next stream starts, in case a caller never
 * closed it.
 */

/** What a tree stream's call answers: frames to send in order (each owns its `ArrayBuffer`: they move between threads uncopied). */
export interface TreeFrames {
  stream: number;
  frames: Uint8Array[];
  /** The last frame (the trailer) is among these: the stream is closed. */
  done: boolean;
}

export interface TreeStreamOptions {
  /** Spans a page reads and a chunk carries. Default 50,000 (4 MB or so of frames). */
  treePageSpans?: number;
}

interface OpenTree {
  projectId: string;
  traceId: string;
  encoder: TreeStreamEncoder;
  after: TreeKey | null;
  sessionId: string | null;
  usedMs: number;
  /** When the spans sent so far last ended: what decides whether a running span is abandoned. */
  endedUs: number;
}

export const DEFAULT_TREE_PAGE_SPANS = 50_000;
const IDLE_MS = 60_000;

export class TreeStreams {
  private readonly open = new Map<number, OpenTree>();
  private nextId = 0;
  private readonly pageSpans: number;

  constructor(
    private readonly store: Pick<Store, 'traces' | 'scores' | 'sampling'>,
    options: TreeStreamOptions = {},
    private readonly runningOf: RunningSpansOf = async () => [],
    private readonly nowMs: () => number = Date.now,
  ) {
    this.pageSpans = options.treePageSpans ?? DEFAULT_TREE_PAGE_SPANS;
  }

  /** The header and the first chunk of a trace's stream (the whole stream when it fits a page); `null` when the project has no such trace. */
  async start(projectId: string, traceId: string): Promise<TreeFrames | null> {
    return this.startFrom(projectId, traceId, await this.store.traces.getTreePage(projectId, traceId, null, this.pageSpans));
  }

  /**
   * `TraceTree`, the JSON form: a trace of one page as that page's columns, a longer one written
   * column by column from its stream's frames (`treeJsonFrom`), read a page at a time. For one
   * page, the frames' way took twice as long (50,000 spans); for a million spans, it kept the
   * peak RSS at 933 MiB where a million rows read at once reached 1,900 MiB.
   */
  async json(projectId: string, traceId: string): Promise<JsonUtf8<TraceTree> | null> {
    // One span more than a page: a trace of exactly a page is still one page.
    const page = await this.store.traces.getTreePage(projectId, traceId, null, this.pageSpans + 1);
    if (page.columns.spanIds.length > this.pageSpans) {
      const frames = await this.framesFrom(await this.startFrom(projectId, traceId, page));
      return frames === null ? null : treeJsonFrom(frames);
    }
    const running = await this.runningOf(projectId, traceId, endOf(page.columns));
    if (page.last === null && running.length === 0 && !(await this.sampledOut(projectId, traceId))) return null;
    // The one page's bounds: its logs are read right after it, without finding the trace's parts again.
    const [logs, scores] = await this.logsAndScores(projectId, traceId, page.bounds);
    const chunks = running.length === 0 ? [page.columns] : [page.columns, runningTreeColumns(running)];
    return traceTreeJson(traceId, treeColumnsOf(chunks, page.sessionId ?? sessionOf(running)), logs, scores);
  }

  private async startFrom(projectId: string, traceId: string, page: TreePage): Promise<TreeFrames | null> {
    const now = this.nowMs();
    for (const [id, tree] of this.open) if (now - tree.usedMs > IDLE_MS) this.open.delete(id);
    if (page.last === null) {
      // No span of it ended yet: its running spans alone, if it has any.
      const running = await this.runningOf(projectId, traceId, 0);
      // A sampled-out trace's spans are statistics only (`sql/span-stats.ts`): its stream has none, and says why.
      if (running.length === 0 && !(await this.sampledOut(projectId, traceId))) return null;
      const columns = runningTreeColumns(running);
      const encoder = new TreeStreamEncoder(traceId, earliestStartUs(columns));
      const tree: OpenTree = { projectId, traceId, encoder, after: null, sessionId: sessionOf(running), usedMs: now, endedUs: 0 };
      return { stream: ++this.nextId, frames: [encoder.header(), encoder.chunk(columns), ...(await this.trailer(tree))], done: true };
    }
    // The first page holds the earliest spans, in any order of its own; running spans start
    // after their trace's first span, which ended or is in this page if any span ended.
    const encoder = new TreeStreamEncoder(traceId, earliestStartUs(page.columns));
    const tree: OpenTree = { projectId, traceId, encoder, after: page.last, sessionId: page.sessionId, usedMs: now, endedUs: endOf(page.columns) };
    const stream = ++this.nextId;
    const frames = [encoder.header(), encoder.chunk(page.columns)];
    if (page.columns.spanIds.length < this.pageSpans) return { stream, frames: [...frames, ...(await this.end(tree))], done: true };
    this.open.set(stream, tree);
    return { stream, frames, done: false };
  }

  /** The next chunk of an open stream, and its end after the last. */
  async next(stream: number): Promise<TreeFrames> {
    const tree = this.open.get(stream);
    if (tree === undefined) throw new AppError('ERR_NOT_FOUND', `tree stream ${stream} is not open`);
    tree.usedMs = this.nowMs();
    const page = await this.store.traces.getTreePage(tree.projectId, tree.traceId, tree.after, this.pageSpans);
    const frames = page.last === null ? [] : [tree.encoder.chunk(page.columns)];
    if (page.last !== null) tree.after = page.last;
    tree.endedUs = Math.max(tree.endedUs, endOf(page.columns));
    tree.sessionId ??= page.sessionId;
    if (page.columns.spanIds.length === this.pageSpans) return { stream, frames, done: false };
    this.open.delete(stream);
    return { stream, frames: [...frames, ...(await this.end(tree))], done: true };
  }

  /** Every frame of a trace's stream from its first answer on, read to the end (the JSON form is written from them). */
  private async framesFrom(first: TreeFrames | null): Promise<Uint8Array[] | null> {
    let answer = first;
    if (answer === null) return null;
    const frames = [...answer.frames];
    try {
      while (!answer.done) {
        answer = await this.next(answer.stream);
        frames.push(...answer.frames);
      }
    } finally {
      if (!answer.done) this.close(answer.stream);
    }
    return frames;
  }

  /** Forgets a stream its caller stopped reading; `false` when it was not open. */
  close(stream: number): boolean {
    return this.open.delete(stream);
  }

  /** The last frames: a chunk of the trace's running spans, if it has any, then the trailer. */
  private async end(tree: OpenTree): Promise<Uint8Array[]> {
    const running = await this.runningOf(tree.projectId, tree.traceId, tree.endedUs);
    const frames = running.length === 0 ? [] : [tree.encoder.chunk(runningTreeColumns(running))];
    tree.sessionId ??= sessionOf(running);
    return [...frames, ...(await this.trailer(tree))];
  }

  private async sampledOut(projectId: string, traceId: string): Promise<boolean> {
    return (await this.store.sampling.decisionsOf(projectId, [traceId])).get(traceId) === false;
  }

  private async trailer(tree: OpenTree): Promise<Uint8Array[]> {
    const { projectId, traceId, encoder } = tree;
    const [[logs, scores], decisions] = await Promise.all([this.logsAndScores(projectId, traceId), this.store.sampling.decisionsOf(projectId, [traceId])]);
    // Tail sampling: the trace page says a sampled-out trace is slim.
    return [encoder.trailer(treeTrailerJson(tree.sessionId, encoder.spanCount, logs, scores, decisions.get(traceId) === false))];
  }

  private async logsAndScores(projectId: string, traceId: string, bounds?: TreePage['bounds']): Promise<[StoredLog[], Score[]]> {
    const [logs, scores] = await Promise.all([
      this.store.traces.getTraceLogs(projectId, traceId, bounds),
      this.store.scores.scoresOfTraces(projectId, [traceId]),
    ]);
    return [logs, scores.map(scoreFromStored)];
  }
}

/** The buffers of a tree stream's answer, moved to the main thread instead of copied. */
export const treeFrameBuffers = (answer: TreeFrames | null): ArrayBuffer[] =>
  answer === null ? [] : answer.frames.map((frame) => frame.buffer as ArrayBuffer);

/** `/tree`'s binary stream on the database thread: a trace of any size, a page of spans a call, its frames moved uncopied. */
export const treeStreamCalls = callGroup(
  ({ queries }: { queries: { treeStreams: TreeStreams } }) => {
    const trees = queries.treeStreams;
    return {
      start: trees.start.bind(trees),
      next: trees.next.bind(trees),
      close: async (stream: number): Promise<boolean> => trees.close(stream),
    };
  },
  { answers: { start: treeFrameBuffers, next: treeFrameBuffers } },
);

/** The first session id a running span carries: the trace's, when no ended span carries one. */
const sessionOf = (running: readonly RunningSpanView[]): string | null => running.find((l) => l.span.sessionId !== null)?.span.sessionId ?? null;

/** When the spans of a chunk last ended (0: none). */
function endOf(c: TreeChunkColumns): number {
  let end = 0;
  for (let i = 0; i < c.startsUs.length; i++) end = Math.max(end, c.startsUs[i]! + c.durationsUs[i]!);
  return end;
}

import { type Score, type TraceTree, TreeStreamEncoder } from '@spoor/model';
import { AppError } from '../errors.js';
import type { JsonUtf8 } from '../json.js';
import type { ScoreStore, TraceReader, TreeKey, TreePage } from '../store/store.js';
import type { StoredLog } from '../store/stored-trace.js';
import { treeColumnsOfPage } from '../store/trace-tree-columns.js';
import { scoreFromStored } from './convert.js';
import { traceTreeJson, treeTrailerJson } from './trace-json.js';
import { treeJsonFrom } from './tree-json.js';

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
  after: TreeKey;
  sessionId: string | null;
  usedMs: number;
}

export const DEFAULT_TREE_PAGE_SPANS = 50_000;
const IDLE_MS = 60_000;

export class TreeStreams {
  private readonly open = new Map<number, OpenTree>();
  private nextId = 0;
  private readonly pageSpans: number;

  constructor(
    private readonly store: TraceReader & { readonly scores: ScoreStore },
    options: TreeStreamOptions = {},
    private readonly nowMs: () => number = Date.now,
  ) {
    this.pageSpans = options.treePageSpans ?? DEFAULT_TREE_PAGE_SPANS;
  }

  /** The header and the first chunk of a trace's stream (the whole stream when it fits a page); `null` when the project has no such trace. */
  async start(projectId: string, traceId: string): Promise<TreeFrames | null> {
    return this.startFrom(projectId, traceId, await this.store.getTreePage(projectId, traceId, null, this.pageSpans));
  }

  /**
   * `TraceTree`, the JSON form: a trace of one page as that page's columns, a longer one written
   * column by column from its stream's frames (`treeJsonFrom`), read a page at a time. For one
   * page, the frames' way took twice as long (50,000 spans); for a million spans, it kept the
   * peak RSS at 933 MiB where a million rows read at once reached 1,900 MiB.
   */
  async json(projectId: string, traceId: string): Promise<JsonUtf8<TraceTree> | null> {
    // One span more than a page: a trace of exactly a page is still one page.
    const page = await this.store.getTreePage(projectId, traceId, null, this.pageSpans + 1);
    if (page.last === null) return null;
    if (page.columns.spanIds.length > this.pageSpans) {
      const frames = await this.framesFrom(await this.startFrom(projectId, traceId, page));
      return frames === null ? null : treeJsonFrom(frames);
    }
    const [logs, scores] = await this.logsAndScores(projectId, traceId);
    return traceTreeJson(traceId, treeColumnsOfPage(page), logs, scores);
  }

  private async startFrom(projectId: string, traceId: string, page: TreePage): Promise<TreeFrames | null> {
    const now = this.nowMs();
    for (const [id, tree] of this.open) if (now - tree.usedMs > IDLE_MS) this.open.delete(id);
    // Running spans (their own table) are read at the end, in the last chunk: a trace of only
    // running spans has no page here, and answers 404 until that read can say otherwise.
    if (page.last === null) return null;
    // The first page holds the earliest spans, in any order of its own.
    let originUs = Infinity;
    for (let i = 0; i < page.columns.startsUs.length; i++) originUs = Math.min(originUs, page.columns.startsUs[i]!);
    const encoder = new TreeStreamEncoder(traceId, originUs);
    const tree: OpenTree = { projectId, traceId, encoder, after: page.last, sessionId: page.sessionId, usedMs: now };
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
    const page = await this.store.getTreePage(tree.projectId, tree.traceId, tree.after, this.pageSpans);
    const frames = page.last === null ? [] : [tree.encoder.chunk(page.columns)];
    if (page.last !== null) tree.after = page.last;
    tree.sessionId ??= page.sessionId;
    if (page.columns.spanIds.length === this.pageSpans) return { stream, frames, done: false };
    this.open.delete(stream);
    return { stream, frames: [...frames, ...(await this.end(tree))], done: true };
  }

  /** Every frame of a trace's stream, read to the end (the JSON form is written from them); `null` when the project has no such trace. */
  async frames(projectId: string, traceId: string): Promise<Uint8Array[] | null> {
    return this.framesFrom(await this.start(projectId, traceId));
  }

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

  /** Streams open now. */
  get openCount(): number {
    return this.open.size;
  }

  /** The last frames: a chunk of the trace's running spans (none yet: no store keeps them), then the trailer. */
  private async end(tree: OpenTree): Promise<Uint8Array[]> {
    const { projectId, traceId, encoder } = tree;
    const [logs, scores] = await this.logsAndScores(projectId, traceId);
    return [encoder.trailer(treeTrailerJson(tree.sessionId, encoder.spanCount, logs, scores))];
  }

  private async logsAndScores(projectId: string, traceId: string): Promise<[StoredLog[], Score[]]> {
    const [logs, scores] = await Promise.all([this.store.getTraceLogs(projectId, traceId), this.store.scores.scoresOfTraces(projectId, [traceId])]);
    return [logs, scores.map(scoreFromStored)];
  }
}

/** The buffers of a tree stream's answer, moved to the main thread instead of copied. */
export const treeFrameBuffers = (answer: TreeFrames | null): ArrayBuffer[] => (answer === null ? [] : answer.frames.map((frame) => frame.buffer as ArrayBuffer));

/** The database thread's calls of tree streams, for the registry. */
export function treeStreamCalls(trees: TreeStreams) {
  return {
    treeStreamStart: trees.start.bind(trees),
    treeStreamNext: trees.next.bind(trees),
    treeStreamClose: async (stream: number): Promise<boolean> => trees.close(stream),
  };
}

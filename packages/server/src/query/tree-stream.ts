import { TreeStreamEncoder } from '@spoor/model';
import { AppError } from '../errors.js';
import type { ScoreStore, TraceReader, TreeKey } from '../store/store.js';
import { scoreFromStored } from './convert.js';
import { treeTrailerJson } from './trace-json.js';

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
    const now = this.nowMs();
    for (const [id, tree] of this.open) if (now - tree.usedMs > IDLE_MS) this.open.delete(id);
    const page = await this.store.getTreePage(projectId, traceId, null, this.pageSpans);
    // Running spans (their own table) are read at the end, in the last chunk: a trace of only
    // running spans has no page here, and answers 404 until that read can say otherwise.
    if (page.last === null) return null;
    // Pages come in start order: the first span starts first.
    const encoder = new TreeStreamEncoder(traceId, page.columns.startsUs[0]!);
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
    const [logs, scores] = await Promise.all([this.store.getTraceLogs(projectId, traceId), this.store.scores.scoresOfTraces(projectId, [traceId])]);
    return [encoder.trailer(treeTrailerJson(tree.sessionId, encoder.spanCount, logs, scores.map(scoreFromStored)))];
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

import type { TimeRange, TraceSummaryRecord } from '@spoor/model';
import type { StoredSpan } from '../stored-trace.js';
import type { TimeKey } from './traces.js';

/** A running span as read: its newest snapshot (`endTimeUs` 0), and when the request that carried it was received. */
export interface StoredRunningSpan extends StoredSpan {
  receivedUs: number;
}

/**
 * A trace with running spans and none stored ended, summarized from its newest snapshots: its
 * start, root (else earliest) span's name and service, session and user. Its counts, tokens and
 * cost are those of ended spans (0, `null`): nothing counts a running span.
 */
export interface RunningTraceRecord extends TraceSummaryRecord {
  /** When its newest snapshot was received. */
  lastHeardUs: number;
}

/** The trace list's filters that a trace of running spans alone is held to (any snapshot of it matches); `null`: not filtered. */
export interface RunningTraceFilter {
  service: string | null;
  spanName: string | null;
  sessionId: string | null;
  /** Only these traces (the live list asks for the ones a commit touched); absent: every trace. */
  traceIds?: readonly string[];
}

/**
 * Running spans: snapshots of spans sent before they ended, written in write batches
 * (`running_spans`). Every read gives each span's newest snapshot (by the time its request was
 * received), and none of a span stored ended, whether or not the sweep has deleted it yet.
 */
export interface RunningSpanStore {
  /** The running spans of these traces (with `spanId`, that span alone), in start order. */
  ofTraces(projectId: string, traceIds: readonly string[], spanId?: string): Promise<StoredRunningSpan[]>;
  /** Per trace of these that has running spans, when its newest snapshot was received. */
  lastHeard(projectId: string, traceIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * As `lastHeard`, for the project's traces with running spans whose newest snapshot was received
   * at or after `sinceUs`, at most `limit` of them, the last heard kept: the traces a live list
   * may show running (older ones are abandoned already), found without knowing their ids.
   */
  recentlyHeard(projectId: string, sinceUs: number, limit: number): Promise<Map<string, number>>;
  /**
   * Traces with running spans and no span stored ended, starting in `range`, matching `filter`,
   * strictly older than `after` (by start, then trace id), newest first, at most `limit`.
   */
  listRunningTraces(projectId: string, range: TimeRange, filter: RunningTraceFilter, after: TimeKey | null, limit: number): Promise<RunningTraceRecord[]>;
  /**
   * Deletes, in every project, the snapshots of spans stored ended and those a newer snapshot of
   * their span replaced; returns how many rows are left (what reads look through).
   */
  sweep(): Promise<number>;
}

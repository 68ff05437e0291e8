import type { TimeRange, TraceQuery, TraceSummaryRecord, TraceTreeColumns } from '@spoor/model';
import type { ServiceRecord, TimeKey } from '../store.js';
import type { StoredLog, StoredTrace } from '../stored-trace.js';
import type { TraceTimings } from '../trace-timings.js';
import { type ChClient, notYet } from './client.js';

/** Traces: the list, a trace's spans, its waterfall columns and timings, in-trace search, services. */

export function listTraces(ch: ChClient, query: TraceQuery, after: TimeKey | null, limit: number): Promise<TraceSummaryRecord[]> {
  return notYet('listTraces', ch, query, after, limit);
}

export function getTrace(ch: ChClient, projectId: string, traceId: string, spanId?: string): Promise<StoredTrace | null> {
  return notYet('getTrace', ch, projectId, traceId, spanId);
}

export function getTraceTree(ch: ChClient, projectId: string, traceId: string): Promise<{ tree: TraceTreeColumns; logs: StoredLog[] } | null> {
  return notYet('getTraceTree', ch, projectId, traceId);
}

export function searchTrace(ch: ChClient, projectId: string, traceId: string, text: string, limit: number): Promise<string[]> {
  return notYet('searchTrace', ch, projectId, traceId, text, limit);
}

export function getTraceTimings(ch: ChClient, projectId: string, traceId: string): Promise<TraceTimings | null> {
  return notYet('getTraceTimings', ch, projectId, traceId);
}

export function listServices(ch: ChClient, projectId: string, range: TimeRange): Promise<ServiceRecord[]> {
  return notYet('listServices', ch, projectId, range);
}

/** Up to `perProject` spans of each project, the last stored first. */
export function recentSpanIds(ch: ChClient, perProject: number): Promise<Array<{ projectId: string; traceId: string; spanId: string }>> {
  return notYet('recentSpanIds', ch, perProject);
}

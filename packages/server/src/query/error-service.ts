import {
  FINGERPRINT_VERSION,
  isoFromMicros,
  type ErrorGroup,
  type ErrorGroupDetail,
  type ErrorGroupListResponse,
  type ErrorGroupStatus,
  type TimeRange,
} from '@spoor/model';
import { AppError } from '../errors.js';
import type { ErrorGroupQuery, ErrorGroupRecord, ErrorStore } from '../store/store.js';
import { decodeOffsetCursor, encodeOffsetCursor } from './cursor.js';

const HOUR_US = 3_600_000_000;
/** The hourly series covers the range, or the last day when the range is open; at most 30 days of hours. */
const DEFAULT_HOURS = 24;
const MAX_HOURS = 24 * 30;
const DETAIL_OCCURRENCES = 20;

/** What `GET /api/errors` asks for, resolved. */
export interface ErrorListQuery extends Omit<ErrorGroupQuery, 'fingerprint'> {
  limit: number;
  cursor: string | null;
}

/** Error groups: list, detail, and the status users set (resolve, ignore, reopen). */
export class ErrorService {
  constructor(private readonly store: ErrorStore) {}

  async listErrorGroups(query: ErrorListQuery, nowUs: number): Promise<ErrorGroupListResponse> {
    const offset = query.cursor === null ? 0 : decodeOffsetCursor(query.cursor);
    const rows = await this.store.listErrorGroups({ ...query, fingerprint: null }, offset, query.limit + 1);
    const page = rows.slice(0, query.limit);
    return {
      groups: await this.withHourly(query.projectId, page, query.range, nowUs),
      nextCursor: rows.length > query.limit ? encodeOffsetCursor(offset + query.limit) : null,
    };
  }

  async getErrorGroup(projectId: string, fingerprint: string, range: TimeRange, nowUs: number): Promise<ErrorGroupDetail> {
    const [record] = await this.store.listErrorGroups({ projectId, range, status: null, service: null, fingerprint, sort: 'lastSeen' }, 0, 1);
    if (record === undefined) throw new AppError('ERR_NOT_FOUND', `error group ${fingerprint} has no occurrences in the range`);
    const [group] = await this.withHourly(projectId, [record], range, nowUs);
    const occurrences = await this.store.listErrorOccurrences(projectId, fingerprint, range, DETAIL_OCCURRENCES);
    return {
      group: group!,
      occurrences: occurrences.map(({ timeUs, ...o }) => ({ time: isoFromMicros(timeUs), ...o })),
    };
  }

  async setErrorGroupStatus(projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<ErrorGroupDetail> {
    // Only a group that exists can be given a status: a typo must not create a phantom.
    await this.getErrorGroup(projectId, fingerprint, { fromUs: null, toUs: null }, nowUs);
    await this.store.setErrorGroupStatus(projectId, fingerprint, status, nowUs);
    return this.getErrorGroup(projectId, fingerprint, { fromUs: null, toUs: null }, nowUs);
  }

  private async withHourly(projectId: string, records: ErrorGroupRecord[], range: TimeRange, nowUs: number): Promise<ErrorGroup[]> {
    const toUs = range.toUs ?? nowUs;
    const lastHour = Math.floor((toUs - 1) / HOUR_US) * HOUR_US;
    const wanted = range.fromUs === null ? DEFAULT_HOURS : Math.ceil((toUs - range.fromUs) / HOUR_US);
    const hours = Math.min(MAX_HOURS, Math.max(1, wanted));
    const firstHour = lastHour - (hours - 1) * HOUR_US;
    const counts = await this.store.errorGroupHourly(
      projectId,
      records.map((r) => r.fingerprint),
      { fromUs: firstHour, toUs: lastHour + HOUR_US },
    );
    const byGroup = new Map<string, Map<number, number>>();
    for (const c of counts) {
      let hoursOf = byGroup.get(c.fingerprint);
      if (hoursOf === undefined) byGroup.set(c.fingerprint, (hoursOf = new Map()));
      hoursOf.set(c.hourUs, c.count);
    }
    return records.map((r) => {
      const hoursOf = byGroup.get(r.fingerprint);
      const hourly = Array.from({ length: hours }, (_, i) => {
        const hourUs = firstHour + i * HOUR_US;
        return { hour: isoFromMicros(hourUs), count: hoursOf?.get(hourUs) ?? 0 };
      });
      return groupFromRecord(r, hourly);
    });
  }
}

function groupFromRecord(r: ErrorGroupRecord, hourly: ErrorGroup['hourly']): ErrorGroup {
  const regressed = r.storedStatus === 'resolved' && r.resolvedUs !== null && r.lastSeenUs > r.resolvedUs;
  return {
    fingerprint: r.fingerprint,
    fingerprintVersion: FINGERPRINT_VERSION,
    exceptionType: r.exceptionType,
    messageKey: r.messageKey,
    frame: r.frame,
    provider: r.provider,
    httpStatus: r.httpStatus,
    errorType: r.errorType,
    finishReason: r.finishReason,
    toolName: r.toolName,
    sampleMessage: r.sampleMessage,
    status: regressed ? 'unresolved' : r.storedStatus,
    regressed,
    resolvedAt: r.resolvedUs === null ? null : isoFromMicros(r.resolvedUs),
    count: r.count,
    traceCount: r.traceCount,
    firstSeen: isoFromMicros(r.firstSeenUs),
    lastSeen: isoFromMicros(r.lastSeenUs),
    services: r.services,
    sampleTraceIds: r.sampleTraceIds,
    hourly,
  };
}

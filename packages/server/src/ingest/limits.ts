import type { LogRecordData, MetricPointRecord, SpanRecord } from '@spoor/model';

/**
 * The ranges every stored number must fall in, checked per record while a request is decoded:
 * a record outside them is rejected (and counted in `partial_success`), the rest of the request
 * is kept. Without this a single span with `flags: -1` was acknowledged and then refused by the
 * store on every try, holding up everything accepted after it.
 */

/** OTLP's `uint32` fields: flags and dropped counts. */
export const UINT32_MAX = 0xffff_ffff;

/**
 * The latest time Spoor keeps, in epoch microseconds: 2^53 - 1 µs, early in the year 2255. Times
 * are exact JavaScript integers up to here (OTLP's int64 nanoseconds end in 2262), and every
 * engine's 64-bit time column holds them.
 */
export const MAX_TIME_US = Number.MAX_SAFE_INTEGER;

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= UINT32_MAX;
}

function isTimeUs(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_TIME_US;
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A decimal integer text within int64: one of 18 digits or fewer always is. */
function isInt64Text(text: string): boolean {
  if (text.length <= 18) return true;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}

function uint32Problem(what: string, n: number): string {
  return `${what} ${n} is out of range (0 to ${UINT32_MAX})`;
}

function timeProblem(what: string, us: number): string {
  return `${what} ${us} µs is out of range (0 to ${MAX_TIME_US}, the year 2255)`;
}

/** Why a span cannot be stored as it is, or `null`. */
export function spanRangeProblem(s: Pick<SpanRecord, 'traceId' | 'spanId'> & SpanRanges): string | null {
  const problem = rangeProblem(s);
  return problem === null ? null : `span ${s.traceId}/${s.spanId}: ${problem}`;
}

/** What `spanRangeProblem` checks. */
export type SpanRanges = Pick<
  SpanRecord,
  'flags' | 'startTimeUs' | 'endTimeUs' | 'droppedAttributesCount' | 'droppedEventsCount' | 'droppedLinksCount' | 'events' | 'links'
>;

/** `spanRangeProblem` without the span it names: the column path asks only whether there is one, and makes no id strings for it. */
export function rangeProblem(s: SpanRanges): string | null {
  if (!isUint32(s.flags)) return uint32Problem('flags', s.flags);
  if (!isTimeUs(s.startTimeUs)) return timeProblem('start time', s.startTimeUs);
  if (!isTimeUs(s.endTimeUs)) return timeProblem('end time', s.endTimeUs);
  if (!isUint32(s.droppedAttributesCount)) return uint32Problem('droppedAttributesCount', s.droppedAttributesCount);
  if (!isUint32(s.droppedEventsCount)) return uint32Problem('droppedEventsCount', s.droppedEventsCount);
  if (!isUint32(s.droppedLinksCount)) return uint32Problem('droppedLinksCount', s.droppedLinksCount);
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i]!;
    if (!isTimeUs(e.timeUs)) return timeProblem(`events[${i}] time`, e.timeUs);
    if (!isUint32(e.droppedAttributesCount)) return uint32Problem(`events[${i}].droppedAttributesCount`, e.droppedAttributesCount);
  }
  for (let i = 0; i < s.links.length; i++) {
    const l = s.links[i]!;
    if (!isUint32(l.flags)) return uint32Problem(`links[${i}].flags`, l.flags);
    if (!isUint32(l.droppedAttributesCount)) return uint32Problem(`links[${i}].droppedAttributesCount`, l.droppedAttributesCount);
  }
  return null;
}

/** Why a log record cannot be stored as it is, or `null`. */
export function logRangeProblem(l: LogRecordData): string | null {
  if (!isTimeUs(l.timeUs)) return timeProblem('log record: time', l.timeUs);
  if (!isTimeUs(l.observedTimeUs)) return timeProblem('log record: observed time', l.observedTimeUs);
  if (!isUint32(l.flags)) return uint32Problem('log record: flags', l.flags);
  if (!isUint32(l.droppedAttributesCount)) return uint32Problem('log record: droppedAttributesCount', l.droppedAttributesCount);
  return null;
}

/** Why a metric data point cannot be stored as it is, or `null`. */
export function pointRangeProblem(p: MetricPointRecord): string | null {
  const at = `data point of metric '${p.name}'`;
  if (!isTimeUs(p.timeUs)) return timeProblem(`${at}: time`, p.timeUs);
  if (p.startTimeUs !== null && !isTimeUs(p.startTimeUs)) return timeProblem(`${at}: start time`, p.startTimeUs);
  if (!isUint32(p.flags)) return uint32Problem(`${at}: flags`, p.flags);
  // OTLP/JSON carries asInt as text of any length; the store's column is an int64.
  if (p.intValue !== null && !isInt64Text(p.intValue)) return `${at}: asInt ${p.intValue} is out of range (int64)`;
  if (p.scale !== null && !isInt32(p.scale)) return `${at}: scale ${p.scale} is out of range (int32)`;
  if (p.positive !== null && !isInt32(p.positive.offset)) return `${at}: positive.offset ${p.positive.offset} is out of range (int32)`;
  if (p.negative !== null && !isInt32(p.negative.offset)) return `${at}: negative.offset ${p.negative.offset} is out of range (int32)`;
  for (let i = 0; i < p.exemplars.length; i++) {
    const t = p.exemplars[i]!.timeUs;
    if (!isTimeUs(t)) return timeProblem(`${at}: exemplars[${i}] time`, t);
  }
  return null;
}

/**
 * Removes, in place, the records `problemOf` finds a problem with, and counts them; the order of
 * the rest is kept. Costs one pass of cheap comparisons and no allocation when all are fine.
 */
export function dropOutOfRange<T>(records: T[], problemOf: (record: T) => string | null, reject: (count: number, reason: string) => void): void {
  let kept = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const problem = problemOf(record);
    if (problem !== null) {
      reject(1, problem);
      continue;
    }
    if (kept !== i) records[kept] = record;
    kept++;
  }
  records.length = kept;
}

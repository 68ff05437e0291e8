import { SPAN_CATEGORIES, type SpanRecord } from '@spoor/model';

/**
 * What a critical path needs of a trace's spans, as columns: span `i` is element `i` of each.
 * Columns, not one object per span: a 50,000-span trace is read and walked without 50,000
 * allocations. Span ids are 16 lowercase hex digits (ingest checks that), so each is a 64-bit
 * number, kept as its high and low 32 bits; a span without a parent has parent 0:0, which is never
 * a valid span id.
 */
export interface TraceTimings {
  count: number;
  idHigh: Uint32Array;
  idLow: Uint32Array;
  parentHigh: Uint32Array;
  parentLow: Uint32Array;
  startUs: Float64Array;
  endUs: Float64Array;
  /** Index into `SPAN_CATEGORIES`. */
  category: Uint8Array;
  /** Span `i`'s name and service (looked up only for the spans an answer shows). */
  labelOf: (i: number) => SpanLabel;
  /** How many distinct labels the trace has. */
  labelCount: number;
}

/** The number columns of `TraceTimings` for `n` spans, zeroed, for a reader to fill. */
export type TimingColumns = Omit<TraceTimings, 'labelOf' | 'labelCount'>;

export function timingColumns(n: number): TimingColumns {
  return {
    count: n,
    idHigh: new Uint32Array(n),
    idLow: new Uint32Array(n),
    parentHigh: new Uint32Array(n),
    parentLow: new Uint32Array(n),
    startUs: new Float64Array(n),
    endUs: new Float64Array(n),
    category: new Uint8Array(n),
  };
}

/** What a span's id does not tell: its name and service. */
export interface SpanLabel {
  name: string;
  serviceName: string;
}

const HEX_WORD = 8;

/** Each byte's two hex digits. */
const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** The hex text of the id `high:low` (16 digits). By bytes: `Number#toString(16)` took 5 times as long. */
export function spanIdHex(high: number, low: number): string {
  const b = HEX_BYTES;
  return (
    b[high >>> 24]! +
    b[(high >>> 16) & 255]! +
    b[(high >>> 8) & 255]! +
    b[high & 255]! +
    b[low >>> 24]! +
    b[(low >>> 16) & 255]! +
    b[(low >>> 8) & 255]! +
    b[low & 255]!
  );
}

/** An id's high and low 32 bits; `null` becomes 0:0. */
function spanIdHalves(hex: string | null): [high: number, low: number] {
  if (hex === null) return [0, 0];
  if (!/^[0-9a-f]{16}$/.test(hex)) throw new Error(`'${hex}' is not a span id of 16 lowercase hex digits`);
  return [parseInt(hex.slice(0, HEX_WORD), 16), parseInt(hex.slice(HEX_WORD), 16)];
}

export type SpanTimingRow = Pick<SpanRecord, 'spanId' | 'parentSpanId' | 'name' | 'serviceName' | 'category' | 'startTimeUs' | 'endTimeUs'>;

/** Timings from spans as objects (stores that read rows, and tests). */
export function traceTimingsOf(rows: readonly SpanTimingRow[]): TraceTimings {
  const n = rows.length;
  const t: TraceTimings = {
    ...timingColumns(n),
    labelOf: (i) => labels[i]!,
    labelCount: new Set(rows.map((row) => JSON.stringify([row.name, row.serviceName]))).size,
  };
  const labels = rows.map((row): SpanLabel => ({ name: row.name, serviceName: row.serviceName }));
  rows.forEach((row, i) => {
    [t.idHigh[i], t.idLow[i]] = spanIdHalves(row.spanId);
    [t.parentHigh[i], t.parentLow[i]] = spanIdHalves(row.parentSpanId);
    t.startUs[i] = row.startTimeUs;
    t.endUs[i] = row.endTimeUs;
    t.category[i] = SPAN_CATEGORIES.indexOf(row.category);
  });
  return t;
}

/** The spans back as objects, in column order (tests, debugging). */
export function rowsOf(t: TraceTimings): SpanTimingRow[] {
  return Array.from({ length: t.count }, (_, i) => ({
    spanId: spanIdHex(t.idHigh[i]!, t.idLow[i]!),
    parentSpanId: t.parentHigh[i] === 0 && t.parentLow[i] === 0 ? null : spanIdHex(t.parentHigh[i]!, t.parentLow[i]!),
    ...t.labelOf(i),
    category: SPAN_CATEGORIES[t.category[i]!] ?? 'other',
    startTimeUs: t.startUs[i]!,
    endTimeUs: t.endUs[i]!,
  }));
}

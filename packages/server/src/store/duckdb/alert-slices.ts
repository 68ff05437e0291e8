import type { AlertSeriesQuery, AlertSeriesReader, AlertSeriesRow } from '../store.js';
import { type AlertSliceRow, type SlicedFn, alertSeries, alertSlices, combinePartials, emptyPartials, slicedFn } from '../sql/alert-series.js';
import type { SqlEngine } from '../sql/dialect.js';
import { SLICE_US, type SpanChanges } from './span-changes.js';

/** A window of fewer slices than this is read whole: slicing it would save little. */
const MIN_SLICES = 4;
/** A window asked for by no round in this long is forgotten (its rule was changed or deleted). */
const IDLE_MS = 10 * 60_000;
/**
 * Spans a window holds (of those appended since this start) before it is kept by slices: reading
 * a window's two edges costs two scans, more than one scan of a window this small.
 */
export const SLICES_FROM_SPANS = 50_000;
/** A window whose slices hold more rows than this (a `by` of very many values) is read whole every time. */
const MAX_ROWS = 100_000;

/** One window's whole slices, as read after transaction `seq`. */
interface Window {
  slices: Map<number, AlertSliceRow[]>;
  seq: number;
  generation: number;
  usedMs: number;
  /** The read in progress: reads of one window take turns. */
  turn: Promise<unknown>;
}

/**
 * The alert rules' reads of the sliced functions (those that add up: counts, errors, tokens,
 * cost, cost per workflow, min, max and mean durations), kept between rounds by slices of 15 s.
 *
 * A rule reads its whole window (5 minutes, an hour) every 15 s, and every statement read it all
 * again. Here a window is the whole slices within it, kept from the rounds before, and its two
 * cut slices at the edges, read each time. What commits changed is read again: the writer notes,
 * per transaction and project, the earliest end among the spans it appends (`SpanChanges`), and
 * a round drops every slice from the earliest end appended after the transaction its window was
 * last read after (the writer's last committed number then: every statement started since sees
 * it). For cost per workflow, a new part of a trace changes the cost of every root of the trace
 * stored before, in the slice that root ended in, no earlier than the start of the part that
 * holds it, which one statement finds. Any other change to spans (re-pricing, retention, tail
 * sampling's moves, which slim attributes, a database attached again) drops every slice
 * (`spansChanged`).
 *
 * Slices pay once a window holds many spans: reading its two edges is two scans where reading it
 * whole is one, so a window holding fewer than `SLICES_FROM_SPANS` of the spans appended since
 * this start (a quiet store, a server just restarted) is read whole.
 *
 * DuckDB only: there this server is the one writer, so the writer's number says what is
 * visible. Several servers write one ClickHouse, and read it whole as before.
 */
export class AlertSliceCache implements AlertSeriesReader {
  private readonly windows = new Map<string, Window>();
  private generation = 0;

  /** `fromSpans`: `SLICES_FROM_SPANS`, or 0 to keep every window by slices (the store contract). */
  constructor(
    private readonly db: SqlEngine,
    private readonly committedSeq: () => number,
    private readonly changes: SpanChanges,
    private readonly fromSpans = SLICES_FROM_SPANS,
  ) {}

  /** Spans changed other than by a commit: every slice is read again. */
  spansChanged(): void {
    this.generation++;
  }

  read(query: AlertSeriesQuery): Promise<AlertSeriesRow[]> {
    const fn = slicedFn(this.db.dialect, query);
    // Before 1970 SQL's integer division and the slices' numbers would round apart.
    if (fn === null || query.buckets !== 1 || query.stepUs < MIN_SLICES * SLICE_US || query.startUs < 0) return alertSeries(this.db, query);
    const nowMs = Date.now();
    for (const [key, window] of this.windows) if (nowMs - window.usedMs > IDLE_MS) this.windows.delete(key);
    const key = JSON.stringify([query.projectId, query.source, query.fn, query.matchers, query.by, query.stepUs]);
    if (this.changes.spansWithin(query.projectId, query.startUs, query.startUs + query.stepUs) < this.fromSpans) {
      this.windows.delete(key);
      return alertSeries(this.db, query);
    }
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { slices: new Map(), seq: 0, generation: this.generation, usedMs: nowMs, turn: Promise.resolve() };
      this.windows.set(key, window);
    }
    window.usedMs = nowMs;
    const own = window;
    const answer = own.turn.then(() => this.readWindow(own, query, fn));
    own.turn = answer.catch(() => undefined);
    return answer;
  }

  private async readWindow(window: Window, query: AlertSeriesQuery, fn: SlicedFn): Promise<AlertSeriesRow[]> {
    const generation = this.generation;
    const seq = this.committedSeq();
    const fromUs = query.startUs;
    const toUs = query.startUs + query.stepUs;
    // Whole slices [first, end); the parts of slices first - 1 and end within the window are its edges.
    const first = Math.ceil(fromUs / SLICE_US);
    const end = Math.floor(toUs / SLICE_US);
    if (window.generation !== generation) {
      window.slices.clear();
      window.generation = generation;
    }
    for (const k of window.slices.keys()) if (k < first || k >= end) window.slices.delete(k);
    if (window.slices.size > 0 && seq !== window.seq) {
      const sinceUs = await this.changedSince(query, window.seq, first * SLICE_US);
      if (sinceUs !== null) for (const k of window.slices.keys()) if ((k + 1) * SLICE_US > sinceUs) window.slices.delete(k);
    }
    const ranges: Array<[number, number]> = [];
    const add = (from: number, to: number): void => {
      if (from >= to) return;
      const last = ranges.at(-1);
      if (last !== undefined && last[1] === from) last[1] = to;
      else ranges.push([from, to]);
    };
    add(fromUs, first * SLICE_US);
    for (let k = first; k < end; k++) if (!window.slices.has(k)) add(k * SLICE_US, (k + 1) * SLICE_US);
    add(end * SLICE_US, toUs);
    const kept = [...window.slices.values()];
    const read = ranges.length === 0 ? [] : await alertSlices(this.db, query, fn, SLICE_US, ranges);
    this.keep(window, read, first, end, seq, generation);
    return combine(fn, query.stepUs / 1e6, [...kept, read]);
  }

  /** Keeps the whole slices just read, unless spans changed otherwise meanwhile. */
  private keep(window: Window, read: readonly AlertSliceRow[], first: number, end: number, seq: number, generation: number): void {
    if (this.generation !== generation) return;
    const fresh = new Map<number, AlertSliceRow[]>();
    for (let k = first; k < end; k++) if (!window.slices.has(k)) fresh.set(k, []);
    for (const row of read) fresh.get(row.slice)?.push(row);
    for (const [k, rows] of fresh) window.slices.set(k, rows);
    let rows = 0;
    for (const slice of window.slices.values()) rows += slice.length;
    if (rows > MAX_ROWS) window.slices.clear();
    window.seq = seq;
  }

  /**
   * The earliest time from which the window's slices may differ from what they held after
   * transaction `seq` (`-Infinity` for all of them), or `null` when nothing since touched them.
   */
  private async changedSince(query: AlertSeriesQuery, seq: number, fromUs: number): Promise<number | null> {
    const minEndUs = this.changes.since(seq, query.projectId);
    if (minEndUs === undefined) return -Infinity;
    if (minEndUs === null) return null;
    if (query.fn !== 'cost_per_workflow') return minEndUs;
    // A new part changes its trace's cost in the slice of every root of the trace stored before
    // (a trace may have more than one span without a parent): no earlier than the start of the
    // part that holds it. The new parts' own roots are among the new spans.
    const d = this.db.dialect;
    const p = d.params();
    const project = p.add(query.projectId);
    const after = p.int(seq);
    const sql = `SELECT min(start_us) AS since FROM ${d.tables.trace_parts}
      WHERE project_id = ${project} AND root_name IS NOT NULL AND end_us >= ${p.int(fromUs)} AND coalesce(commit_seq, 0) <= ${after}
        AND trace_id IN (SELECT trace_id FROM ${d.tables.trace_parts} WHERE project_id = ${project} AND commit_seq > ${after})`;
    const [roots] = await this.db.rows('find the roots of traces whose parts came after an alert window was read', sql, p, (r) => r.get('since'));
    return roots === null || roots === undefined ? minEndUs : Math.min(minEndUs, Number(roots));
  }
}

/** The window's value per group, from its slices' partials and its edges'. */
function combine(fn: SlicedFn, windowSeconds: number, parts: ReadonlyArray<readonly AlertSliceRow[]>): AlertSeriesRow[] {
  const groups = new Map<string, { labels: Array<string | null>; partials: number[] }>();
  for (const rows of parts) {
    for (const row of rows) {
      const key = JSON.stringify(row.labels);
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { labels: row.labels, partials: emptyPartials(fn) }));
      combinePartials(fn, group.partials, row.partials);
    }
  }
  return [...groups.values()].map(({ labels, partials }) => ({ labels, bucket: 0, value: fn.value(partials, windowSeconds) }));
}

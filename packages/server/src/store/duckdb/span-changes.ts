import { type Column, type TableBatch, textsOf } from '../columns.js';
import { SPANS } from '../tables.js';

/** Commits remembered: at capacity a commit every quarter second or so, so some minutes of them. */
const KEEP = 2_000;
/** The alert rounds' interval, and the slices alert windows are kept by (`AlertSliceCache`). */
export const SLICE_US = 15_000_000;
/** Slices whose spans are counted, per project: a day's, before the latest. */
const SLICES_COUNTED = 5_760;

const column = (name: string): number => SPANS.findIndex((c) => c.name === name);
const PROJECT = column('project_id');
const END = column('end_us');

/**
 * The earliest end among the spans each recent transaction appended, per project, and how many
 * spans end in each slice, noted by the writer as it appends (no statement reads it back). Alert
 * windows kept by slices (`AlertSliceCache`) ask what changed after the transaction they last
 * read to, and whether a window holds enough spans for slices to pay.
 */
export class SpanChanges {
  /** By transaction number, rising: per project, the earliest span end. */
  private readonly byTransaction = new Map<number, Map<string, number>>();
  /** Transactions up to this one are forgotten. */
  private forgottenUpTo = 0;
  /** Per project, the spans appended since this start by the slice their end falls in. */
  private readonly counts = new Map<string, Map<number, number>>();

  /** Notes a batch appended to transaction `seq`. */
  note(seq: number, batch: TableBatch): void {
    if (batch.rows === 0 || batch.table !== 'spans') return;
    let projects = this.byTransaction.get(seq);
    if (projects === undefined) {
      this.byTransaction.set(seq, (projects = new Map()));
      this.forget();
    }
    const ends = batch.columns[END]!;
    if (ends.type !== 'bigint') throw new Error('spans.end_us is not a bigint column');
    eachText(batch.columns[PROJECT]!, batch.rows, (project, from, to) => {
      let min = projects.get(project) ?? Infinity;
      let counts = this.counts.get(project);
      if (counts === undefined) this.counts.set(project, (counts = new Map()));
      // A batch's spans mostly end in one slice or two: counted by runs.
      let slice = NaN;
      let run = 0;
      for (let i = from; i < to; i++) {
        const end = ends.values[i]!;
        if (end < min) min = end;
        const k = Math.floor(end / SLICE_US);
        if (k !== slice) {
          if (run > 0) counts.set(slice, (counts.get(slice) ?? 0) + run);
          slice = k;
          run = 0;
        }
        run++;
      }
      if (run > 0) counts.set(slice, (counts.get(slice) ?? 0) + run);
      if (counts.size > SLICES_COUNTED + 100) forgetSlices(counts, slice);
      projects.set(project, min);
    });
  }

  /** The spans appended to `projectId` since this start that end in a slice `[fromUs, toUs)` touches (at most a day's slices). */
  spansWithin(projectId: string, fromUs: number, toUs: number): number {
    const counts = this.counts.get(projectId);
    if (counts === undefined) return 0;
    let n = 0;
    const last = Math.floor((toUs - 1) / SLICE_US);
    for (let k = Math.max(Math.floor(fromUs / SLICE_US), last - SLICES_COUNTED); k <= last; k++) n += counts.get(k) ?? 0;
    return n;
  }

  /**
   * The earliest end among the spans the transactions after `seq` appended to `projectId` (those
   * not yet committed too: a reader may see them), `null` for none, or `undefined` when they are
   * forgotten.
   */
  since(seq: number, projectId: string): number | null | undefined {
    if (seq < this.forgottenUpTo) return undefined;
    let min = Infinity;
    for (const [transaction, projects] of this.byTransaction) {
      if (transaction > seq) min = Math.min(min, projects.get(projectId) ?? Infinity);
    }
    return min === Infinity ? null : min;
  }

  private forget(): void {
    while (this.byTransaction.size > KEEP) {
      const oldest = this.byTransaction.keys().next().value!;
      this.byTransaction.delete(oldest);
      this.forgottenUpTo = oldest;
    }
  }
}

/** Keeps the counts of the day of slices before the latest one counted (`recent`, or a later one). */
function forgetSlices(counts: Map<number, number>, recent: number): void {
  let latest = recent;
  for (const k of counts.keys()) if (k > latest) latest = k;
  for (const k of counts.keys()) if (k < latest - SLICES_COUNTED) counts.delete(k);
}

/** Calls `each` for every run of rows of one text in a varchar column: one call for a constant. */
function eachText(col: Column, rows: number, each: (text: string, from: number, to: number) => void): void {
  if (col.type !== 'varchar') throw new Error('not a varchar column');
  if (col.constant !== null) return each(col.constant, 0, rows);
  const texts = textsOf(col, rows);
  let from = 0;
  for (let i = 1; i <= rows; i++) {
    if (i === rows || texts[i] !== texts[from]) {
      each(texts[from] ?? '', from, i);
      from = i;
    }
  }
}

import type { Column, TableBatch } from '../columns.js';
import { SPANS, TRACE_PARTS } from '../tables.js';

/** Commits remembered: at capacity a commit every quarter second or so, so some minutes of them. */
const KEEP = 2_000;

/** What the spans one transaction appended to a project can change. */
interface ProjectChange {
  /** The earliest end among its spans. */
  minEndUs: number;
  /** Traces of which it appended a part without the root: the root, stored before, may change its cost. */
  rootless: Set<string>;
}

/** What the spans committed after a transaction changed, for one project. */
export interface SpanChange {
  minEndUs: number;
  rootless: ReadonlySet<string>;
}

const column = (specs: ReadonlyArray<{ name: string }>, name: string): number => specs.findIndex((c) => c.name === name);
const SPAN_PROJECT = column(SPANS, 'project_id');
const SPAN_END = column(SPANS, 'end_us');
const PART_PROJECT = column(TRACE_PARTS, 'project_id');
const PART_TRACE = column(TRACE_PARTS, 'trace_id');
const PART_ROOT = column(TRACE_PARTS, 'root_name');

/**
 * What each recent transaction appended to spans, per project, noted by the writer as it appends
 * (no statement reads it back): the earliest span end, and the traces it gave a part without a
 * root. Alert windows kept by slices (`AlertSliceCache`) ask what changed after the transaction
 * they last read to.
 */
export class SpanChanges {
  /** By transaction number, rising. */
  private readonly byTransaction = new Map<number, Map<string, ProjectChange>>();
  /** Transactions up to this one are forgotten. */
  private forgottenUpTo = 0;

  /** Notes a batch appended to transaction `seq`. */
  note(seq: number, batch: TableBatch): void {
    if (batch.rows === 0 || (batch.table !== 'spans' && batch.table !== 'trace_parts')) return;
    let projects = this.byTransaction.get(seq);
    if (projects === undefined) {
      this.byTransaction.set(seq, (projects = new Map()));
      this.forget();
    }
    const change = (project: string): ProjectChange => {
      let found = projects.get(project);
      if (found === undefined) projects.set(project, (found = { minEndUs: Infinity, rootless: new Set() }));
      return found;
    };
    const { columns } = batch;
    if (batch.table === 'spans') {
      const ends = columns[SPAN_END]!;
      if (ends.type !== 'bigint') throw new Error('spans.end_us is not a bigint column');
      eachText(columns[SPAN_PROJECT]!, batch.rows, (project, from, to) => {
        const found = change(project);
        for (let i = from; i < to; i++) if (ends.values[i]! < found.minEndUs) found.minEndUs = ends.values[i]!;
      });
    } else {
      const roots = columns[PART_ROOT]!;
      if (roots.type !== 'varchar') throw new Error('trace_parts.root_name is not a varchar column');
      if (roots.constant !== null || !roots.lengths.includes(-1)) return;
      const traces = texts(columns[PART_TRACE]!, batch.rows);
      eachText(columns[PART_PROJECT]!, batch.rows, (project, from, to) => {
        for (let i = from; i < to; i++) if (roots.lengths[i] === -1) change(project).rootless.add(traces[i]!);
      });
    }
  }

  /**
   * What the transactions after `seq` changed in `projectId`'s spans (those not yet committed
   * too: a reader may see them), `null` for nothing, or `undefined` when they are forgotten.
   */
  since(seq: number, projectId: string): SpanChange | null | undefined {
    if (seq < this.forgottenUpTo) return undefined;
    let minEndUs = Infinity;
    const rootless = new Set<string>();
    for (const [transaction, projects] of this.byTransaction) {
      if (transaction <= seq) continue;
      const found = projects.get(projectId);
      if (found === undefined) continue;
      minEndUs = Math.min(minEndUs, found.minEndUs);
      for (const trace of found.rootless) rootless.add(trace);
    }
    return minEndUs === Infinity && rootless.size === 0 ? null : { minEndUs, rootless };
  }

  private forget(): void {
    while (this.byTransaction.size > KEEP) {
      const oldest = this.byTransaction.keys().next().value!;
      this.byTransaction.delete(oldest);
      this.forgottenUpTo = oldest;
    }
  }
}

/** Calls `each` for every run of rows of one text in a varchar column: one call for a constant. */
function eachText(col: Column, rows: number, each: (text: string, from: number, to: number) => void): void {
  if (col.type !== 'varchar') throw new Error('not a varchar column');
  if (col.constant !== null) return each(col.constant, 0, rows);
  const all = texts(col, rows);
  let from = 0;
  for (let i = 1; i <= rows; i++) {
    if (i === rows || all[i] !== all[from]) {
      each(all[from]!, from, i);
      from = i;
    }
  }
}

const decoder = new TextDecoder();

/** A varchar column's rows as strings (`''` for NULL). */
function texts(col: Column, rows: number): string[] {
  if (col.type !== 'varchar') throw new Error('not a varchar column');
  if (col.constant !== null) return new Array<string>(rows).fill(col.constant);
  const out = new Array<string>(rows);
  const { utf8 } = col;
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const length = col.lengths[i]!;
    if (length <= 0) out[i] = '';
    else out[i] = utf8 === undefined ? col.text.slice(at, at + length) : decoder.decode(utf8.subarray(at, at + length));
    if (length > 0) at += length;
  }
  return out;
}

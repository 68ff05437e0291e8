import { type Column, type TableBatch, textsOf } from '../columns.js';
import { SPANS } from '../tables.js';

/** Commits remembered: at capacity a commit every quarter second or so, so some minutes of them. */
const KEEP = 2_000;

const column = (name: string): number => SPANS.findIndex((c) => c.name === name);
const PROJECT = column('project_id');
const END = column('end_us');

/**
 * The earliest end among the spans each recent transaction appended, per project, noted by the
 * writer as it appends (no statement reads it back). Alert windows kept by slices
 * (`AlertSliceCache`) ask what changed after the transaction they last read to.
 */
export class SpanChanges {
  /** By transaction number, rising: per project, the earliest span end. */
  private readonly byTransaction = new Map<number, Map<string, number>>();
  /** Transactions up to this one are forgotten. */
  private forgottenUpTo = 0;

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
      for (let i = from; i < to; i++) if (ends.values[i]! < min) min = ends.values[i]!;
      projects.set(project, min);
    });
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

import { SPAN_CATEGORIES, type SpanCategory } from '@spoor/model';
import type { FlowSpans } from './ports/flows.js';

/** Where a reader's texts are: a row's span name, and (where sent with each span) its trace id. */
export interface FlowTexts {
  name(row: number): string;
  traceId?(row: number): string;
}

/**
 * `FlowSpans` filled a row at a time by an engine's reader (DuckDB's vectors, ClickHouse's
 * `RowBinary`), in any order: numbers go straight into growing typed arrays, and a label's name
 * (a run's trace id, where the engine sends it with every row) is asked of the reader only the
 * first time its key is seen. `done` orders the rows by run, and within a run by start, with a
 * counting sort by run and an insertion sort of each run's few rows, as a permutation (`order`):
 * an engine's sort of the 2M rows of bench:flows took longer than the rest of the read, and
 * moving every column into that order took a fifth of it.
 */
export class FlowSpansBuilder {
  private size = 0;
  private capacity = 0;
  private run = new Int32Array(0);
  private span = new Float64Array(0);
  private parent = new Float64Array(0);
  private label = new Int32Array(0);
  private startUs = new Float64Array(0);
  private durationUs = new Float64Array(0);
  private error = new Uint8Array(0);
  private costUsd = new Float64Array(0);
  private readonly traceIds: string[] = [];
  private readonly sides: number[] = [];
  private truncated = false;
  private readonly labelOfKey = new Map<number, number>();
  private readonly labelOfText = new Map<string, number>();
  private readonly labels: Array<{ category: SpanCategory; name: string }> = [];

  /** `maxRuns`: the rows of run `maxRuns` (the engine reads one more, the newest first) are left out, and the columns say they were truncated. */
  constructor(
    private readonly maxRuns: number,
    expectedRows = 1024,
  ) {
    this.grow(Math.max(16, expectedRows));
  }

  /** Run `run`'s trace id and side, where the engine reads the runs apart from their spans. */
  setRun(run: number, traceId: string, sideB: boolean): void {
    if (run >= this.maxRuns) {
      this.truncated = true;
      return;
    }
    this.traceIds[run] = traceId;
    this.sides[run] = sideB ? 1 : 0;
  }

  /**
   * `rows` spans at once, the `columns` in `add`'s order (`run`, span, parent and label keys,
   * category, start, duration, failed 0/1, cost, side 0/1), row `r` of them being row `r` of `texts`:
   * read straight from an engine's vectors, no number is boxed on the way.
   */
  addColumns(rows: number, columns: readonly Float64Array[], texts: FlowTexts): void {
    const [run, span, parent, labelKey, category, start, duration, failed, cost, side] = columns as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    for (let r = 0; r < rows; r++) {
      const runIndex = run[r]!;
      if (runIndex >= this.maxRuns) {
        this.truncated = true;
        continue;
      }
      if (texts.traceId !== undefined && this.traceIds[runIndex] === undefined) this.setRun(runIndex, texts.traceId(r), side[r] === 1);
      if (this.size === this.capacity) this.grow(this.capacity * 2);
      let label = this.labelOfKey.get(labelKey[r]!);
      if (label === undefined) {
        label = this.labelOf(SPAN_CATEGORIES[category[r]!] ?? 'other', texts.name(r));
        this.labelOfKey.set(labelKey[r]!, label);
      }
      const i = this.size++;
      this.run[i] = runIndex;
      this.span[i] = span[r]!;
      this.parent[i] = parent[r]!;
      this.label[i] = label;
      this.startUs[i] = start[r]!;
      this.durationUs[i] = duration[r]!;
      this.error[i] = failed[r]!;
      this.costUsd[i] = cost[r]!;
    }
  }

  /** The columns, with the order of their rows by run, then start, then span key. */
  done(): FlowSpans {
    const n = this.size;
    const runs = this.traceIds.length;
    // Counting sort by run: `first[r]` is where run r's rows begin.
    const first = new Int32Array(runs + 1);
    for (let i = 0; i < n; i++) first[this.run[i]! + 1]!++;
    for (let r = 0; r < runs; r++) first[r + 1]! += first[r]!;
    const order = new Int32Array(n);
    const next = first.slice(0, runs);
    for (let i = 0; i < n; i++) order[next[this.run[i]!]!++] = i;
    // Each run's rows by start, then span key: insertion sort, as a run's rows are few and mostly in order.
    const { startUs, span } = this;
    const before = (x: number, y: number) => startUs[x]! < startUs[y]! || (startUs[x] === startUs[y] && span[x]! < span[y]!);
    for (let r = 0; r < runs; r++) {
      for (let k = first[r]! + 1; k < first[r + 1]!; k++) {
        const row = order[k]!;
        let at = k - 1;
        while (at >= first[r]! && before(row, order[at]!)) {
          order[at + 1] = order[at]!;
          at--;
        }
        order[at + 1] = row;
      }
    }
    return {
      count: n,
      order,
      traceIds: Array.from({ length: runs }, (_, r) => this.traceIds[r] ?? ''),
      sideB: Uint8Array.from({ length: runs }, (_, r) => this.sides[r] ?? 0),
      run: this.run.subarray(0, n),
      span: this.span.subarray(0, n),
      parent: this.parent.subarray(0, n),
      label: this.label.subarray(0, n),
      labels: this.labels,
      durationUs: this.durationUs.subarray(0, n),
      error: this.error.subarray(0, n),
      costUsd: this.costUsd.subarray(0, n),
      truncated: this.truncated,
    };
  }

  private labelOf(category: SpanCategory, name: string): number {
    const text = flowLabel({ category, name });
    let label = this.labelOfText.get(text);
    if (label === undefined) {
      label = this.labels.length;
      this.labels.push({ category, name });
      this.labelOfText.set(text, label);
    }
    return label;
  }

  private grow(capacity: number): void {
    const copy = <T extends Int32Array | Float64Array | Uint8Array>(from: T, make: (n: number) => T): T => {
      const to = make(capacity);
      to.set(from.subarray(0, this.size));
      return to;
    };
    this.run = copy(this.run, (n) => new Int32Array(n));
    this.span = copy(this.span, (n) => new Float64Array(n));
    this.parent = copy(this.parent, (n) => new Float64Array(n));
    this.label = copy(this.label, (n) => new Int32Array(n));
    this.startUs = copy(this.startUs, (n) => new Float64Array(n));
    this.durationUs = copy(this.durationUs, (n) => new Float64Array(n));
    this.error = copy(this.error, (n) => new Uint8Array(n));
    this.costUsd = copy(this.costUsd, (n) => new Float64Array(n));
    this.capacity = capacity;
  }
}

/** The label text of a span as flows name nodes: `category:name`, an LLM or embedding call's its category alone (as the trace diff lines them up). */
export function flowLabel(label: { category: SpanCategory; name: string }): string {
  return label.category === 'llm' || label.category === 'embedding' ? label.category : `${label.category}:${label.name}`;
}

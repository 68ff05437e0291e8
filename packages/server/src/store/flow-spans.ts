import { SPAN_CATEGORIES, type SpanCategory } from '@spoor/model';
import type { FlowSpans } from './ports/flows.js';

/**
 * `FlowSpans` filled a row at a time by an engine's reader (DuckDB's vectors, ClickHouse's
 * `RowBinary`): numbers go straight into growing typed arrays; a run's trace id and a label's
 * name are asked of the reader only the first time their key is seen (once per run and label, not
 * per span), which is what keeps 2M rows from turning into 2M strings.
 */
export class FlowSpansBuilder {
  private size = 0;
  private capacity: number;
  private run = new Int32Array(0);
  private span = new Float64Array(0);
  private parent = new Float64Array(0);
  private label = new Int32Array(0);
  private durationUs = new Float64Array(0);
  private error = new Uint8Array(0);
  private costUsd = new Float64Array(0);
  private readonly traceIds: string[] = [];
  private sides: number[] = [];
  private lastTrace = Number.NaN;
  private truncated = false;
  private readonly labelOfKey = new Map<number, number>();
  private readonly labelOfText = new Map<string, number>();
  private readonly labels: Array<{ category: SpanCategory; name: string }> = [];

  /** `maxRuns`: a row of one run more ends the reading (`add` answers false), and the columns say they were truncated. */
  constructor(
    private readonly maxRuns: number,
    expectedRows = 1024,
  ) {
    this.capacity = 0;
    this.grow(Math.max(16, expectedRows));
  }

  /**
   * One span. `traceKey` changes where a run begins (rows come grouped by run); `traceId()` and
   * `name()` are called only for a new run and a new label key. False, adding nothing, for the
   * first row of a run past `maxRuns`: the reader stops there.
   */
  add(
    traceKey: number,
    spanKey: number,
    parentKey: number,
    labelKey: number,
    category: number,
    durationUs: number,
    error: boolean,
    costUsd: number,
    sideB: boolean,
    traceId: () => string,
    name: () => string,
  ): boolean {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    if (traceKey !== this.lastTrace) {
      if (this.traceIds.length === this.maxRuns) {
        this.truncated = true;
        return false;
      }
      this.lastTrace = traceKey;
      this.traceIds.push(traceId());
      this.sides.push(sideB ? 1 : 0);
    }
    let label = this.labelOfKey.get(labelKey);
    if (label === undefined) {
      label = this.labelOf(SPAN_CATEGORIES[category] ?? 'other', name());
      this.labelOfKey.set(labelKey, label);
    }
    const i = this.size++;
    this.run[i] = this.traceIds.length - 1;
    this.span[i] = spanKey;
    this.parent[i] = parentKey;
    this.label[i] = label;
    this.durationUs[i] = durationUs;
    this.error[i] = error ? 1 : 0;
    this.costUsd[i] = costUsd;
    return true;
  }

  /** The columns, trimmed to the rows added. */
  done(): FlowSpans {
    const n = this.size;
    return {
      count: n,
      traceIds: this.traceIds,
      sideB: Uint8Array.from(this.sides),
      run: this.run.slice(0, n),
      span: this.span.slice(0, n),
      parent: this.parent.slice(0, n),
      label: this.label.slice(0, n),
      labels: this.labels,
      durationUs: this.durationUs.slice(0, n),
      error: this.error.slice(0, n),
      costUsd: this.costUsd.slice(0, n),
      truncated: this.truncated,
    };
  }

  /** An LLM or embedding call is labelled by its category alone, as the trace diff lines them up. */
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
    this.durationUs = copy(this.durationUs, (n) => new Float64Array(n));
    this.error = copy(this.error, (n) => new Uint8Array(n));
    this.costUsd = copy(this.costUsd, (n) => new Float64Array(n));
    this.capacity = capacity;
  }
}

/** The label text of a span as flows name nodes: `category:name`, an LLM or embedding call's its category. */
export function flowLabel(label: { category: SpanCategory; name: string }): string {
  return label.category === 'llm' || label.category === 'embedding' ? label.category : `${label.category}:${label.name}`;
}

import { assertLabelName, labelPairs } from './exposition.js';

/** The labels of the one series that takes every label set beyond a table's cap. */
export const OVERFLOW_LABELS = 'otel_metric_overflow="true"';

/** A label set kept by a table, with its label text built once. */
export interface SeriesEntry<S> {
  /** The inside of the braces: `service="checkout",span_kind="server"`. */
  labels: string;
  series: S;
}

/**
 * The series of a metric family (or of families that share one label set), one per label set, at
 * most `maxSeries` of them.
 *
 * A series is found through nested Maps keyed by label value, so a record whose label set was seen
 * before costs three Map lookups and builds no string. Records whose label set is new once the
 * table is full all go to one overflow series labelled `otel_metric_overflow="true"`, as the
 * OpenTelemetry SDK does at its cardinality limit: totals stay right, memory and scrape size stay
 * bounded whatever the data sends, and the overflow label cannot collide with a real label set.
 */
export class SeriesTable<S> {
  /** Kept label sets, in the order they were first seen. */
  readonly entries: SeriesEntry<S>[] = [];
  /** The overflow series, once a record has gone to it. */
  overflow: S | null = null;
  /** Lookups that went to the overflow series. */
  overflowed = 0;
  private readonly root = new Map<string, Map<string, Map<string, S>>>();

  /**
   * @param labelNames one to three label names; `get` takes their values in this order.
   * @param create makes an empty series (it must not return `undefined`).
   */
  constructor(
    readonly labelNames: readonly string[],
    private readonly maxSeries: number,
    private readonly create: () => S,
  ) {
    if (labelNames.length < 1 || labelNames.length > 3) throw new Error('a series table has one to three labels');
    for (const name of labelNames) assertLabelName(name);
    if (!Number.isInteger(maxSeries) || maxSeries < 1) throw new Error(`maxSeries must be a positive integer, got ${maxSeries}`);
  }

  /** The series of the label set (values in `labelNames` order; unused trailing values left out). */
  get(a: string, b = '', c = ''): S {
    return this.root.get(a)?.get(b)?.get(c) ?? this.add(a, b, c);
  }

  get size(): number {
    return this.entries.length;
  }

  private add(a: string, b: string, c: string): S {
    if (this.entries.length >= this.maxSeries) {
      this.overflowed += 1;
      this.overflow ??= this.create();
      return this.overflow;
    }
    let byB = this.root.get(a);
    if (byB === undefined) this.root.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (byC === undefined) byB.set(b, (byC = new Map()));
    const series = this.create();
    byC.set(c, series);
    this.entries.push({ labels: labelPairs(this.labelNames, [a, b, c]), series });
    return series;
  }
}

/**
 * The text of every series of the table, the overflow series (if any) last, each made by `render`
 * from the label text to write it under; `extra` (like `gen_ai_token_type="input"`) is appended to
 * each label text.
 */
export function seriesText<S>(table: SeriesTable<S>, render: (labels: string, series: S) => string, extra = ''): string {
  const suffix = extra === '' ? '' : `,${extra}`;
  let text = '';
  for (const entry of table.entries) text += render(entry.labels + suffix, entry.series);
  if (table.overflow !== null) text += render(OVERFLOW_LABELS + suffix, table.overflow);
  return text;
}

import { assertLabelName, labelPairs } from './exposition.js';

/** The label the folded series carries beside its `other` values, as the OpenTelemetry SDK marks its overflow series. */
export const OVERFLOW_LABEL = 'otel_metric_overflow="true"';
/** The value every label of the folded series takes. */
export const FOLDED_VALUE = 'other';

/** A label set kept by a table, with its label text built once. */
export interface SeriesEntry<S> {
  /** The inside of the braces: `service="checkout",span_kind="server"`. */
  labels: string;
  series: S;
}

/**
 * The series of a metric family (or of families that share one label set), one per label set,
 * within a budget of exposed series per family, histogram buckets included.
 *
 * A series is found through nested Maps keyed by label value, so a record whose label set was seen
 * before costs three Map lookups and builds no string. Once the table holds as many label sets as
 * the budget allows (`maxSeries / seriesPerLabelSet`, less one for the folded series), records
 * with a new label set all go to one folded series: every label `other`, and
 * `otel_metric_overflow="true"` beside them (so a real label set of `other`s stays apart), as the
 * OpenTelemetry SDK does at its cardinality limit. Totals stay right, and what a scrape carries
 * stays bounded whatever the data sends: one request of 2,500 model names made 106,573 series
 * (16.8 MB a scrape) when the budget counted label sets, so that a Prometheus with
 * `sample_limit: 50000` dropped the whole scrape, Spoor's own health series with it.
 */
export class SeriesTable<S> {
  /** Kept label sets, in the order they were first seen. */
  readonly entries: SeriesEntry<S>[] = [];
  /** The folded series, once a record has gone to it. */
  overflow: S | null = null;
  /** Lookups that went to the folded series. */
  overflowed = 0;
  /** The folded series' label text. */
  readonly foldedLabels: string;
  /** Label sets kept before new ones are folded. */
  readonly maxLabelSets: number;
  private readonly root = new Map<string, Map<string, Map<string, S>>>();

  /**
   * @param labelNames one to three label names; `get` takes their values in this order.
   * @param maxSeries series each family of the table may expose, buckets included.
   * @param seriesPerLabelSet series a label set takes in the table's largest family (a histogram's buckets, `_sum` and `_count`).
   * @param create makes an empty series (it must not return `undefined`).
   */
  constructor(
    readonly labelNames: readonly string[],
    maxSeries: number,
    seriesPerLabelSet: number,
    private readonly create: () => S,
  ) {
    if (labelNames.length < 1 || labelNames.length > 3) throw new Error('a series table has one to three labels');
    for (const name of labelNames) assertLabelName(name);
    if (!Number.isInteger(maxSeries) || !Number.isInteger(seriesPerLabelSet) || seriesPerLabelSet < 1)
      throw new Error(`maxSeries and seriesPerLabelSet must be positive integers, got ${maxSeries} and ${seriesPerLabelSet}`);
    this.maxLabelSets = Math.floor(maxSeries / seriesPerLabelSet) - 1;
    if (this.maxLabelSets < 1)
      throw new Error(`maxSeries ${maxSeries} leaves no label set: each takes ${seriesPerLabelSet} series, and the folded one takes as many`);
    this.foldedLabels = `${labelPairs(
      labelNames,
      labelNames.map(() => FOLDED_VALUE),
    )},${OVERFLOW_LABEL}`;
  }

  /** The series of the label set (values in `labelNames` order; unused trailing values left out). */
  get(a: string, b = '', c = ''): S {
    return this.root.get(a)?.get(b)?.get(c) ?? this.add(a, b, c);
  }

  get size(): number {
    return this.entries.length;
  }

  private add(a: string, b: string, c: string): S {
    if (this.entries.length >= this.maxLabelSets) {
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
 * The text of every series of the table, the folded series (if any) last, each made by `render`
 * from the label text to write it under; `extra` (like `gen_ai_token_type="input"`) is appended to
 * each label text.
 */
export function seriesText<S>(table: SeriesTable<S>, render: (labels: string, series: S) => string, extra = ''): string {
  const suffix = extra === '' ? '' : `,${extra}`;
  let text = '';
  for (const entry of table.entries) text += render(entry.labels + suffix, entry.series);
  if (table.overflow !== null) text += render(table.foldedLabels + suffix, table.overflow);
  return text;
}

import type { AlertSeriesRow } from '../store/store.js';
import { anomalyScore } from './anomaly.js';
import type { Sample } from './evaluator.js';
import type { Aggregate, ValueExpr } from './expr/ast.js';
import { setLabel } from './labels.js';
import { type SeriesRange, type SeriesSpec, seriesSpecOf } from './series.js';

/** Reads one aggregate's series; the server's goes to the database thread. */
export type ReadSeries = (spec: SeriesSpec, range: SeriesRange) => Promise<AlertSeriesRow[]>;

/**
 * Functions whose value over no records is 0 rather than "no data": no spans in the window is a
 * count of 0, so `count(spans{service="rag"})[5m] < 1` can tell that traffic stopped. App metrics
 * are left out: a metric nobody reports has no value.
 */
const ZERO_WHEN_EMPTY = new Set([
  'count',
  'rate',
  'errors',
  'tokens',
  'input_tokens',
  'output_tokens',
  'cost',
  'unpriced_calls',
  'new_error_group',
  'regressed_error_group',
]);

const zeroWhenEmpty = (aggregate: Aggregate): boolean => aggregate.source.kind !== 'metric' && ZERO_WHEN_EMPTY.has(aggregate.fn);

interface Baseline {
  endUs: number;
  rows: Promise<AlertSeriesRow[]>;
}

/**
 * Turns rule expressions into samples, reading as little as it can:
 * - within one evaluation, rules with the same aggregate (source, function, matchers, `by`,
 *   window) share one read;
 * - an anomaly's baseline is read in windows aligned to multiples of the inner window, so the
 *   past windows stay the same between evaluations and are read again only when a new one
 *   completes. Records that arrive after their window completed are not seen by the baseline.
 * - at most `concurrency` reads are in flight, so evaluation never crowds out the API's queries.
 */
export class Sampler {
  private readonly baselines = new Map<string, Baseline>();
  private readonly waiting: Array<() => void> = [];
  private inFlight = 0;

  constructor(
    private readonly read: ReadSeries,
    private readonly concurrency = 2,
  ) {}

  /** The reads of one evaluation at `nowUs`; `finish` it to forget baselines no rule asked for. */
  round(nowUs: number): SampleRound {
    return new SampleRound(this, nowUs);
  }

  /** @internal */
  async readLimited(spec: SeriesSpec, range: SeriesRange): Promise<AlertSeriesRow[]> {
    await this.slot();
    try {
      return await this.read(spec, range);
    } finally {
      this.release();
    }
  }

  /** @internal */
  baseline(key: string, endUs: number, load: () => Promise<AlertSeriesRow[]>): Promise<AlertSeriesRow[]> {
    const cached = this.baselines.get(key);
    if (cached?.endUs === endUs) return cached.rows;
    const rows = load();
    const entry = { endUs, rows };
    this.baselines.set(key, entry);
    // A failed read is not kept: the next evaluation tries again.
    rows.catch(() => {
      if (this.baselines.get(key) === entry) this.baselines.delete(key);
    });
    return rows;
  }

  /** @internal */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.baselines.keys()) if (!keys.has(key)) this.baselines.delete(key);
  }

  private slot(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.inFlight--;
  }
}

export class SampleRound {
  private readonly current = new Map<string, Promise<AlertSeriesRow[]>>();
  private readonly baselineKeys = new Set<string>();

  constructor(
    private readonly sampler: Sampler,
    readonly nowUs: number,
  ) {}

  /** The expression's value per label set of its `by` labels. */
  async samples(value: ValueExpr): Promise<Sample[]> {
    if (value.kind === 'aggregate') return toSamples(value, await this.currentRows(value));
    const inner = value.inner;
    const windowUs = inner.windowUs;
    const count = Math.floor(value.baselineUs / windowUs);
    // The baseline's windows end at the last multiple of the window before the current one starts.
    const endUs = Math.floor((this.nowUs - windowUs) / windowUs) * windowUs;
    const spec = seriesSpecOf(inner);
    const key = JSON.stringify([spec, windowUs, count]);
    this.baselineKeys.add(key);
    const [now, past] = await Promise.all([
      this.currentRows(inner),
      this.sampler.baseline(key, endUs, () => this.sampler.readLimited(spec, { startUs: endUs - count * windowUs, stepUs: windowUs, buckets: count })),
    ]);
    const zero = zeroWhenEmpty(inner);
    const history = new Map<string, { labels: Array<string | null>; values: Array<number | null> }>();
    for (const row of past) {
      const k = JSON.stringify(row.labels);
      let h = history.get(k);
      if (h === undefined) history.set(k, (h = { labels: row.labels, values: new Array<number | null>(count).fill(zero ? 0 : null) }));
      h.values[row.bucket] = row.value;
    }
    const samples: Sample[] = [];
    const seen = new Set<string>();
    for (const row of now) {
      const k = JSON.stringify(row.labels);
      seen.add(k);
      samples.push({ labels: labelsOf(inner, row.labels), value: anomalyScore(row.value, history.get(k)?.values ?? []) });
    }
    // A group with a past but nothing now: quiet is news when its past was busy.
    for (const [k, h] of history) {
      if (!seen.has(k) && zero) samples.push({ labels: labelsOf(inner, h.labels), value: anomalyScore(0, h.values) });
    }
    if (inner.by.length === 0 && samples.length === 0) samples.push({ labels: {}, value: null });
    return samples;
  }

  /** Forgets the baselines of rules that were not evaluated in this round (removed or changed). */
  finish(): void {
    this.sampler.keepOnly(this.baselineKeys);
  }

  private currentRows(aggregate: Aggregate): Promise<AlertSeriesRow[]> {
    const spec = seriesSpecOf(aggregate);
    const key = JSON.stringify([spec, aggregate.windowUs]);
    let rows = this.current.get(key);
    if (rows === undefined) {
      rows = this.sampler.readLimited(spec, { startUs: this.nowUs - aggregate.windowUs, stepUs: aggregate.windowUs, buckets: 1 });
      this.current.set(key, rows);
    }
    return rows;
  }
}

function labelsOf(aggregate: Aggregate, values: ReadonlyArray<string | null>): Record<string, string> {
  const labels: Record<string, string> = {};
  aggregate.by.forEach((name, i) => {
    const value = values[i];
    if (value !== null && value !== undefined && value !== '') setLabel(labels, name, value);
  });
  return labels;
}

/**
 * Rows of one bucket as samples. Without `by`, there is always one sample: 0 when nothing was
 * recorded and the function counts, else no data.
 */
export function toSamples(aggregate: Aggregate, rows: readonly AlertSeriesRow[]): Sample[] {
  const samples = rows.map((row) => ({ labels: labelsOf(aggregate, row.labels), value: row.value }));
  if (aggregate.by.length === 0 && samples.length === 0) samples.push({ labels: {}, value: zeroWhenEmpty(aggregate) ? 0 : null });
  return samples;
}

/**
 * Spoor's own counters, gauges and histograms, exposed on `/metrics` in the Prometheus text format.
 * Every record the server drops is counted here, by signal and reason. Label values come from the
 * server's code (signals, reasons, statuses), never from the data, so their number is bounded.
 */
import {
  Buckets,
  Histogram,
  type MetricType,
  assertLabelName,
  assertMetricName,
  escapeLabelValue,
  headerText,
  histogramText,
  sampleText,
} from './metrics/exposition.js';

export type Labels = Record<string, string>;
/** Adds to a counter (1 unless `by` says otherwise) under its labels. */
export type Counter = (labels: Labels, by?: number) => void;

/** Bucket bounds for store commit latency, in seconds: one millisecond to ten seconds. */
export const STORE_COMMIT_SECONDS_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Family {
  help: string;
  type: MetricType;
  /** Counter values by label text. */
  values: Map<string, number>;
  /** Histogram series by label text. */
  histograms: Map<string, Histogram>;
  /** Set for a gauge, read at scrape time. */
  read: (() => number) | null;
  /** Set for a gauge of several series, read at scrape time. */
  readSeries: (() => ReadonlyArray<{ labels: Labels; value: number }>) | null;
}

export class SelfMetrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    const family = this.family(name, help, 'counter');
    return (labels, by = 1) => {
      const key = labelText(labels);
      family.values.set(key, (family.values.get(key) ?? 0) + by);
    };
  }

  /** A gauge read when `/metrics` is scraped. */
  gauge(name: string, help: string, read: () => number): void {
    this.family(name, help, 'gauge').read = read;
  }

  /** A gauge of one series per label set, all read when `/metrics` is scraped (e.g. one per evaluator). */
  gaugeSeries(name: string, help: string, read: () => ReadonlyArray<{ labels: Labels; value: number }>): void {
    this.family(name, help, 'gauge').readSeries = read;
  }

  /**
   * A histogram with the given bucket upper bounds (`+Inf` is added); the returned function records
   * one value, e.g. a store commit's latency in seconds.
   */
  histogram(name: string, help: string, bounds: readonly number[]): (value: number, labels?: Labels) => void {
    const family = this.family(name, help, 'histogram');
    const buckets = new Buckets(bounds);
    return (value, labels = {}) => {
      const key = labelText(labels);
      let series = family.histograms.get(key);
      if (series === undefined) family.histograms.set(key, (series = new Histogram(buckets)));
      series.observe(value);
    };
  }

  render(): string {
    let text = '';
    for (const [name, family] of this.families) {
      text += headerText(name, family.help, family.type);
      if (family.read !== null) text += sampleText(name, '', family.read());
      if (family.readSeries !== null) for (const { labels, value } of family.readSeries()) text += sampleText(name, labelText(labels), value);
      for (const [labels, value] of family.values) text += sampleText(name, labels, value);
      for (const [labels, series] of family.histograms) text += histogramText(name, labels, series);
    }
    return text;
  }

  private family(name: string, help: string, type: MetricType): Family {
    let family = this.families.get(name);
    if (family === undefined) {
      assertMetricName(name);
      family = { help, type, values: new Map(), histograms: new Map(), read: null, readSeries: null };
      this.families.set(name, family);
    } else if (family.type !== type) {
      throw new Error(`metric ${name} is already registered as a ${family.type}`);
    }
    return family;
  }
}

/** The inside of a sample's braces for `labels`, in their key order. */
function labelText(labels: Labels): string {
  let text = '';
  for (const key in labels) {
    assertLabelName(key);
    text += `${text === '' ? '' : ','}${key}="${escapeLabelValue(labels[key]!)}"`;
  }
  return text;
}

/** The counters ingest and the pipeline report to. */
export interface IngestMetrics {
  accepted: (labels: { signal: string }, by?: number) => void;
  rejected: (labels: { signal: string; reason: string }, by?: number) => void;
  requests: (labels: { signal: string; status: string }) => void;
  evaluationsRefused: (labels: { signal: string }, by?: number) => void;
  /** Running snapshots (spans sent with no end): `stored`, or `after_end` (dropped: their span had arrived ended). */
  runningSnapshots: (labels: { outcome: 'stored' | 'after_end' }, by?: number) => void;
  /** Protobuf strings whose invalid UTF-8 was replaced with U+FFFD, their records kept. */
  replacedStrings: (labels: { signal: string }, by?: number) => void;
}

export function createIngestMetrics(registry: SelfMetrics): IngestMetrics {
  return {
    accepted: registry.counter('spoor_ingest_records_accepted_total', 'Records accepted (durably spooled, then committed to the store), by signal.'),
    rejected: registry.counter(
      'spoor_ingest_records_rejected_total',
      'Records dropped at ingest, by signal and reason (invalid, duplicate, malformed, too_large, queue_full, store_error).',
    ),
    requests: registry.counter('spoor_ingest_requests_total', 'OTLP export requests, by signal and HTTP status.'),
    evaluationsRefused: registry.counter(
      'spoor_ingest_evaluations_refused_total',
      'gen_ai.evaluation.result events that could be no score (no name, neither value nor label, no target), by signal: a log record is also rejected, a span event dropped from its kept span.',
    ),
    runningSnapshots: registry.counter(
      'spoor_ingest_running_snapshots_total',
      'Running span snapshots (spans sent with no end, never counted as spans), by outcome: stored, or after_end (dropped: the span had arrived ended).',
    ),
    replacedStrings: registry.counter(
      'spoor_ingest_invalid_utf8_strings_total',
      'Protobuf strings with invalid UTF-8, by signal: each invalid sequence replaced with U+FFFD, the record kept (told in partial_success).',
    ),
  };
}

import type { Attributes, Counter as OtelCounter, Gauge as OtelGauge, Histogram as OtelHistogram } from '@opentelemetry/api';
import { runtime, warnOnce } from '../runtime.js';
import { callSettled } from '../settle.js';

/** Label names to values, e.g. `{ model: 'gpt-4o', status: 'ok' }`. */
export type Labels = Attributes;

/** Options common to every instrument. */
export interface InstrumentOptions {
  /** One sentence shown as the metric's help text. */
  description?: string;
  /** UCUM unit, e.g. `s`, `By`, `{token}`, `USD`. Default: none (`s` for timers). */
  unit?: string;
}

/** Options of a histogram. */
export interface HistogramOptions extends InstrumentOptions {
  /** Upper bucket bounds, ascending. Default: the OpenTelemetry SDK's (0 to 10000). */
  buckets?: number[];
}

/** A monotonic sum: requests, tokens, dollars. */
export interface Counter {
  /** Adds `value` (default 1, must not be negative). */
  add(value?: number, labels?: Labels): void;
  /** Adds 1. */
  inc(labels?: Labels): void;
}

/** The latest value of something: queue depth, pool size, temperature. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
}

/** A distribution: latency, sizes, scores. */
export interface Histogram {
  record(value: number, labels?: Labels): void;
  /** Same as `record`, for Prometheus-client habits. */
  observe(value: number, labels?: Labels): void;
}

/** A histogram of durations in seconds, with helpers that measure for you. */
export interface Timer extends Histogram {
  /** Runs `fn` (sync or async) and records how long it took, failures included. */
  time<R>(fn: () => R, labels?: Labels): R;
  /** Starts a measurement; the returned function records it and returns the seconds. */
  start(labels?: Labels): (extraLabels?: Labels) => number;
}

/** Buckets in seconds for agent work, which runs from milliseconds to many minutes. */
export const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

type Kind = 'counter' | 'gauge' | 'histogram';
type Bound = OtelCounter | OtelGauge | OtelHistogram;
const VALID_NAME = /^[A-Za-z][A-Za-z0-9_./-]{0,254}$/;

/**
 * One instrument per name, created lazily against whatever meter is current: an instrument made
 * at module load, before `init()`, starts reporting as soon as `init()` runs.
 */
class Instrument {
  private bound: Bound | undefined;
  private generation = -1;
  /** The object handed to the app, made once so `counter('x')` in a hot loop allocates nothing. */
  facade: unknown;

  constructor(
    readonly kind: Kind,
    readonly name: string,
    private readonly options: HistogramOptions,
  ) {}

  current(): Bound {
    if (this.generation !== runtime.generation || this.bound === undefined) {
      const { description, unit, buckets } = this.options;
      const options = { description, unit, advice: buckets ? { explicitBucketBoundaries: buckets } : undefined };
      const meter = runtime.meter;
      this.bound =
        this.kind === 'counter'
          ? meter.createCounter(this.name, options)
          : this.kind === 'gauge'
            ? meter.createGauge(this.name, options)
            : meter.createHistogram(this.name, options);
      this.generation = runtime.generation;
    }
    return this.bound;
  }
}

const registry = new Map<string, Instrument>();
const NOOP = new Instrument('counter', 'noop', {});

function instrument(kind: Kind, name: string, options: HistogramOptions): Instrument {
  const existing = registry.get(name);
  if (existing !== undefined) {
    if (existing.kind === kind) return existing;
    warnOnce(`kind:${name}`, `metric '${name}' is already a ${existing.kind}; the ${kind} of that name records nothing`);
    return NOOP;
  }
  if (!VALID_NAME.test(name)) {
    warnOnce(`name:${name}`, `metric name '${name}' is not valid (letters, digits, _ . / -, starting with a letter); it records nothing`);
    return NOOP;
  }
  if (options.buckets !== undefined && !isAscendingNumbers(options.buckets)) {
    warnOnce(`buckets:${name}`, `histogram '${name}' buckets must be an ascending array of finite numbers; using the default buckets`);
    options = { ...options, buckets: undefined };
  }
  const created = new Instrument(kind, name, options);
  registry.set(name, created);
  return created;
}

/**
 * A counter by name; the same name always returns the same counter.
 * @example counter('orders.placed').inc({ channel: 'web' })
 */
export function counter(name: string, options: InstrumentOptions = {}): Counter {
  const it = instrument('counter', name, options);
  if (it === NOOP) return { add: noop, inc: noop };
  return (it.facade ??= {
    add(value = 1, labels) {
      if (!(value >= 0)) return warnOnce(`negative:${name}`, `counter '${name}' was given ${value}; counters only go up, use a gauge`);
      guarded(name, () => (it.current() as OtelCounter).add(value, labels));
    },
    inc(labels) {
      guarded(name, () => (it.current() as OtelCounter).add(1, labels));
    },
  } satisfies Counter) as Counter;
}

/**
 * A gauge by name.
 * @example gauge('queue.depth').set(queue.length, { queue: 'ingest' })
 */
export function gauge(name: string, options: InstrumentOptions = {}): Gauge {
  const it = instrument('gauge', name, options);
  if (it === NOOP) return { set: noop };
  return (it.facade ??= {
    set(value, labels) {
      guarded(name, () => (it.current() as OtelGauge).record(value, labels));
    },
  } satisfies Gauge) as Gauge;
}

/**
 * A histogram by name, with your own buckets if the defaults do not fit.
 * @example histogram('retrieval.documents', { buckets: [1, 5, 10, 50] }).record(docs.length)
 */
export function histogram(name: string, options: HistogramOptions = {}): Histogram {
  const it = instrument('histogram', name, options);
  if (it === NOOP) return { record: noop, observe: noop };
  if (it.facade === undefined) {
    const record = (value: number, labels?: Labels) => guarded(name, () => (it.current() as OtelHistogram).record(value, labels));
    it.facade = { record, observe: record } satisfies Histogram;
  }
  return it.facade as Histogram;
}

/**
 * A duration histogram in seconds.
 * @example const answer = await timer('rag.answer.duration').time(() => answer(question))
 */
export function timer(name: string, options: HistogramOptions = {}): Timer {
  const recorder = histogram(name, { unit: 's', buckets: SECONDS_BUCKETS, ...options });
  const cached = timers.get(recorder);
  if (cached !== undefined) return cached;
  const start = (labels?: Labels) => {
    const began = performance.now();
    return (extraLabels?: Labels) => {
      const seconds = (performance.now() - began) / 1000;
      recorder.record(seconds, extraLabels === undefined ? labels : { ...labels, ...extraLabels });
      return seconds;
    };
  };
  const made: Timer = {
    ...recorder,
    start,
    time<R>(fn: () => R, labels?: Labels): R {
      const stop = start(labels);
      return callSettled(fn, () => stop());
    },
  };
  timers.set(recorder, made);
  return made;
}

const timers = new WeakMap<Histogram, Timer>();

function noop(): void {}

/** Runs one recording; a bad label value (a BigInt, a cycle) costs a warning, never the app's call. */
function guarded(name: string, record: () => void): void {
  try {
    record();
  } catch (error) {
    warnOnce(`record:${name}`, `metric '${name}' could not record a value: ${(error as Error).message}`);
  }
}

function isAscendingNumbers(buckets: unknown): buckets is number[] {
  return Array.isArray(buckets) && buckets.every((bound, i) => Number.isFinite(bound) && (i === 0 || bound > buckets[i - 1]));
}

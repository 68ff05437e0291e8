import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initInMemory, pointValue, shutdown } from '../../test/support/memory.js';
import { counter, gauge, histogram, timer } from './instruments.js';
import { countCalls, measureErrors, measureTime } from './wrappers.js';

afterEach(() => shutdown());

// Made at module load, before init(), as apps do.
const early = counter('early.requests', { description: 'Made before init.' });

describe('metric instruments', () => {
  it('report after init() even when created before it', async () => {
    const sdk = initInMemory();
    early.inc({ route: '/a' });
    early.add(2, { route: '/a' });
    expect(pointValue((await sdk.metrics()).get('early.requests'), { route: '/a' })).toBe(3);
  });

  it('return the same instrument for the same name', () => {
    expect(counter('same.name')).toBe(counter('same.name'));
    expect(timer('same.timer')).toBe(timer('same.timer'));
  });

  it('record counters, gauges and histograms with labels and custom buckets', async () => {
    const sdk = initInMemory();
    counter('orders').add(5, { channel: 'web' });
    counter('orders').inc({ channel: 'app' });
    gauge('queue.depth').set(7, { queue: 'a' });
    gauge('queue.depth').set(3, { queue: 'a' });
    histogram('docs.found', { buckets: [1, 5, 10] }).record(4);
    histogram('docs.found').observe(12);
    const metrics = await sdk.metrics();
    expect(pointValue(metrics.get('orders'), { channel: 'web' })).toBe(5);
    expect(pointValue(metrics.get('orders'), { channel: 'app' })).toBe(1);
    expect(pointValue(metrics.get('queue.depth'), { queue: 'a' })).toBe(3);
    const docs = metrics.get('docs.found') as HistogramMetricData;
    expect(docs.dataPoints[0]?.value.buckets).toEqual({ boundaries: [1, 5, 10], counts: [0, 1, 0, 1] });
  });

  it('times sync and async work in seconds, failures included', async () => {
    const sdk = initInMemory();
    const t = timer('work.duration');
    // The clock is faked, so each duration is exact: 20 ms must read 0.02, not 20 or "about".
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      expect(t.time(() => 'sync', { kind: 'sync' })).toBe('sync');
      const working = t.time(() => new Promise((resolve) => setTimeout(() => resolve('async'), 20)), { kind: 'async' });
      await vi.advanceTimersByTimeAsync(20);
      await expect(working).resolves.toBe('async');
      expect(() =>
        t.time(
          () => {
            throw new Error('x');
          },
          { kind: 'failed' },
        ),
      ).toThrow('x');
      const stop = t.start({ kind: 'manual' });
      vi.advanceTimersByTime(1500);
      expect(stop()).toBeCloseTo(1.5, 9);
    } finally {
      vi.useRealTimers();
    }
    const metric = (await sdk.metrics()).get('work.duration') as HistogramMetricData;
    expect(metric.descriptor.unit).toBe('s');
    const sumOf = (kind: string) => metric.dataPoints.find((point) => point.attributes.kind === kind)?.value.sum;
    expect(sumOf('async')).toBeCloseTo(0.02, 9);
    expect(sumOf('sync')).toBe(0);
    expect(sumOf('manual')).toBeCloseTo(1.5, 9);
    expect(metric.dataPoints.map((point) => point.attributes.kind).sort()).toEqual(['async', 'failed', 'manual', 'sync']);
  });

  it('ignores a negative counter increment instead of throwing', async () => {
    const sdk = initInMemory();
    counter('monotonic').add(-1);
    counter('monotonic').add(2);
    expect(pointValue((await sdk.metrics()).get('monotonic'), {})).toBe(2);
  });
});

describe('measureTime, countCalls and measureErrors', () => {
  it('wrap functions and count what they do', async () => {
    const sdk = initInMemory();
    const authenticate = measureTime('auth.duration')(
      countCalls('auth.calls')(
        measureErrors('auth.errors')(async (user: string) => {
          if (user === 'mallory') throw new RangeError('denied');
          return `token-for-${user}`;
        }),
      ),
    );
    await expect(authenticate('alice')).resolves.toBe('token-for-alice');
    await expect(authenticate('mallory')).rejects.toThrow('denied');
    const metrics = await sdk.metrics();
    expect(pointValue(metrics.get('auth.calls'), {})).toBe(2);
    expect(pointValue(metrics.get('auth.errors'), { 'error.type': 'RangeError' })).toBe(1);
    expect((pointValue(metrics.get('auth.duration'), { status: 'ok' }) as { count: number }).count).toBe(1);
    expect((pointValue(metrics.get('auth.duration'), { status: 'error' }) as { count: number }).count).toBe(1);
  });
});

describe('metric helpers', () => {
  it('warn instead of throwing on labels or buckets they cannot use', async () => {
    const sdk = initInMemory();
    expect(() => counter('odd.labels').add(1, { big: 10n } as never)).not.toThrow();
    expect(() => histogram('odd.buckets', { buckets: 'abc' as never }).record(1)).not.toThrow();
    counter('odd.labels').add(2, { fine: 'yes' });
    expect(pointValue((await sdk.metrics()).get('odd.labels'), { fine: 'yes' })).toBe(2);
  });
});

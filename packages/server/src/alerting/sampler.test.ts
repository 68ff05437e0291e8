import { describe, expect, it } from 'vitest';
import type { AlertSeriesRow } from '../store/store.js';
import type { ValueExpr } from './expr/ast.js';
import { parseExpr } from './expr/parser.js';
import { Sampler } from './sampler.js';
import type { SeriesRange, SeriesSpec } from './series.js';

const MIN = 60_000_000;
const NOW = 1_000 * MIN + 17_000_000;

const value = (text: string): ValueExpr => {
  const expr = parseExpr(text);
  return expr.kind === 'compare' ? expr.value : expr;
};

/** A series source answering from a function of (spec, range), recording every read. */
function source(answer: (spec: SeriesSpec, range: SeriesRange) => AlertSeriesRow[]) {
  const reads: Array<{ spec: SeriesSpec; range: SeriesRange }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const read = async (spec: SeriesSpec, range: SeriesRange) => {
    reads.push({ spec, range });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 1));
    inFlight--;
    return answer(spec, range);
  };
  return { read, reads, maxInFlight: () => maxInFlight };
}

describe('Sampler', () => {
  it('reads the window ending now and maps `by` values to labels, leaving out absent ones', async () => {
    const s = source(() => [
      { labels: ['rag', 'retrieve'], bucket: 0, value: 0.25 },
      { labels: ['chat', null], bucket: 0, value: 0.5 },
    ]);
    const samples = await new Sampler(s.read).round(NOW).samples(value('error_rate(spans)[5m] by (service, name)'));
    expect(s.reads).toEqual([
      {
        spec: {
          metric: null,
          source: 'spans',
          fn: 'error_rate',
          matchers: [],
          by: [
            { name: 'service', attribute: false },
            { name: 'name', attribute: false },
          ],
        },
        range: { startUs: NOW - 5 * MIN, stepUs: 5 * MIN, buckets: 1 },
      },
    ]);
    expect(samples).toEqual([
      { labels: { service: 'rag', name: 'retrieve' }, value: 0.25 },
      { labels: { service: 'chat' }, value: 0.5 },
    ]);
  });

  it('tells built-in labels from attribute keys, and metrics by name', async () => {
    const s = source(() => []);
    await new Sampler(s.read).round(NOW).samples(value('rate(http.requests{route="/chat", service="api"})[1m] by ("tenant")'));
    expect(s.reads[0]!.spec).toEqual({
      metric: 'http.requests',
      source: 'metric',
      fn: 'rate',
      matchers: [
        { name: 'route', attribute: true, op: '=', value: '/chat' },
        { name: 'service', attribute: true, op: '=', value: 'api' },
      ],
      by: [{ name: 'tenant', attribute: true }],
    });
    await new Sampler(s.read).round(NOW).samples(value('count(spans{"tenant"="a", model="gpt-4o"})[1m]'));
    expect(s.reads[1]!.spec.matchers).toEqual([
      { name: 'tenant', attribute: true, op: '=', value: 'a' },
      { name: 'model', attribute: false, op: '=', value: 'gpt-4o' },
    ]);
  });

  it.each(['__proto__', 'constructor'])('keeps a `by` attribute named %s as a label of its own', async (name) => {
    const samples = await new Sampler(source(() => [{ labels: ['tenant-a'], bucket: 0, value: 1 }]).read)
      .round(NOW)
      .samples(value(`count(spans)[5m] by ("${name}")`));
    const labels = samples[0]!.labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.entries(labels)).toEqual([[name, 'tenant-a']]);
  });

  it.each([
    ['count(spans)[5m]', 0],
    ['errors(spans)[5m]', 0],
    ['cost(spans)[5m]', 0],
    ['new_error_group(errors)[5m]', 0],
    ['count(logs)[5m]', 0],
    ['error_rate(spans)[5m]', null],
    ['p95(duration_ms)[5m]', null],
    ['cost_per_workflow(spans)[5m]', null],
    ['increase(jobs.done)[5m]', null],
  ])('without `by` and without records, %s is %s', async (text, expected) => {
    const samples = await new Sampler(source(() => []).read).round(NOW).samples(value(text));
    expect(samples).toEqual([{ labels: {}, value: expected }]);
  });

  it('gives no samples for a grouped rule without records: its groups have no data', async () => {
    expect(await new Sampler(source(() => []).read).round(NOW).samples(value('count(spans)[5m] by (service)'))).toEqual([]);
  });

  it('reads an aggregate once per round however many rules use it', async () => {
    const s = source(() => [{ labels: [], bucket: 0, value: 3 }]);
    const round = new Sampler(s.read).round(NOW);
    await Promise.all([round.samples(value('count(spans)[5m]')), round.samples(value('count(spans)[5m]')), round.samples(value('count(spans)[10m]'))]);
    expect(s.reads.map((r) => r.range.stepUs)).toEqual([5 * MIN, 10 * MIN]);
  });

  it('keeps at most `concurrency` reads in flight', async () => {
    const s = source(() => []);
    const round = new Sampler(s.read, 2).round(NOW);
    await Promise.all(['1m', '2m', '3m', '4m', '5m'].map((w) => round.samples(value(`count(spans)[${w}]`))));
    expect(s.reads).toHaveLength(5);
    expect(s.maxInFlight()).toBe(2);
  });

  describe('anomaly', () => {
    const expr = value('anomaly(count(spans)[5m] by (service))[1h]');
    // The baseline: the 12 five-minute windows aligned to multiples of 5 m that end before the current window starts.
    const baselineEnd = Math.floor((NOW - 5 * MIN) / (5 * MIN)) * (5 * MIN);

    it('scores the current value against aligned past windows, empty ones counting 0 for counts', async () => {
      const past = [10, 12, 11, 9, 10, 11, 10, 12, 9, 10, 11]; // bucket 11 has no row: 0 spans
      const s = source((_spec, range) =>
        range.buckets === 1 ? [{ labels: ['rag'], bucket: 0, value: 40 }] : past.map((v, bucket) => ({ labels: ['rag'], bucket, value: v })),
      );
      const samples = await new Sampler(s.read).round(NOW).samples(expr);
      expect(s.reads.map((r) => r.range)).toEqual([
        { startUs: NOW - 5 * MIN, stepUs: 5 * MIN, buckets: 1 },
        { startUs: baselineEnd - 12 * 5 * MIN, stepUs: 5 * MIN, buckets: 12 },
      ]);
      // Sorted past: 0 9 9 10 10 10 10 11 11 11 12 12 → median 10; |deviations| sorted: 0 0 0 0 1 1 1 1 1 2 2 10 → MAD 1.
      expect(samples).toEqual([{ labels: { service: 'rag' }, value: (40 - 10) / 1.4826 }]);
    });

    it('reads the baseline again only when a new window completes, and forgets it when no rule asks', async () => {
      const s = source((_spec, range) => (range.buckets === 1 ? [] : [{ labels: ['rag'], bucket: 0, value: 1 }]));
      const sampler = new Sampler(s.read);
      const baselineReads = () => s.reads.filter((r) => r.range.buckets > 1).length;
      for (const now of [NOW, NOW + 15_000_000, NOW + 60_000_000]) {
        const round = sampler.round(now);
        await round.samples(expr);
        round.finish();
      }
      expect(baselineReads()).toBe(1);
      let round = sampler.round(baselineEnd + 10 * MIN); // a later window has completed
      await round.samples(expr);
      round.finish();
      expect(baselineReads()).toBe(2);
      round = sampler.round(baselineEnd + 10 * MIN);
      round.finish(); // a round in which the rule was not evaluated
      await sampler.round(baselineEnd + 10 * MIN).samples(expr);
      expect(baselineReads()).toBe(3);
    });

    it('scores a group that went quiet as 0 against its past, and gives no score without enough past', async () => {
      const s = source((_spec, range) => {
        if (range.buckets === 1) return [{ labels: ['new'], bucket: 0, value: 5 }];
        return Array.from({ length: 12 }, (_, bucket) => ({ labels: ['busy'], bucket, value: 100 + (bucket % 3) }));
      });
      const samples = await new Sampler(s.read).round(NOW).samples(expr);
      expect(samples).toEqual([
        // `new` has no past at all; `busy` had ~100 per window and now 0.
        { labels: { service: 'new' }, value: null },
        { labels: { service: 'busy' }, value: expect.any(Number) },
      ]);
      expect(samples[1]!.value!).toBeLessThan(-50);
    });

    it('does not keep a failed baseline read', async () => {
      let fail = true;
      const s = source((_spec, range) => {
        if (range.buckets > 1 && fail) throw new Error('store unavailable');
        return [];
      });
      const sampler = new Sampler(s.read);
      await expect(sampler.round(NOW).samples(expr)).rejects.toThrow('store unavailable');
      fail = false;
      await expect(sampler.round(NOW).samples(expr)).resolves.toEqual([]);
      expect(s.reads.filter((r) => r.range.buckets > 1)).toHaveLength(2);
    });
  });
});

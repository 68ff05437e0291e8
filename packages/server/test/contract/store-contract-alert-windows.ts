import type { SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { AlertSeriesQuery, Store, RecordBatch } from '../../src/store/store.js';
import { T0, sid, tid } from '../support/record-fixtures.js';
import { HOUR, MIN, SEC, builtin, close, ended, failed, llm, matcher, row, sorted } from './store-contract-alert-series.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/**
 * The contract of alert windows read round after round, as the alert engine reads them: a window
 * read alone gives what the same window gives read as the second of two, however the store keeps
 * what it read before, as spans arrive late, on slice edges and in parts of traces read before.
 */
export function describeAlertWindowsContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store alert windows contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const write = (batch: Partial<RecordBatch>) => store.writer.write(recordBatch(batch), null);
    const series = async (over: Partial<AlertSeriesQuery>) =>
      sorted(
        await store.alertSeries.read({
          projectId: 'default',
          source: 'spans',
          fn: 'count',
          matchers: [],
          by: [],
          startUs: T0,
          stepUs: MIN,
          buckets: 3,
          ...over,
        }),
      );

    /** A small deterministic generator (mulberry32), so a failure replays. */
    function random(seed: number): () => number {
      let a = seed;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }

    const queries: Array<Partial<AlertSeriesQuery>> = [
      ...(['count', 'rate', 'errors', 'error_rate', 'tokens', 'input_tokens', 'output_tokens', 'cost', 'unpriced_calls'] as const).map((fn) => ({
        fn,
        by: [builtin('service')],
      })),
      { fn: 'error_rate', matchers: [matcher('name', '=~', 'chat')] },
      { fn: 'cost_per_workflow', by: [builtin('service')], stepUs: HOUR },
      { fn: 'cost_per_workflow', matchers: [matcher('service', '=', 'api')], stepUs: 20 * MIN },
      ...(['avg', 'min', 'max'] as const).map((fn) => ({ source: 'duration' as const, fn, by: [builtin('service'), builtin('name')] })),
      { source: 'duration', fn: 'max', matchers: [matcher('category', '=', 'workflow')], stepUs: 2 * MIN },
    ];

    /**
     * A rule reads one window ending now (`buckets: 1`); the same window read as the second of two
     * buckets must give the same, however the store keeps what it read before (DuckDB keeps its
     * windows' whole slices between reads, `AlertSliceCache`).
     */
    const expectWindowsAsRead = async (nowUs: number, what: string) => {
      for (const over of queries) {
        const stepUs = over.stepUs ?? 5 * MIN;
        const window = await series({ ...over, startUs: nowUs - stepUs, stepUs, buckets: 1 });
        const asSecond = (await series({ ...over, startUs: nowUs - 2 * stepUs, stepUs, buckets: 2 })).filter((r) => r.bucket === 1);
        expect(window, `${what}: ${JSON.stringify(over)}`).toEqual(asSecond.map((r) => ({ ...r, bucket: 0, value: close(r.value!) })));
      }
    };

    it('costs a workflow again when a later part of its trace brings another span without a parent', async () => {
      // Root A ends 10 s into the window, its call costs 0.1; the window is read. Then a part of the same trace with a
      // second parentless span B and a call of 1.0, both ending over a minute later: each root now costs its trace, 1.1.
      const start = T0 + 20 * MIN;
      await write({
        spans: [
          ended(900, 1, start + 10 * SEC, 2_000, { name: 'agent', serviceName: 'api', category: 'workflow' }),
          ended(900, 2, start + 9 * SEC, 500, { parentSpanId: sid(1), serviceName: 'api', category: 'llm', llm: llm({ costUsd: 0.1 }) }),
        ],
      });
      await expectWindowsAsRead(start + 40 * SEC, 'after the first part');
      await write({
        spans: [
          ended(900, 3, start + 100 * SEC, 2_000, { name: 'agent', serviceName: 'api', category: 'workflow' }),
          ended(900, 4, start + 90 * SEC, 500, { parentSpanId: sid(3), serviceName: 'api', category: 'llm', llm: llm({ costUsd: 1 }) }),
        ],
      });
      await expectWindowsAsRead(start + 107 * SEC, 'after the second part');
      expect(await series({ fn: 'cost_per_workflow', startUs: start + 107 * SEC - HOUR, stepUs: HOUR, buckets: 1 })).toEqual([row(0, close(1.1))]);
    });

    it('gives a window what a read of it alone gives, as spans arrive late, on slice edges, in parts of traces read before', async () => {
      const next = random(35);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
      let spanNo = 0;
      /** Traces whose root was written, with its end: later rounds add parts to some of them. */
      const roots: Array<{ trace: number; root: number; endUs: number }> = [];
      const start = T0 + 20 * MIN;
      for (let round = 0; round < 12; round++) {
        const nowUs = start + round * 15 * SEC + 7 * SEC;
        const spans: SpanRecord[] = [];
        for (let t = 0; t < 4; t++) {
          const trace = 1000 + round * 10 + t;
          // Most end in the last seconds; some late (minutes ago), some on a slice's edge or the window's.
          const kind = next();
          const endUs =
            kind < 0.6
              ? nowUs - Math.floor(next() * 10 * SEC)
              : kind < 0.8
                ? nowUs - Math.floor(next() * 6 * MIN)
                : kind < 0.9
                  ? Math.floor((nowUs - next() * 4 * MIN) / (15 * SEC)) * 15 * SEC
                  : nowUs - 5 * MIN;
          const root = ++spanNo;
          const service = pick(['api', 'worker', 'batch']);
          spans.push(
            ended(trace, root, endUs, 1 + Math.floor(next() * 90_000), {
              name: 'agent',
              serviceName: service,
              category: 'workflow',
              status: next() < 0.2 ? failed : { code: 'unset', message: '' },
              llm: next() < 0.3 ? llm({ costUsd: Math.round(next() * 1000) / 1000 }) : null,
            }),
          );
          roots.push({ trace, root, endUs });
          for (let c = 0; c < 3; c++) {
            spans.push(
              ended(trace, ++spanNo, endUs - Math.floor(next() * 20 * SEC), 1 + Math.floor(next() * 5_000), {
                name: pick(['chat', 'search']),
                serviceName: service,
                parentSpanId: sid(root),
                category: 'llm',
                status: next() < 0.1 ? failed : { code: 'ok', message: '' },
                llm: llm({ inputTokens: Math.floor(next() * 500), outputTokens: Math.floor(next() * 100), costUsd: Math.round(next() * 1000) / 10000 }),
              }),
            );
          }
        }
        // A later part of a trace written in an earlier round, ending now or long before its root.
        if (round > 0) {
          const earlier = pick(roots.slice(0, -4));
          spans.push(
            ended(earlier.trace, ++spanNo, next() < 0.5 ? nowUs - SEC : earlier.endUs - 30 * SEC, 200, {
              name: 'chat',
              serviceName: 'worker',
              parentSpanId: sid(earlier.root),
              category: 'llm',
              llm: llm({ inputTokens: 5, costUsd: 0.5 }),
            }),
          );
        }
        // Half the rounds read first, so the spans of the round come after a read.
        if (round % 2 === 1) await expectWindowsAsRead(nowUs - 3 * SEC, `round ${round}, before its spans`);
        await write({ spans });
        await expectWindowsAsRead(nowUs, `round ${round}`);
      }
      // Re-priced: the root that ended earliest in the last 4 minutes costs more, in a slice windows kept whole.
      const endUs = start + 12 * 15 * SEC;
      const repriced = roots.filter((r) => r.endUs > endUs - 4 * MIN).reduce((a, b) => (b.endUs < a.endUs ? b : a));
      await store.prices.setSpanCosts('default', [{ traceId: tid(repriced.trace), spanId: sid(repriced.root), costUsd: 7 }]);
      await expectWindowsAsRead(endUs, 're-priced');
      // Retention that reaches into the windows.
      await store.retention.deleteOlderThan('spans', endUs - 3 * MIN);
      await store.retention.deleteOlderThan('traceParts', endUs - 3 * MIN);
      await expectWindowsAsRead(endUs, 'after retention');
    });
  });
}

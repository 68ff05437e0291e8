import { type ErrorOccurrenceRecord, type LlmFields, type LogRecordData, SPOOR_SERVICE_NAME, type SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { AlertMatcher, AlertSeriesQuery, AlertSeriesRow, Store, RecordBatch } from '../../src/store/store.js';
import { T0, emptyLlm, errorOccurrence, log, resource, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

export const SEC = 1_000_000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const failed = { code: 'error', message: 'failed' } as const;
export const llm = (over: Partial<LlmFields>): LlmFields => ({ ...emptyLlm(), ...over });
/** Floating-point sums and means: equal to 9 decimal places. */
export const close = (n: number) => expect.closeTo(n, 9);

/** A span of trace `trace` that ended at `endUs` after running `durationMs`. */
export function ended(trace: number, n: number, endUs: number, durationMs: number, over: Partial<SpanRecord> = {}): SpanRecord {
  return span({ traceId: tid(trace), spanId: sid(n), startTimeUs: endUs - durationMs * 1000, endTimeUs: endUs, ...over });
}

export const row = (bucket: number, value: unknown, labels: Array<string | null> = []) => ({ labels, bucket, value });
export const builtin = (name: string) => ({ name, attribute: false });
const attribute = (name: string) => ({ name, attribute: true });
export const matcher = (name: string, op: AlertMatcher['op'], value: string, isAttribute = false): AlertMatcher => ({
  name,
  op,
  value,
  attribute: isAttribute,
});

/** Rows in one order whatever order the store returns them in: by labels, then bucket. */
export function sorted<T extends Pick<AlertSeriesRow, 'labels' | 'bucket'>>(rows: readonly T[]): T[] {
  const key = (r: T) => JSON.stringify(r.labels);
  return [...rows].sort((a, b) => key(a).localeCompare(key(b)) || a.bucket - b.bucket);
}

/**
 * The contract of `alertSeries`: each function of each source per group and bucket, labels and
 * matchers, bucket edges, project isolation. Queries are three 1-minute buckets from T0 unless
 * said otherwise; expected values are worked out by hand beside them.
 */
export function describeAlertSeriesContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store alert series contract: ${adapter}`, () => {
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
    const expectSeries = async (over: Partial<AlertSeriesQuery>, expected: ReturnType<typeof row>[]) =>
      expect(await series(over), JSON.stringify(over)).toEqual(sorted(expected));

    describe('spans and durations', () => {
      /**
       * Trace 1: an `agent` root that ran from before the range into bucket 2, a `chat` child that
       * ended before the range (cost 0.1) and two in bucket 0. Trace 2: a root and its child, both
       * in bucket 2. Trace 3: a root without cost in bucket 2. Trace 4 ended at the range's end.
       * Bucket 1 has nothing. Project p2 has a span of trace 1 of its own, in bucket 0.
       */
      const seed = () =>
        write({
          spans: [
            ended(1, 10, T0 - 1, 2_000, {
              name: 'chat',
              serviceName: 'worker',
              parentSpanId: sid(11),
              llm: llm({ inputTokens: 1000, outputTokens: 1000, costUsd: 0.1 }),
            }),
            ended(1, 11, T0 + 130 * SEC, 140_000, { name: 'agent', serviceName: 'api', status: { code: 'ok', message: '' } }),
            ended(1, 12, T0 + 5 * SEC, 200, {
              name: 'chat',
              serviceName: 'worker',
              parentSpanId: sid(11),
              status: failed,
              llm: llm({ inputTokens: 100, outputTokens: 10, costUsd: 0.01 }),
            }),
            ended(1, 13, T0 + 30 * SEC, 300, { name: 'chat', serviceName: 'worker', parentSpanId: sid(11), llm: llm({ inputTokens: 50 }) }),
            ended(2, 21, T0 + 150 * SEC, 1_000, { name: 'agent', serviceName: 'api', status: failed }),
            ended(2, 22, T0 + 140 * SEC, 400, {
              name: 'chat',
              serviceName: 'worker',
              parentSpanId: sid(21),
              status: failed,
              llm: llm({ inputTokens: 20, outputTokens: 5, costUsd: 0.04 }),
            }),
            ended(3, 31, T0 + 170 * SEC, 100, { name: 'agent', serviceName: 'api', status: failed }),
            ended(4, 41, T0 + 3 * MIN, 50, { name: 'agent', serviceName: 'api', status: failed, llm: llm({ inputTokens: 7, costUsd: 1 }) }),
            ended(1, 11, T0 + 10 * SEC, 10, { projectId: 'p2', name: 'agent', status: failed, llm: llm({ inputTokens: 9, costUsd: 5 }) }),
          ],
        });

      it('computes each span function per bucket, leaving the empty middle bucket out', async () => {
        await seed();
        // Bucket 0: the chat calls of 200 ms (failed; 100 + 10 tokens, $0.01) and 300 ms (50 input tokens, no cost).
        // Bucket 2: the roots of traces 1, 2 (failed) and 3 (failed) and trace 2's chat call (failed; 20 + 5 tokens, $0.04).
        const expected: Record<string, ReturnType<typeof row>[]> = {
          count: [row(0, 2), row(2, 4)],
          rate: [row(0, close(2 / 60)), row(2, close(4 / 60))],
          errors: [row(0, 1), row(2, 3)],
          error_rate: [row(0, 0.5), row(2, 0.75)],
          tokens: [row(0, 160), row(2, 25)],
          input_tokens: [row(0, 150), row(2, 20)],
          output_tokens: [row(0, 10), row(2, 5)],
          cost: [row(0, close(0.01)), row(2, close(0.04))],
          // The 300 ms call has tokens and no cost: the cost above leaves it out.
          unpriced_calls: [row(0, 1), row(2, 0)],
          // Roots in bucket 2 only. Trace 1 costs 0.1 + 0.01 (its spans outside the range too, not p2's), trace 2 costs
          // 0.04, trace 3 nothing: (0.11 + 0.04 + 0) / 3.
          cost_per_workflow: [row(2, close(0.05))],
        };
        for (const [fn, rows] of Object.entries(expected)) await expectSeries({ fn: fn as AlertSeriesQuery['fn'] }, rows);
        // Labels and matchers are the root's: trace 1's root is ok; those of traces 2 and 3 failed, (0.04 + 0) / 2.
        await expectSeries({ fn: 'cost_per_workflow', by: [builtin('status')], matchers: [matcher('service', '=', 'api')] }, [
          row(2, close(0.11), ['ok']),
          row(2, close(0.02), ['error']),
        ]);
        await expectSeries({ fn: 'cost_per_workflow', matchers: [matcher('service', '=', 'worker')] }, []);
      });

      it('computes each duration function in milliseconds, percentiles interpolated', async () => {
        await seed();
        // Bucket 0: 200 and 300 ms. Bucket 2: 100, 400, 1,000 and 140,000 ms; p90 at rank 2.7 = 1,000 + 0.7 · 139,000.
        const expected: Record<string, ReturnType<typeof row>[]> = {
          avg: [row(0, close(250)), row(2, close(35_375))],
          min: [row(0, 200), row(2, 100)],
          max: [row(0, 300), row(2, 140_000)],
          p50: [row(0, close(250)), row(2, close(700))],
          p90: [row(0, close(290)), row(2, close(98_300))],
          p95: [row(0, close(295)), row(2, close(119_150))],
          p99: [row(0, close(299)), row(2, close(135_830))],
        };
        for (const [fn, rows] of Object.entries(expected)) await expectSeries({ source: 'duration', fn: fn as AlertSeriesQuery['fn'] }, rows);
      });

      it('counts only the project asked for', async () => {
        await seed();
        await expectSeries({ projectId: 'p2' }, [row(0, 1)]);
        await expectSeries({ projectId: 'p2', fn: 'cost_per_workflow' }, [row(0, close(5))]);
        await expectSeries({ projectId: 'p3' }, []);
      });

      it("leaves Spoor's own spans (a judge's call) out: alerts watch the app", async () => {
        await seed();
        const before = await series({ fn: 'count' });
        const costs = await series({ fn: 'cost' });
        await write({
          spans: [
            ended(9, 91, T0 + 10 * SEC, 100, {
              name: 'judge relevance',
              serviceName: SPOOR_SERVICE_NAME,
              status: failed,
              llm: llm({ inputTokens: 10, outputTokens: 1, costUsd: 3 }),
            }),
          ],
        });
        expect(await series({ fn: 'count' })).toEqual(before);
        expect(await series({ fn: 'cost' })).toEqual(costs);
        await expectSeries({ fn: 'count', matchers: [matcher('service', '=', SPOOR_SERVICE_NAME)] }, []);
      });

      it('costs a workflow by every part of its trace, whichever batch brought it, and a root without any cost as 0', async () => {
        // Trace 5's root ends in bucket 0; its calls come in two later batches, one ending before the range.
        await write({ spans: [ended(5, 51, T0 + 20 * SEC, 60_000, { name: 'agent', serviceName: 'api' })] });
        await write({ spans: [ended(5, 52, T0 - 5 * SEC, 100, { parentSpanId: sid(51), llm: llm({ costUsd: 0.25 }) })] });
        await write({ spans: [ended(5, 53, T0 + 10 * SEC, 100, { parentSpanId: sid(51), llm: llm({ costUsd: 0.5 }) })] });
        await write({ spans: [ended(6, 61, T0 + 40 * SEC, 1_000, { name: 'agent', serviceName: 'api' })] });
        // (0.25 + 0.5 + 0) / 2.
        await expectSeries({ fn: 'cost_per_workflow' }, [row(0, close(0.375))]);
        await expectSeries({ fn: 'cost_per_workflow', by: [builtin('service')] }, [row(0, close(0.375), ['api'])]);
      });

      it("costs a workflow's parts from up to an hour before its own root (other services' clocks), not the store's older parts", async () => {
        // Trace 7's root starts at T0 + 29 s; a call on a clock 50 minutes behind, and one said to start 2 hours before.
        await write({ spans: [ended(7, 71, T0 + 30 * SEC, 1_000, { name: 'agent', serviceName: 'api' })] });
        await write({ spans: [ended(7, 72, T0 + 29 * SEC - 50 * MIN, 100, { parentSpanId: sid(71), llm: llm({ costUsd: 0.25 }) })] });
        await write({ spans: [ended(7, 73, T0 + 29 * SEC - 120 * MIN, 100, { parentSpanId: sid(71), llm: llm({ costUsd: 4 }) })] });
        await expectSeries({ fn: 'cost_per_workflow' }, [row(0, close(0.25))]);
        // Each root's own hour: a workflow of 110 minutes ending in the range does not bring trace 7's old call in.
        await write({ spans: [ended(8, 81, T0 + 40 * SEC, (110 * MIN) / 1000, { name: 'agent', serviceName: 'api' })] });
        await expectSeries({ fn: 'cost_per_workflow' }, [row(0, close(0.125))]);
      });

      it('puts a span in the bucket it ended in: start inclusive, end exclusive, from the start asked for', async () => {
        const at = (n: number, endUs: number) => ended(n, n, endUs, 1);
        await write({ spans: [at(1, T0), at(2, T0 + MIN - 1), at(3, T0 + MIN), at(4, T0 + 3 * MIN - 1), at(5, T0 + 3 * MIN), at(6, T0 - 1)] });
        await expectSeries({}, [row(0, 2), row(1, 1), row(2, 1)]);
        // Buckets from T0 + 30 s, not aligned to the step: the range ends at T0 + 210 s.
        await expectSeries({ startUs: T0 + 30 * SEC }, [row(0, 2), row(2, 2)]);
        await expectSeries({ buckets: 1 }, [row(0, 2)]);
      });

      describe('labels', () => {
        /**
         * In bucket 0: a (chat, worker, version 1.0 on its resource, tier gold, openai gpt-4o, client),
         * b (chat, worker, version 2.0 on the span, anthropic), c (search, api, no version, failed),
         * d (search, api, version 1.0 on its resource, tier silver, client). In bucket 1: e (chat,
         * worker, version 3.0 on the span over 1.0 on its resource, openai). p2 has an a of its own.
         */
        const seedLabels = () =>
          write({
            spans: [
              ended(1, 1, T0 + SEC, 10, {
                name: 'chat',
                serviceName: 'worker',
                kind: 'client',
                category: 'llm',
                attributes: { tier: 'gold' },
                resource: resource('worker', { 'service.version': '1.0' }),
                llm: llm({ provider: 'openai', requestModel: 'gpt-4o' }),
              }),
              ended(1, 2, T0 + 2 * SEC, 20, {
                name: 'chat',
                serviceName: 'worker',
                attributes: { 'service.version': '2.0' },
                resource: resource('worker'),
                llm: llm({ provider: 'anthropic' }),
              }),
              ended(1, 3, T0 + 3 * SEC, 30, { name: 'search', serviceName: 'api', status: failed, resource: resource('api') }),
              ended(1, 4, T0 + 4 * SEC, 40, {
                name: 'search',
                serviceName: 'api',
                kind: 'client',
                attributes: { tier: 'silver' },
                resource: resource('api', { 'service.version': '1.0' }),
              }),
              ended(1, 5, T0 + 61 * SEC, 50, {
                name: 'chat',
                serviceName: 'worker',
                attributes: { 'service.version': '3.0' },
                resource: resource('worker', { 'service.version': '1.0' }),
                llm: llm({ provider: 'openai' }),
              }),
              ended(1, 1, T0 + SEC, 10, { projectId: 'p2', name: 'chat', serviceName: 'worker', attributes: { tier: 'gold' }, resource: resource('worker') }),
            ],
          });

        it('groups by a built-in and an attribute of the span or else its resource, null where neither has it', async () => {
          await seedLabels();
          await expectSeries({ by: [builtin('service'), attribute('service.version')] }, [
            row(0, 1, ['api', null]),
            row(0, 1, ['api', '1.0']),
            row(0, 1, ['worker', '1.0']),
            row(0, 1, ['worker', '2.0']),
            row(1, 1, ['worker', '3.0']),
          ]);
          await expectSeries({ by: [builtin('status')] }, [row(0, 3, ['unset']), row(0, 1, ['error']), row(1, 1, ['unset'])]);
          await expectSeries({ by: [builtin('model'), builtin('kind')] }, [
            row(0, 1, ['gpt-4o', 'client']),
            row(0, 1, [null, 'client']),
            row(0, 2, [null, 'server']),
            row(1, 1, [null, 'server']),
          ]);
          await expectSeries({ by: [builtin('category'), builtin('provider')] }, [
            row(0, 1, ['llm', 'openai']),
            row(0, 1, ['other', 'anthropic']),
            row(0, 2, ['other', null]),
            row(1, 1, ['other', 'openai']),
          ]);
          // 10, 20 ms of chat and 30, 40 ms of search in bucket 0; 50 ms of chat in bucket 1.
          await expectSeries({ source: 'duration', fn: 'avg', by: [builtin('name')] }, [
            row(0, close(15), ['chat']),
            row(1, close(50), ['chat']),
            row(0, close(35), ['search']),
          ]);
        });

        it('matches =, != (also where the label is absent), and unanchored regular expressions =~ and !~', async () => {
          await seedLabels();
          const count = (...matchers: AlertMatcher[]) => series({ matchers });
          expect(await count(matcher('tier', '=', 'gold', true))).toEqual([row(0, 1)]);
          expect(await count(matcher('tier', '!=', 'gold', true))).toEqual([row(0, 3), row(1, 1)]);
          expect(await count(matcher('tier', '=~', 'il', true))).toEqual([row(0, 1)]);
          expect(await count(matcher('tier', '!~', '^g', true))).toEqual([row(0, 3), row(1, 1)]);
          expect(await count(matcher('name', '=~', 'ha'))).toEqual([row(0, 2), row(1, 1)]);
          expect(await count(matcher('name', '!~', 'ha'))).toEqual([row(0, 2)]);
          expect(await count(matcher('provider', '!=', 'openai'))).toEqual([row(0, 3)]);
          expect(await count(matcher('provider', '=', 'openai'))).toEqual([row(0, 1), row(1, 1)]);
          expect(await count(matcher('status', '=', 'error'))).toEqual([row(0, 1)]);
          expect(await count(matcher('kind', '=', 'client'))).toEqual([row(0, 2)]);
          // The span's own 3.0 wins over its resource's 1.0.
          expect(await count(matcher('service.version', '=', '1.0', true))).toEqual([row(0, 2)]);
          expect(await count(matcher('name', '=', 'chat'), matcher('service.version', '!=', '1.0', true))).toEqual([row(0, 1), row(1, 1)]);
          expect(await count(matcher('service', '=', 'nobody'))).toEqual([]);
          // Values are data, not SQL.
          expect(await count(matcher('name', '=', "chat' OR '1' = '1"))).toEqual([]);
        });

        it('rejects labels the source does not have', async () => {
          await expect(series({ by: [builtin('nonsense')] })).rejects.toThrow(/nonsense/);
          await expect(series({ source: 'errors', by: [attribute('tier')] })).rejects.toThrow(/tier/);
        });
      });
    });

    describe('logs', () => {
      const at = (logId: string, timeUs: number, severityNumber: number, serviceName: string, body: string, over: Partial<LogRecordData> = {}) =>
        log({ logId, timeUs, severityNumber, serviceName, body, attributes: {}, resource: resource(serviceName), ...over });
      /** One log at each edge of bucket 0, at the start of bucket 1, one in bucket 2; two outside the range, one of p2. */
      const seed = () =>
        write({
          logs: [
            at('l1', T0, 9, 'api', 'user signed in'),
            at('l2', T0 + MIN - 1, 17, 'worker', 'payment failed: card declined', { traceId: tid(7) }),
            at('l3', T0 + MIN, 13, 'worker', 'retrying payment', { resource: resource('worker', { 'deployment.environment': 'prod' }) }),
            at('l4', T0 + 2 * MIN, 0, 'api', 'raw', { attributes: { 'deployment.environment': 'staging' } }),
            at('l5', T0 + 3 * MIN, 9, 'api', 'too late'),
            at('l6', T0 - 1, 9, 'api', 'too early'),
            at('l7', T0 + SEC, 9, 'api', 'elsewhere', { projectId: 'p2' }),
          ],
        });

      it('counts logs and their rate per bucket by time, start inclusive, end exclusive, of the project asked for', async () => {
        await seed();
        await expectSeries({ source: 'logs' }, [row(0, 2), row(1, 1), row(2, 1)]);
        await expectSeries({ source: 'logs', fn: 'rate' }, [row(0, close(2 / 60)), row(1, close(1 / 60)), row(2, close(1 / 60))]);
        await expectSeries({ source: 'logs', projectId: 'p2' }, [row(0, 1)]);
      });

      it('groups and matches by severity, body text, trace id, service and attribute', async () => {
        await seed();
        await expectSeries({ source: 'logs', by: [builtin('severity')] }, [
          row(0, 1, ['info']),
          row(0, 1, ['error']),
          row(1, 1, ['warn']),
          row(2, 1, ['unset']),
        ]);
        await expectSeries({ source: 'logs', matchers: [matcher('severity', '=~', 'warn|error')] }, [row(0, 1), row(1, 1)]);
        await expectSeries({ source: 'logs', matchers: [matcher('severity', '!=', 'info')] }, [row(0, 1), row(1, 1), row(2, 1)]);
        await expectSeries({ source: 'logs', matchers: [matcher('text', '=~', 'payment')] }, [row(0, 1), row(1, 1)]);
        await expectSeries({ source: 'logs', matchers: [matcher('text', '!~', 'payment')] }, [row(0, 1), row(2, 1)]);
        await expectSeries({ source: 'logs', by: [builtin('trace_id')], matchers: [matcher('severity', '=', 'error')] }, [row(0, 1, [tid(7)])]);
        await expectSeries({ source: 'logs', by: [builtin('service'), attribute('deployment.environment')] }, [
          row(0, 1, ['api', null]),
          row(2, 1, ['api', 'staging']),
          row(0, 1, ['worker', null]),
          row(1, 1, ['worker', 'prod']),
        ]);
      });

      it('names severities by the OpenTelemetry ranges of their numbers', async () => {
        const numbers = [0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24];
        await write({ logs: numbers.map((n) => at(`s${n}`, T0, n, 'api', 'x')) });
        await expectSeries({ source: 'logs', by: [builtin('severity')] }, [
          row(0, 1, ['unset']),
          row(0, 2, ['trace']),
          row(0, 2, ['debug']),
          row(0, 2, ['info']),
          row(0, 2, ['warn']),
          row(0, 2, ['error']),
          row(0, 2, ['fatal']),
        ]);
      });

      it('names no severity for a number past fatal, up to the largest stored (255)', async () => {
        await write({ logs: [at('s25', T0, 25, 'api', 'x'), at('s255', T0, 255, 'api', 'x')] });
        await expectSeries({ source: 'logs', by: [builtin('severity')] }, [row(0, 2, [null])]);
      });
    });

    describe('errors', () => {
      let next = 100;
      const occurrence = (fingerprint: string, timeUs: number, over: Partial<ErrorOccurrenceRecord> = {}) =>
        errorOccurrence({ fingerprint, timeUs, traceId: tid(next), spanId: sid(next++), ...over });
      /**
       * fp-old: first seen an hour before the range, then in buckets 0 and 1 and at the range's end.
       * fp-new: first seen in bucket 1 (by worker; its span's parent only passes the error on, as
       * fp-wrap, which does not count), again in 1 and in 2 (by api). fp-late: first seen in bucket 2.
       * Resolved 30 min before the range: fp-back, seen again in buckets 1 and 2; fp-early-back,
       * seen again before the range and in bucket 0; fp-quiet, not seen again. fp-mid: seen before
       * the range and in bucket 0, resolved in bucket 1, seen again in bucket 2. fp-ignored is
       * ignored, seen again in bucket 1. In p2, fp-new was seen before the range, then resolved,
       * then seen in bucket 0.
       */
      async function seed(): Promise<void> {
        await store.writer.write(
          recordBatch({
            errors: [
              occurrence('fp-old', T0 - HOUR),
              occurrence('fp-old', T0 + 10 * SEC),
              occurrence('fp-old', T0 + 70 * SEC),
              occurrence('fp-old', T0 + 3 * MIN),
              occurrence('fp-new', T0 + 80 * SEC, { serviceName: 'worker', traceId: tid(50), spanId: sid(51), parentSpanId: sid(50) }),
              occurrence('fp-wrap', T0 + 80 * SEC, { serviceName: 'worker', traceId: tid(50), spanId: sid(50) }),
              occurrence('fp-new', T0 + 90 * SEC, { serviceName: 'worker' }),
              occurrence('fp-new', T0 + 150 * SEC, { serviceName: 'api' }),
              occurrence('fp-late', T0 + 170 * SEC, { serviceName: 'api', provider: 'openai', exceptionType: 'RateLimitError' }),
              occurrence('fp-back', T0 - 2 * HOUR),
              occurrence('fp-back', T0 + 110 * SEC),
              occurrence('fp-back', T0 + 140 * SEC),
              occurrence('fp-early-back', T0 - 2 * HOUR),
              occurrence('fp-early-back', T0 - 10 * MIN),
              occurrence('fp-early-back', T0 + 20 * SEC),
              occurrence('fp-quiet', T0 - 2 * HOUR),
              occurrence('fp-mid', T0 - 2 * HOUR),
              occurrence('fp-mid', T0 + 15 * SEC),
              occurrence('fp-mid', T0 + 160 * SEC),
              occurrence('fp-ignored', T0 - 2 * HOUR, { toolName: 'search' }),
              occurrence('fp-ignored', T0 + 100 * SEC, { toolName: 'search' }),
              occurrence('fp-new', T0 - HOUR, { projectId: 'p2' }),
              occurrence('fp-new', T0 + 10 * SEC, { projectId: 'p2' }),
            ],
          }),
          null,
        );
        for (const fingerprint of ['fp-back', 'fp-early-back', 'fp-quiet'])
          await store.errors.setErrorGroupStatus('default', fingerprint, 'resolved', T0 - 30 * MIN);
        await store.errors.setErrorGroupStatus('default', 'fp-mid', 'resolved', T0 + 100 * SEC);
        await store.errors.setErrorGroupStatus('default', 'fp-ignored', 'ignored', T0 - 30 * MIN);
        await store.errors.setErrorGroupStatus('p2', 'fp-new', 'resolved', T0 - 30 * MIN);
      }

      it('counts occurrences per bucket, without errors a span only passes on', async () => {
        await seed();
        // Bucket 0: fp-old, fp-early-back, fp-mid. Bucket 1: fp-old, fp-new twice, fp-ignored, fp-back. Bucket 2: fp-back, fp-new,
        // fp-late, fp-mid.
        await expectSeries({ source: 'errors' }, [row(0, 3), row(1, 5), row(2, 4)]);
        await expectSeries({ source: 'errors', by: [builtin('fingerprint')] }, [
          row(0, 1, ['fp-old']),
          row(1, 1, ['fp-old']),
          row(0, 1, ['fp-early-back']),
          row(1, 2, ['fp-new']),
          row(2, 1, ['fp-new']),
          row(1, 1, ['fp-ignored']),
          row(1, 1, ['fp-back']),
          row(2, 1, ['fp-back']),
          row(2, 1, ['fp-late']),
          row(0, 1, ['fp-mid']),
          row(2, 1, ['fp-mid']),
        ]);
        await expectSeries({ source: 'errors', by: [builtin('provider')] }, [row(0, 3, [null]), row(1, 5, [null]), row(2, 3, [null]), row(2, 1, ['openai'])]);
        await expectSeries({ source: 'errors', matchers: [matcher('fingerprint', '=~', 'back')] }, [row(0, 1), row(1, 1), row(2, 1)]);
        await expectSeries({ source: 'errors', matchers: [matcher('type', '=', 'RateLimitError')] }, [row(2, 1)]);
        await expectSeries({ source: 'errors', matchers: [matcher('tool', '!=', 'search')] }, [row(0, 3), row(1, 4), row(2, 4)]);
        await expectSeries({ source: 'errors', by: [builtin('service')], matchers: [matcher('service', '!=', 'checkout')] }, [
          row(1, 2, ['worker']),
          row(2, 2, ['api']),
        ]);
        await expectSeries({ source: 'errors', projectId: 'p2' }, [row(0, 1)]);
      });

      it('counts a group as new in the bucket of its first occurrence ever, labelled by that occurrence', async () => {
        await seed();
        // fp-new once, though seen three times in the range; fp-old was first seen before the range; p2's fp-new is another group.
        await expectSeries({ source: 'errors', fn: 'new_error_group' }, [row(1, 1), row(2, 1)]);
        await expectSeries({ source: 'errors', fn: 'new_error_group', by: [builtin('service')] }, [row(1, 1, ['worker']), row(2, 1, ['api'])]);
        // fp-new was seen by api too, but first by worker.
        await expectSeries({ source: 'errors', fn: 'new_error_group', matchers: [matcher('service', '=', 'api')] }, [row(2, 1)]);
        await expectSeries({ source: 'errors', fn: 'new_error_group', startUs: T0 + 2 * MIN, buckets: 1 }, [row(0, 1)]);
        await expectSeries({ source: 'errors', fn: 'new_error_group', projectId: 'p2' }, []);
      });

      it("counts a group as new when what it had before the range only passed a child's error on, an hour before or more", async () => {
        // Trace 60, two hours before, and trace 70, ten minutes before: a step's error that only passes on its child's
        // (same type and message) is not an occurrence of its group. Both groups and the children's come again in bucket 1.
        await store.writer.write(
          recordBatch({
            errors: [
              occurrence('fp-child', T0 - 2 * HOUR, { traceId: tid(60), spanId: sid(61), parentSpanId: sid(60) }),
              occurrence('fp-pass', T0 - 2 * HOUR, { traceId: tid(60), spanId: sid(60) }),
              occurrence('fp-child2', T0 - 10 * MIN, { traceId: tid(70), spanId: sid(71), parentSpanId: sid(70) }),
              occurrence('fp-pass2', T0 - 10 * MIN, { traceId: tid(70), spanId: sid(70) }),
              ...['fp-child', 'fp-pass', 'fp-child2', 'fp-pass2'].map((fingerprint) => occurrence(fingerprint, T0 + 100 * SEC)),
            ],
          }),
          null,
        );
        await expectSeries({ source: 'errors', fn: 'new_error_group', by: [builtin('fingerprint')] }, [row(1, 1, ['fp-pass']), row(1, 1, ['fp-pass2'])]);
      });

      it('counts a resolved group as regressed in the bucket it was first seen again after it was resolved', async () => {
        await seed();
        // fp-back in bucket 1 only; fp-mid in bucket 2, not in 0, where it was seen before it was resolved. fp-early-back came
        // back before the range; fp-ignored was never resolved.
        await expectSeries({ source: 'errors', fn: 'regressed_error_group' }, [row(1, 1), row(2, 1)]);
        await expectSeries({ source: 'errors', fn: 'regressed_error_group', by: [builtin('fingerprint')] }, [row(1, 1, ['fp-back']), row(2, 1, ['fp-mid'])]);
        // From bucket 2 on, fp-back had already come back.
        await expectSeries({ source: 'errors', fn: 'regressed_error_group', startUs: T0 + 2 * MIN, buckets: 1 }, [row(0, 1)]);
        await expectSeries({ source: 'errors', fn: 'regressed_error_group', projectId: 'p2' }, [row(0, 1)]);
      });
    });
  });
}

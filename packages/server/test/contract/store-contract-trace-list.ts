import { SPOOR_SERVICE_NAME, type SpanRecord, type TraceQuery, type TraceSort, traceSortKey } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { Store, TimeKey } from '../../src/store/store.js';
import { T0, emptyLlm, query, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

const TRACES = 240;
/** Trace `k` starts at `startOf(k)`; every tenth shares the start of the one before, so ids break ties. */
const startOf = (k: number) => T0 + (k - (k % 10 === 9 ? 1 : 0)) * 1_000;

interface Part {
  writeAtUs: number;
  spans: SpanRecord[];
}

/**
 * Traces whose parts arrive as an agent's do: most in one batch; some with their root (the
 * earliest span) a few dozen traces later; some with a child started a hundred traces later, so
 * the newest parts of the store belong to traces that started long before. Written in batches of
 * seven parts in the order they would arrive.
 */
function agentTraces(): { parts: Part[]; spans: SpanRecord[] } {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const parts: Part[] = [];
  for (let k = 0; k < TRACES; k++) {
    const start = startOf(k);
    const duration = 100 + Math.floor(random() * 4_900);
    // Every eighth is Spoor's own (a judge's or an experiment's trace): all of its spans are of its service.
    const own = k % 8 === 5;
    const service = own ? SPOOR_SERVICE_NAME : k % 3 === 0 ? 'rag' : 'web';
    const root = span({
      traceId: tid(k + 1),
      spanId: sid(1),
      name: `run ${k}`,
      serviceName: service,
      startTimeUs: start,
      endTimeUs: start + duration,
      status: { code: k % 9 === 0 ? 'error' : 'unset', message: '' },
      llm: llmOf(k, 0),
    });
    const child = (n: number, at: number, serviceName = own ? SPOOR_SERVICE_NAME : 'web') =>
      span({ traceId: tid(k + 1), spanId: sid(n), parentSpanId: sid(1), name: 'step', serviceName, startTimeUs: at, endTimeUs: at + 50, llm: llmOf(k, n) });
    const kind = random();
    if (kind < 0.6) {
      parts.push({ writeAtUs: start, spans: [root, child(2, start + 10)] });
    } else if (kind < 0.85) {
      parts.push({ writeAtUs: start + 20, spans: [child(2, start + 20)] });
      parts.push({ writeAtUs: start + 30_000, spans: [root] });
    } else {
      parts.push({ writeAtUs: start, spans: [root] });
      parts.push({ writeAtUs: start + 100_000, spans: [child(2, start + 100_000, own ? SPOOR_SERVICE_NAME : k % 2 === 0 ? 'rag' : 'web')] });
    }
  }
  parts.sort((a, b) => a.writeAtUs - b.writeAtUs);
  return { parts, spans: parts.flatMap((p) => p.spans) };
}

/**
 * An LLM call of span `n` of trace `k`, or none: tokens and costs that tie often (so ids break
 * ties), costs summed over parts as decimals a double does not hold exactly, and some calls
 * without a price (a trace of those alone has tokens and no cost).
 */
function llmOf(k: number, n: number): SpanRecord['llm'] {
  if ((k + n) % 4 === 0) return null;
  const priced = k % 7 !== 3;
  return { ...emptyLlm(), inputTokens: (k % 13) * 10 + n, outputTokens: k % 5, costUsd: priced ? ((k % 11) + n) * 0.1 + 0.2 : null };
}

interface Summed {
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
}

interface Expected {
  traceId: string;
  startTimeUs: number;
  endTimeUs: number;
  spanCount: number;
  errorCount: number;
}

/** The list `query` should give, worked out from the spans themselves. */
function expectedList(spans: readonly SpanRecord[], q: TraceQuery): Expected[] {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  const sumOf = (of: SpanRecord[], field: keyof Summed): number | null =>
    of.reduce<number | null>((total, s) => (s.llm?.[field] == null ? total : (total ?? 0) + s.llm[field]), null);
  const traces: Array<Expected & Summed> = [];
  for (const [traceId, of] of byTrace) {
    const t = {
      traceId,
      startTimeUs: Math.min(...of.map((s) => s.startTimeUs)),
      endTimeUs: Math.max(...of.map((s) => s.endTimeUs)),
      spanCount: of.length,
      errorCount: of.filter((s) => s.status.code === 'error').length,
      inputTokens: sumOf(of, 'inputTokens'),
      outputTokens: sumOf(of, 'outputTokens'),
      costUsd: sumOf(of, 'costUsd'),
    };
    if (q.range.fromUs !== null && t.startTimeUs < q.range.fromUs) continue;
    if (q.range.toUs !== null && t.startTimeUs >= q.range.toUs) continue;
    if (q.status === 'error' && t.errorCount === 0) continue;
    if (q.status === 'ok' && t.errorCount > 0) continue;
    if (q.minDurationMs !== null && t.endTimeUs - t.startTimeUs < q.minDurationMs * 1000) continue;
    if (q.service !== null && !of.some((s) => s.serviceName === q.service)) continue;
    const spoors = of.some((s) => s.serviceName === SPOOR_SERVICE_NAME);
    if ((q.origin === 'app' && spoors) || (q.origin === 'spoor' && !spoors)) continue;
    traces.push(t);
  }
  const sort = q.sort ?? 'start';
  return traces
    .sort((a, b) => traceSortKey(sort, b) - traceSortKey(sort, a) || (a.traceId < b.traceId ? 1 : -1))
    .map(({ traceId, startTimeUs, endTimeUs, spanCount, errorCount }) => ({ traceId, startTimeUs, endTimeUs, spanCount, errorCount }));
}

/**
 * The trace list reads a window of recent trace parts, widened until the page is full, not every
 * trace of the project (`sql/traces.ts`). On a store whose newest parts belong to traces started
 * long before, every page, filter and cursor gives what grouping every trace would.
 */
export function describeTraceListContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Trace list contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    const { parts, spans } = agentTraces();
    const fill = async () => {
      for (let i = 0; i < parts.length; i += 7) await store.writer.write(recordBatch({ spans: parts.slice(i, i + 7).flatMap((p) => p.spans) }), null);
    };
    /** Every page of `q`, `limit` at a time, from the first (or the first `pages`). */
    const pagesOf = async (q: TraceQuery, limit: number, pages = Infinity): Promise<Expected[]> => {
      const seen: Expected[] = [];
      let after: TimeKey | null = null;
      for (let n = 0; n < pages; n++) {
        const rows = await store.traces.listTraces(q, after, limit);
        expect(rows.length).toBeLessThanOrEqual(limit);
        seen.push(...rows.map(({ traceId, startTimeUs, endTimeUs, spanCount, errorCount }) => ({ traceId, startTimeUs, endTimeUs, spanCount, errorCount })));
        if (rows.length < limit) break;
        after = { timeUs: traceSortKey(q.sort ?? 'start', rows.at(-1)!), id: rows.at(-1)!.traceId };
      }
      return seen;
    };

    it('pages the whole list, small pages and large, as grouping every trace would', async () => {
      await fill();
      const all = expectedList(spans, query());
      expect(all).toHaveLength(TRACES);
      expect(await pagesOf(query(), 4)).toEqual(all);
      expect(await pagesOf(query(), 50)).toEqual(all);
      expect(await pagesOf(query(), 1, 12)).toEqual(all.slice(0, 12));
      expect(await store.traces.listTraces(query(), null, 1_000)).toMatchObject(all);
    });

    it('pages filtered lists and ranges, rare matches and common, as grouping every trace would', async () => {
      await fill();
      const cases: Partial<TraceQuery>[] = [
        { status: 'error' },
        { status: 'ok', minDurationMs: 2 },
        { service: 'rag' },
        { range: { fromUs: startOf(60), toUs: startOf(200) } },
        { range: { fromUs: null, toUs: startOf(100) + 1 } },
        { range: { fromUs: startOf(230), toUs: null }, status: 'ok' },
        { origin: 'app' },
        { origin: 'spoor' },
        { origin: 'all', service: 'rag' },
        { origin: 'app', status: 'error', range: { fromUs: startOf(60), toUs: startOf(200) } },
      ];
      for (const c of cases) {
        const q = query(c);
        const expected = expectedList(spans, q);
        expect(expected.length, JSON.stringify(c)).toBeGreaterThan(0);
        expect(await pagesOf(q, 6), JSON.stringify(c)).toEqual(expected);
      }
      // Spoor's own traces and the app's split the list between them.
      expect(expectedList(spans, query({ origin: 'spoor' })).length).toBe(TRACES / 8);
      expect(expectedList(spans, query({ origin: 'app' })).length).toBe(TRACES - TRACES / 8);
      expect(await pagesOf(query({ range: { fromUs: startOf(TRACES) + 1_000_000, toUs: null } }), 5)).toEqual([]);
      expect(await pagesOf(query({ projectId: 'elsewhere' }), 5)).toEqual([]);
    });

    it.each<TraceSort>(['duration', 'cost', 'tokens'])(
      'pages the list by %s, greatest first, ranges and filters too, as sorting every trace would',
      async (sort) => {
        await fill();
        const cases: Partial<TraceQuery>[] = [
          {},
          { range: { fromUs: startOf(60), toUs: startOf(200) } },
          { status: 'ok', service: 'rag' },
          { origin: 'spoor' },
          { origin: 'app' },
        ];
        for (const c of cases) {
          const q = query({ ...c, sort });
          const expected = expectedList(spans, q);
          expect(expected.length, JSON.stringify(c)).toBeGreaterThan(0);
          expect(await pagesOf(q, 7), JSON.stringify(c)).toEqual(expected);
          expect(await pagesOf(q, 1, 1), JSON.stringify(c)).toEqual(expected.slice(0, 1));
        }
        // Not the newest first: the order is the sort's.
        expect(expectedList(spans, query({ sort }))).not.toEqual(expectedList(spans, query()));
      },
    );
  });
}

import { describe, expect, it } from 'vitest';
import type { Store, TreeKey, TreePage } from '../../src/store/store.js';
import { T0, emptyLlm, log, sid, span, tid } from '../support/record-fixtures.js';
import { openForEachTest, recordBatch } from './per-test-store.js';

/** The contract of `getTreePage` and `getTraceLogs`: a trace's tree read a page at a time, on every store. */
export function describeTreePageContract(adapter: string, open: () => Promise<Store>): void {
  describe(`Store tree pages contract: ${adapter}`, () => {
    let store: Store;
    openForEachTest(open, (opened) => (store = opened));

    /** Span n of trace 1 starts at T0 + 10·⌊n/3⌋ µs: three spans share each start, so a page may end inside a tie. */
    const spans = Array.from({ length: 20 }, (_, k) =>
      span({
        spanId: sid(100 - k),
        parentSpanId: k === 0 ? null : sid(100),
        name: `step ${k % 4}`,
        serviceName: k % 2 === 0 ? 'api' : 'worker',
        startTimeUs: T0 + 10 * Math.floor(k / 3),
        endTimeUs: T0 + 10 * Math.floor(k / 3) + 5 + k,
        ...(k === 4
          ? {
              status: { code: 'error', message: 'failed' },
              events: [{ timeUs: T0 + 12, name: 'exception', attributes: { 'exception.stacktrace': 'long' }, droppedAttributesCount: 0 }],
            }
          : {}),
        ...(k === 7
          ? { category: 'llm', sessionId: 'sess-7', llm: { ...emptyLlm(), requestModel: 'gpt-4o', inputTokens: 12, outputTokens: 3, costUsd: 0.5 } }
          : {}),
      }),
    );
    const order = [...spans].sort((a, b) => a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : 1));

    async function seed(): Promise<void> {
      await store.writer.write(
        recordBatch({
          spans: [...spans, span({ traceId: tid(2), spanId: sid(1) }), span({ projectId: 'p2', traceId: tid(3), spanId: sid(5000) })],
          logs: [
            log({ logId: 'b', traceId: tid(1), timeUs: T0 + 20 }),
            log({ logId: 'a', traceId: tid(1), timeUs: T0 + 10 }),
            log({ logId: 'c', traceId: tid(2) }),
          ],
        }),
        null,
      );
    }

    async function allPages(projectId: string, traceId: string, limit: number): Promise<TreePage[]> {
      const pages: TreePage[] = [];
      let after: TreeKey | null = null;
      for (;;) {
        const page = await store.traces.getTreePage(projectId, traceId, after, limit);
        pages.push(page);
        if (page.last === null) return pages;
        after = page.last;
      }
    }

    it('reads every span once, a page at a time in start then span id order, ties cut across pages', async () => {
      await seed();
      const pages = await allPages('default', tid(1), 4);
      expect(pages.map((p) => p.columns.spanIds.length)).toEqual([4, 4, 4, 4, 4, 0]);
      // Each page holds the next spans in that order, in any order of its own.
      const keysOf = (p: TreePage) => p.columns.spanIds.map((id, i) => `${p.columns.startsUs[i]}/${id}`).sort();
      expect(pages.flatMap(keysOf)).toEqual(order.map((s) => `${s.startTimeUs}/${s.spanId}`));
      expect(pages[0]!.last).toEqual({ startUs: order[3]!.startTimeUs, spanId: order[3]!.spanId });
    });

    it('reads a trace that fits one page whole, exactly or with room to spare, then an empty page', async () => {
      await seed();
      const keysOf = (p: TreePage) => p.columns.spanIds.map((id, i) => `${p.columns.startsUs[i]}/${id}`).sort();
      const whole = order.map((s) => `${s.startTimeUs}/${s.spanId}`);
      const exactly = await allPages('default', tid(1), 20);
      expect(exactly.map((p) => p.columns.spanIds.length)).toEqual([20, 0]);
      expect(exactly[0]!.last).toEqual({ startUs: order[19]!.startTimeUs, spanId: order[19]!.spanId });
      expect(keysOf(exactly[0]!)).toEqual(whole);
      const roomy = await allPages('default', tid(1), 25);
      expect(roomy.map((p) => p.columns.spanIds.length)).toEqual([20, 0]);
      expect(keysOf(roomy[0]!)).toEqual(whole);
    });

    it('reads a trace that grows between its pages: every page a full page but the last, every span once', async () => {
      await seed();
      const first = await store.traces.getTreePage('default', tid(1), null, 4);
      const second = await store.traces.getTreePage('default', tid(1), first.last, 4);
      // Two spans land in the third page's range and one past the last, after the second page was read.
      const grown = [T0 + 25, T0 + 25, T0 + 999].map((startTimeUs, k) =>
        span({ spanId: sid(500 + k), parentSpanId: sid(100), startTimeUs, endTimeUs: startTimeUs + 1 }),
      );
      await store.writer.write(recordBatch({ spans: grown }), null);
      const rest: TreePage[] = [];
      let after = second.last;
      for (;;) {
        const page = await store.traces.getTreePage('default', tid(1), after, 4);
        rest.push(page);
        if (page.last === null) break;
        after = page.last;
      }
      expect(rest.map((p) => p.columns.spanIds.length)).toEqual([4, 4, 4, 3, 0]);
      const key = (startUs: number, spanId: string) => `${String(startUs).padStart(20, '0')}/${spanId}`;
      const keysOf = (p: TreePage) => p.columns.spanIds.map((id, i) => key(p.columns.startsUs[i]!, id)).sort();
      const expected = [...order.slice(8), ...grown].map((s) => key(s.startTimeUs, s.spanId)).sort();
      expect(rest.flatMap(keysOf)).toEqual(expected);
    });

    it('gives each span what the waterfall draws: parent, name, service, times, status, category, tokens, model and events cut to time and name', async () => {
      await seed();
      const { columns, sessionId } = await store.traces.getTreePage('default', tid(1), null, 100);
      const at = (k: number) => columns.spanIds.indexOf(spans[k]!.spanId);
      const row = (k: number) => {
        const i = at(k);
        return [
          columns.parentSpanIds[i],
          columns.names[i],
          columns.services[i],
          columns.startsUs[i],
          columns.durationsUs[i],
          columns.statusCodes[i],
          columns.categories[i],
          columns.inputTokens[i],
          columns.outputTokens[i],
          columns.costUsd[i],
          columns.models[i],
        ];
      };
      expect(row(0)).toEqual([null, 'step 0', 'api', T0, 5, 0, 7, null, null, null, null]);
      expect(row(4)).toEqual([sid(100), 'step 0', 'api', T0 + 10, 9, 2, 7, null, null, null, null]);
      expect(row(7)).toEqual([sid(100), 'step 3', 'worker', T0 + 20, 12, 0, 3, 12, 3, 0.5, 'gpt-4o']);
      expect(columns.events).toEqual([[at(4), T0 + 12, 'exception']]);
      expect(sessionId).toBe('sess-7');
    });

    it("reads no span of a trace the project does not have, nor past the last, and the trace's logs in time order", async () => {
      await seed();
      const empty = { spanIds: [] };
      expect((await store.traces.getTreePage('p2', tid(1), null, 10)).columns).toMatchObject(empty);
      expect(await store.traces.getTreePage('default', tid(9), null, 10)).toMatchObject({ columns: empty, last: null, sessionId: null });
      const last = order.at(-1)!;
      expect((await store.traces.getTreePage('default', tid(1), { startUs: last.startTimeUs, spanId: last.spanId }, 10)).columns).toMatchObject(empty);
      expect((await store.traces.getTraceLogs('default', tid(1))).map((l) => l.logId)).toEqual(['a', 'b']);
      expect(await store.traces.getTraceLogs('p2', tid(1))).toEqual([]);
      expect(await store.traces.getTraceLogs('default', tid(9))).toEqual([]);
    });
  });
}

import { type TraceTree, TreeStreamDecoder } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../test/support/fake-store.js';
import { storedSpanOf } from '../../test/support/fake-reads.js';
import { recordBatch } from '../../test/contract/per-test-store.js';
import { sid, span, tid } from '../../test/support/record-fixtures.js';
import { liveSpansOf } from './running.js';
import { TreeStreams } from './tree-stream.js';

const SEC = 1_000_000;
const clock = { nowUs: 1_000 * SEC, staleAfterUs: 600 * SEC };

/** The session id `/tree` gives a trace, as JSON and as the binary stream's trailer. */
async function sessionIds(trees: TreeStreams, traceId: string): Promise<{ json: string | null; binary: string | null }> {
  const json = JSON.parse(new TextDecoder().decode((await trees.json('default', traceId))!)) as TraceTree;
  const decoder = new TreeStreamDecoder();
  let answer = (await trees.start('default', traceId))!;
  for (const frame of answer.frames) decoder.push(frame);
  while (!answer.done) {
    answer = await trees.next(answer.stream);
    for (const frame of answer.frames) decoder.push(frame);
  }
  decoder.end();
  return { json: json.sessionId, binary: decoder.trailer!.sessionId };
}

describe('TreeStreams', () => {
  // A snapshot of the agent's root, still running, in session sess-1.
  const live = liveSpansOf(
    [{ ...storedSpanOf(span({ traceId: tid(1), spanId: sid(1), startTimeUs: 900 * SEC, endTimeUs: 0, sessionId: 'sess-1' })), receivedUs: 990 * SEC }],
    0,
    clock,
  );

  it('gives a trace whose spans all run the session id its snapshots carry, as JSON as in the binary stream', async () => {
    const trees = new TreeStreams(
      new FakeStore(),
      {},
      async () => live,
      () => clock.nowUs / 1000,
    );
    expect(await sessionIds(trees, tid(1))).toEqual({ json: 'sess-1', binary: 'sess-1' });
  });

  it('gives a trace whose ended spans carry no session id the one its running spans carry, over one page and over many', async () => {
    const store = new FakeStore();
    const ended = Array.from({ length: 5 }, (_, k) =>
      span({ traceId: tid(1), spanId: sid(10 + k), parentSpanId: sid(1), startTimeUs: (901 + k) * SEC, endTimeUs: (902 + k) * SEC }),
    );
    await store.writer.write(recordBatch({ spans: ended }), null);
    for (const treePageSpans of [50_000, 2]) {
      const trees = new TreeStreams(
        store,
        { treePageSpans },
        async () => live,
        () => clock.nowUs / 1000,
      );
      expect(await sessionIds(trees, tid(1)), `pages of ${treePageSpans}`).toEqual({ json: 'sess-1', binary: 'sess-1' });
    }
  });
});

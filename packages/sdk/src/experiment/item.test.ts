import type { Span, TraceDetail } from '@spoor/model';
import { afterEach, describe, expect, it } from 'vitest';
import { initInMemory, shutdown } from '../../test/support/memory.js';
import { storedSpan } from '../../test/support/stored-span.js';
import { cassetteFromTrace } from '../replay/cassette.js';
import { requestHash } from '../replay/hash.js';
import { ReplaySession, type ReplayConfig } from '../replay/session.js';
import { traced } from '../trace/traced.js';
import { workflow } from '../trace/workflow.js';
import { alwaysLiveFor } from './item-replay.js';
import { jsonOf, runItem } from './item.js';

afterEach(() => shutdown());

/** Live runs of `lookup`, by key: a replayed call adds none. */
const liveRuns: string[] = [];
const lookup = traced({ name: 'lookup', captureArgs: true }, function lookup(key: string) {
  liveRuns.push(key);
  return `live ${key}`;
});
const fetchDoc = traced({ name: 'fetch_doc', captureArgs: true }, async function fetchDoc(key: string) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  liveRuns.push(`doc ${key}`);
  return `live doc ${key}`;
});

/** A stored span of a recorded tool call under `parent` (or a root), with its recorded result. */
function toolSpan(spanId: string, name: string, parentSpanId: string | null, args: unknown[] | undefined, result: unknown): Span {
  return storedSpan(
    spanId,
    name,
    parentSpanId,
    args === undefined ? {} : { 'spoor.request.hash': requestHash(args), 'input.value': JSON.stringify(args), 'spoor.tool.result': JSON.stringify(result) },
  );
}

/** A recorded run: `agent` calling `lookup(key)` then `fetch_doc(key)`, answered with `answers`. */
function recordedRun(traceId: string, key: string, answers: [string, string]): TraceDetail {
  return {
    traceId,
    spans: [
      toolSpan('r', 'agent', null, undefined, null),
      toolSpan('l', 'lookup', 'r', [key], answers[0]),
      { ...toolSpan('f', 'fetch_doc', 'r', [key], answers[1]) },
    ],
    logs: [],
    scores: [],
  } as unknown as TraceDetail;
}

function sessionOf(detail: TraceDetail, alwaysLive?: ReplayConfig['alwaysLive']): ReplaySession {
  const config: ReplayConfig = { traceId: detail.traceId, endpoint: 'http://127.0.0.1:1', headers: {}, passthrough: true, onDivergence: undefined, alwaysLive };
  return new ReplaySession(config, cassetteFromTrace(detail));
}

const agent = (key: string) => workflow('agent', async () => [lookup(key), await fetchDoc(key)]);
const ids = (itemId: string) => ({ experimentId: 'e'.repeat(32), itemId });

describe('an experiment item under its own recording', () => {
  it('runs several items at once, each answered from its own recording (sync and async tools), none run live', async () => {
    const sdk = initInMemory();
    liveRuns.length = 0;
    const items = ['1', '2', '3', '4'].map((n) => sessionOf(recordedRun(n.repeat(32), `k${n}`, [`recorded ${n}`, `recorded doc ${n}`])));
    const runs = await Promise.all(items.map((session, i) => runItem('suite', ids(`item${i + 1}`), session, () => agent(`k${i + 1}`))));
    expect(runs.map((run) => run.output)).toEqual([1, 2, 3, 4].map((n) => [`recorded ${n}`, `recorded doc ${n}`]));
    expect(liveRuns).toEqual([]);
    expect(runs.map((run) => run.replay)).toEqual([1, 2, 3, 4].map((n) => ({ traceId: String(n).repeat(32), replayed: 2, live: 0, divergences: [] })));
    const spans = await sdk.spans();
    const roots = spans.filter((span) => span.name === 'experiment suite');
    expect(roots).toHaveLength(4);
    expect(roots.map((span) => span.attributes['spoor.experiment.item']).sort()).toEqual(['item1', 'item2', 'item3', 'item4']);
    for (const root of roots) {
      expect(root.attributes).toMatchObject({
        'spoor.experiment.id': 'e'.repeat(32),
        'spoor.sampling.force': true,
        'spoor.replay.replayed': 2,
        'spoor.replay.live': 0,
      });
      expect(root.attributes['spoor.replay.of']).toMatch(/^(\d)\1{31}$/);
    }
    // Each item is a trace of its own; the workflow inside is not marked as a replay root.
    expect(new Set(roots.map((span) => span.spanContext().traceId)).size).toBe(4);
    expect(spans.filter((span) => span.name === 'agent').every((span) => span.attributes['spoor.replay.of'] === undefined)).toBe(true);
  });

  it('makes a call whose arguments changed live (passthrough), and counts it', async () => {
    initInMemory();
    liveRuns.length = 0;
    const run = await runItem('suite', ids('item1'), sessionOf(recordedRun('1'.repeat(32), 'k1', ['recorded', 'recorded doc'])), () => agent('changed'));
    expect(run.output).toEqual(['live changed', 'live doc changed']);
    expect(liveRuns).toEqual(['changed', 'doc changed']);
    expect(run.replay).toEqual({ traceId: '1'.repeat(32), replayed: 0, live: 2, divergences: ['agent#0', 'agent#1'] });
  });

  it('makes the calls named in target live, and those under a span so named, whatever the recording holds', async () => {
    initInMemory();
    liveRuns.length = 0;
    const detail = recordedRun('1'.repeat(32), 'k1', ['recorded', 'recorded doc']);
    const byName = await runItem('suite', ids('item1'), sessionOf(detail, alwaysLiveFor('all-but-target', ['fetch_doc'])), () => agent('k1'));
    expect(byName.output).toEqual(['recorded', 'live doc k1']);
    const byStep = await runItem('suite', ids('item1'), sessionOf(detail, alwaysLiveFor('all-but-target', ['agent'])), () => agent('k1'));
    expect(byStep.output).toEqual(['live k1', 'live doc k1']);
    expect(byStep.replay).toMatchObject({ replayed: 0, live: 2, divergences: [] });
  });

  it('leaves calls outside any item alone while items run', async () => {
    initInMemory();
    liveRuns.length = 0;
    const session = sessionOf(recordedRun('1'.repeat(32), 'k1', ['recorded', 'recorded doc']));
    const [item, outside] = await Promise.all([runItem('suite', ids('item1'), session, () => agent('k1')), agent('k1')]);
    expect(item.output).toEqual(['recorded', 'recorded doc']);
    expect(outside).toEqual(['live k1', 'live doc k1']);
    expect(liveRuns).toEqual(['k1', 'doc k1']);
  });

  it('records a task that throws, sync or async, as an errored item with its message', async () => {
    initInMemory();
    const sync = await runItem('suite', ids('item1'), undefined, () => {
      throw new Error('boom');
    });
    const rejected = await runItem('suite', ids('item2'), undefined, () => Promise.reject(new TypeError('bad input')));
    expect([sync.error, sync.output, rejected.error]).toEqual(['boom', null, 'bad input']);
    expect(sync.replay).toBeNull();
  });
});

describe('alwaysLiveFor', () => {
  const table: Array<[Parameters<typeof alwaysLiveFor>, Parameters<ReturnType<typeof alwaysLiveFor>>, boolean]> = [
    [['tools', []], ['llm', 'agent > plan', 'chat gpt-4o'], true],
    [['tools', []], ['tool', 'agent > act', 'get_weather'], false],
    [['tools', ['get_weather']], ['tool', 'agent > act', 'get_weather'], true],
    [['all-but-target', []], ['llm', 'agent > plan', 'chat gpt-4o'], false],
    [['all-but-target', ['chat gpt-4o']], ['llm', 'agent > plan', 'chat gpt-4o'], true],
    [['all-but-target', ['plan']], ['llm', 'agent > plan', 'chat gpt-4o'], true],
    [['all-but-target', ['plan']], ['llm', 'agent > planner', 'chat gpt-4o'], false],
    [['all-but-target', ['plan']], ['llm', '', 'chat gpt-4o'], false],
  ];
  it.each(table)('%j decides %j live: %s', (plan, call, live) => {
    expect(alwaysLiveFor(...plan)(...call)).toBe(live);
  });
});

describe('jsonOf', () => {
  it('keeps what JSON keeps, gives null for nothing, and text for what JSON cannot hold', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect([jsonOf(undefined), jsonOf({ a: 1, f: () => 1, d: new Date(0) }), jsonOf(cycle), jsonOf(10n)]).toEqual([
      null,
      { a: 1, d: '1970-01-01T00:00:00.000Z' },
      '[object Object]',
      '10',
    ]);
  });
});

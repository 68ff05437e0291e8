import type { Span } from '@opentelemetry/api';
import type { SpanRecord } from '@spoor/model';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../server/test/support/wait.js';
import { flush, init, shutdown, step, withSpan, workflow, type SpoorOptions } from '../src/index.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

/**
 * Live mode over the wire: the SDK's own OTLP exporter sends to a loopback receiver whose bodies
 * Spoor's decoder reads. A running snapshot is a span whose end time is 0.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Longer than the first snapshot's delay (1 s), with room for a loaded machine. */
const SLOW_STEP_MS = 1800;
const EMAIL = 'ann.lee@example.com';

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  await shutdown();
  receiver.exports.length = 0;
  receiver.delayAnswerMs = 0;
  delete process.env.SPOOR_LIVE;
});

afterAll(async () => {
  await receiver.close();
});

function start(options: SpoorOptions = {}): void {
  init({ serviceName: 'live-agent', endpoint: receiver.url, logDestination: { write() {} }, metricsIntervalMs: 60_000, ...options });
}

/** The agent of the README: plan, a slow search, answer. */
function runAgent(): Promise<void> {
  return workflow('agent', async () => {
    await step('plan', { number: 1 }, () => sleep(10));
    await step('search', { number: 2 }, async (span) => {
      span.setAttribute('search.query', 'opentelemetry running spans');
      await sleep(SLOW_STEP_MS);
    });
    await step('answer', { number: 3 }, () => sleep(10));
  });
}

const isSnapshot = (span: SpanRecord) => span.endTimeUs === 0;

function received(): { span: SpanRecord; request: number }[] {
  return receiver.spans();
}

function snapshotsOf(name: string): { span: SpanRecord; request: number }[] {
  return received().filter((at) => at.span.name === name && isSnapshot(at.span));
}

function endedOf(name: string): { span: SpanRecord; request: number } {
  const ended = received().filter((at) => at.span.name === name && !isSnapshot(at.span));
  expect(ended, `ended spans named ${name}`).toHaveLength(1);
  return ended[0]!;
}

describe('init({ live: true })', () => {
  it('sends one export of running snapshots (end time 0) of the open spans of a three-step agent, then the ended spans after them', async () => {
    start({ live: true });
    await runAgent();
    await flush();

    const snapshots = received().filter((at) => isSnapshot(at.span));
    expect(snapshots.map((at) => at.span.name).sort()).toEqual(['agent', 'search']);
    // Started within a second of each other: one request, not one per span.
    expect(new Set(snapshots.map((at) => at.request)).size).toBe(1);
    // The quick steps ended before a snapshot was due: only their ended form is sent.
    expect(snapshotsOf('plan')).toEqual([]);
    expect(snapshotsOf('answer')).toEqual([]);

    const search = snapshotsOf('search')[0]!;
    const agent = snapshotsOf('agent')[0]!;
    expect(search.span.attributes).toMatchObject({ 'search.query': 'opentelemetry running spans', 'step.number': 2 });
    expect(search.span.parentSpanId).toBe(agent.span.spanId);
    expect(search.span.startTimeUs).toBe(endedOf('search').span.startTimeUs);
    for (const name of ['agent', 'plan', 'search', 'answer']) {
      const ended = endedOf(name);
      expect(ended.span.endTimeUs).toBeGreaterThanOrEqual(ended.span.startTimeUs);
      for (const snapshot of snapshotsOf(name)) expect(snapshot.request).toBeLessThan(ended.request);
    }
  });

  it('masks a snapshot as it masks the ended span: the raw value never leaves the process', async () => {
    start({ live: true });
    await withSpan('lookup', { attributes: { 'user.email': EMAIL } }, async (span) => {
      span.addEvent('contacted', { note: `wrote to ${EMAIL}` });
      await sleep(1300);
    });
    await flush();

    const snapshot = snapshotsOf('lookup');
    expect(snapshot).toHaveLength(1);
    expect(snapshot[0]!.span.attributes['user.email']).toMatch(/^\[REDACTED/);
    expect(String(snapshot[0]!.span.events[0]!.attributes.note)).not.toContain(EMAIL);
    expect(endedOf('lookup').span.attributes['user.email']).toBe(snapshot[0]!.span.attributes['user.email']);
    expect(receiver.exports.length).toBeGreaterThanOrEqual(2);
    for (const sent of receiver.exports) expect(sent.body.includes(EMAIL)).toBe(false);
  });

  it('sends an open span again on the interval only when it changed', async () => {
    start({ live: true, liveIntervalMs: 1000 });
    // Changes half-way between the 1 s ticks, so a late timer on a busy machine still sees them in order.
    const long = withSpan('long', async (span) => {
      await sleep(1500);
      span.setAttribute('progress', 1);
      await sleep(1000);
      span.addEvent('checkpoint');
      await sleep(1100);
    });
    const quiet = withSpan('quiet', () => sleep(3600));
    await Promise.all([long, quiet]);
    await flush();

    const longs = snapshotsOf('long').map((at) => at.span);
    expect(longs.length).toBeGreaterThanOrEqual(3);
    expect(longs[0]!.attributes.progress).toBeUndefined();
    expect(longs.some((span) => span.attributes.progress === 1 && span.events.length === 0)).toBe(true);
    expect(longs.at(-1)!.events.map((event) => event.name)).toEqual(['checkpoint']);
    // Unchanged: sent once, not on every tick (it would go again only after 30 s).
    expect(snapshotsOf('quiet')).toHaveLength(1);
  });

  it('sends no snapshot of a span after its end, on later ticks or in flight', async () => {
    start({ live: true, liveIntervalMs: 1000 });
    await withSpan('short-lived', async (span) => {
      await sleep(1300);
      // Changed since its snapshot, as a result attribute set on the way out is.
      span.setAttribute('result.count', 3);
    });
    // Two more ticks pass with the span ended.
    await sleep(2200);
    await flush();
    expect(snapshotsOf('short-lived')).toHaveLength(1);
    expect(snapshotsOf('short-lived')[0]!.request).toBeLessThan(endedOf('short-lived').request);
    expect(endedOf('short-lived').span.attributes['result.count']).toBe(3);
  });

  it('holds the ended span back until the snapshot export under way is answered, so the wire keeps the order', async () => {
    start({ live: true });
    receiver.delayAnswerMs = 1500;
    // Snapshot sent at ~1 s and answered at ~2.5 s; the batch processor exports the ended span at ~2.2 s.
    await withSpan('racing', () => sleep(1200));
    await until('the ended span', () => received().find((at) => at.span.name === 'racing' && !isSnapshot(at.span)));
    const snapshot = receiver.exports[snapshotsOf('racing')[0]!.request]!;
    const ended = receiver.exports[endedOf('racing').request]!;
    expect(ended.arrivedMs).toBeGreaterThanOrEqual(snapshot.answeredMs!);
  });

  it('stops at shutdown: no snapshot of a span still open or ending during it', async () => {
    start({ live: true, liveIntervalMs: 1000 });
    let endOpen!: () => void;
    let openSpan!: Span;
    const open = withSpan('open-at-shutdown', (span) => ((openSpan = span), new Promise<void>((resolve) => (endOpen = resolve))));
    await until('the first snapshot', () => snapshotsOf('open-at-shutdown')[0]);
    let endLate!: () => void;
    const late = withSpan('started-late', () => new Promise<void>((resolve) => (endLate = resolve)));
    const closing = shutdown();
    openSpan.setAttribute('changed.during.shutdown', true);
    endLate();
    await late;
    await closing;
    const requests = receiver.exports.length;
    // Past the first-snapshot delay of 'started-late' and a tick that would see the change.
    await sleep(1500);
    endOpen();
    await open;
    expect(receiver.exports.length).toBe(requests);
    expect(snapshotsOf('started-late')).toEqual([]);
    expect(snapshotsOf('open-at-shutdown')).toHaveLength(1);
  });

  it('snapshots no span the sampler dropped', async () => {
    start({ live: true, sampleRate: 0 });
    await withSpan('dropped', () => sleep(1300));
    await flush();
    expect(receiver.exports).toEqual([]);
  });
});

describe('live mode off', () => {
  it('sends no snapshot by default: the slow step goes out once, ended', async () => {
    start();
    await runAgent();
    await flush();
    expect(received().filter((at) => isSnapshot(at.span))).toEqual([]);
    expect(
      received()
        .map((at) => at.span.name)
        .sort(),
    ).toEqual(['agent', 'answer', 'plan', 'search']);
  });

  it('turns on with SPOOR_LIVE=1, and live: false wins over it', async () => {
    process.env.SPOOR_LIVE = '1';
    start({ live: false });
    await withSpan('option-wins', () => sleep(1300));
    await flush();
    await shutdown();
    expect(snapshotsOf('option-wins')).toEqual([]);

    start();
    await withSpan('from-env', () => sleep(1300));
    await flush();
    expect(snapshotsOf('from-env')).toHaveLength(1);
  });
});

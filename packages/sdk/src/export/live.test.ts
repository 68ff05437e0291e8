import type { Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIVE_FIRST_DELAY_MS, LIVE_RESEND_MS, LiveSpanProcessor, MAX_LIVE_SPANS, SNAPSHOT_EXPORT_TIMEOUT_MS } from './live.js';

/** Keeps every export; answers snapshot exports only while `answerSnapshots` is on. */
class KeepingExporter implements SpanExporter {
  snapshots: ReadableSpan[][] = [];
  ended: ReadableSpan[] = [];
  answerSnapshots = true;

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (spans.every((span) => span.endTime[0] === 0)) {
      this.snapshots.push(spans);
      if (!this.answerSnapshots) return;
    } else {
      this.ended.push(...spans);
    }
    done({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {}
}

const INTERVAL_MS = 5000;
let exporter: KeepingExporter;
let provider: BasicTracerProvider;

function startSpan(name: string): Span {
  return provider.getTracer('live-test').startSpan(name);
}

describe('LiveSpanProcessor', () => {
  beforeEach(() => {
    // The scheduler's timers and clock only; span times come from the real performance clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    exporter = new KeepingExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new LiveSpanProcessor(exporter, INTERVAL_MS, (ended) => new SimpleSpanProcessor(ended))] });
  });

  afterEach(async () => {
    await provider.shutdown();
    vi.useRealTimers();
  });

  it('sends an unchanged open span again only after 30 s, so a crash leaves a recent snapshot', async () => {
    const span = startSpan('waiting-on-a-human');
    await vi.advanceTimersByTimeAsync(LIVE_FIRST_DELAY_MS);
    expect(exporter.snapshots).toHaveLength(1);
    // The ticks at 5, 10, … 30 s find it unchanged and sent less than 30 s ago; the one at 35 s resends it.
    await vi.advanceTimersByTimeAsync(LIVE_RESEND_MS);
    expect(exporter.snapshots).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(exporter.snapshots).toHaveLength(2);
    expect(exporter.snapshots[1]!.map((s) => s.name)).toEqual(['waiting-on-a-human']);
    span.end();
  });

  it(`follows at most ${MAX_LIVE_SPANS} open spans at once`, async () => {
    const spans = Array.from({ length: MAX_LIVE_SPANS + 4 }, (_, i) => startSpan(`open-${i}`));
    await vi.advanceTimersByTimeAsync(LIVE_FIRST_DELAY_MS);
    expect(exporter.snapshots.map((batch) => batch.length)).toEqual([MAX_LIVE_SPANS]);
    for (const span of spans) span.end();
    expect(exporter.ended).toHaveLength(MAX_LIVE_SPANS + 4);
  });

  it('holds ended spans back while a snapshot export is unanswered, but no longer than its timeout', async () => {
    exporter.answerSnapshots = false;
    const span = startSpan('slow-server');
    await vi.advanceTimersByTimeAsync(LIVE_FIRST_DELAY_MS);
    expect(exporter.snapshots).toHaveLength(1);
    span.end();
    await vi.advanceTimersByTimeAsync(SNAPSHOT_EXPORT_TIMEOUT_MS - LIVE_FIRST_DELAY_MS - 1);
    expect(exporter.ended).toEqual([]);
    await vi.advanceTimersByTimeAsync(LIVE_FIRST_DELAY_MS + 1);
    expect(exporter.ended.map((s) => s.name)).toEqual(['slow-server']);
  });

  it('copies what masking rewrites in place: a snapshot shares no attributes, events or status with its span', async () => {
    const span = startSpan('copied');
    span.setAttribute('user.email', 'ann@example.com');
    span.addEvent('note', { text: 'x' });
    await vi.advanceTimersByTimeAsync(LIVE_FIRST_DELAY_MS);
    const snapshot = exporter.snapshots[0]![0]!;
    (snapshot.attributes as Record<string, unknown>)['user.email'] = '[REDACTED:email]';
    (snapshot.events[0]!.attributes as Record<string, unknown>).text = 'y';
    span.end();
    expect(exporter.ended[0]!.attributes['user.email']).toBe('ann@example.com');
    expect(exporter.ended[0]!.events[0]!.attributes!.text).toBe('x');
    expect(snapshot.endTime).toEqual([0, 0]);
    expect(snapshot.ended).toBe(false);
  });
});

import { context, TraceFlags, type Attributes, type AttributeValue, type Context, type SpanStatus } from '@opentelemetry/api';
import { suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * A span is first sent this long after the first unsent one started: most spans end sooner and
 * never need a snapshot (their ended form follows within the batch processor's 1 s delay anyway),
 * and the spans started within it share one export instead of one request each.
 */
export const LIVE_FIRST_DELAY_MS = 1000;
/** An open span that did not change is sent again after this long, so a crash leaves a recent snapshot. */
export const LIVE_RESEND_MS = 30_000;
/**
 * Open spans followed at once. A span never ended (a leak in the app) stays followed; past this
 * many, spans that start are not snapshotted (their ended form still goes out), which bounds what
 * live mode holds to a few MB and what one export carries.
 */
export const MAX_LIVE_SPANS = 4096;
/**
 * The longest ended spans wait for a snapshot export, the OTLP exporter's own timeout (10 s): an
 * exporter that never answers holds nothing up past it (the server drops a snapshot that arrives
 * after its span's end anyway).
 */
export const SNAPSHOT_EXPORT_TIMEOUT_MS = 10_000;

/** What a span looked like when its last snapshot was taken, to tell whether it changed since. */
interface Seen {
  atMs: number;
  name: string;
  status: SpanStatus;
  attributes: Attributes;
  attributeCount: number;
  events: number;
  droppedEvents: number;
  links: number;
}

/**
 * Live mode (`init({ live: true })`): sends running snapshots of open spans, the same span with
 * end time 0 and its attributes and events so far, through the exporter ended spans take (so they
 * are masked as those are). A span is snapshotted {@link LIVE_FIRST_DELAY_MS} after it starts if
 * still open, then on every `intervalMs` tick when it changed or was last sent
 * {@link LIVE_RESEND_MS} ago. Ended spans go on to the processor `endedProcessorFor` builds, over
 * an exporter that waits for any snapshot export under way: no snapshot of a span leaves after
 * its ended form, and none is built once it ended. Sampled-out spans get no snapshot.
 */
export class LiveSpanProcessor implements SpanProcessor {
  private readonly next: SpanProcessor;
  /** Open spans not snapshotted yet. */
  private readonly unsent = new Set<Span>();
  /** Open spans snapshotted at least once, with how they looked then. */
  private readonly sent = new Map<Span, Seen>();
  private firstTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  /** The snapshot export under way; one at a time, so a slow server gets no pile of them. */
  private exporting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly intervalMs: number,
    endedProcessorFor: (exporter: SpanExporter) => SpanProcessor,
  ) {
    this.next = endedProcessorFor(new AfterSnapshots(exporter, () => this.exporting));
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
    // A sampled-out span is recorded for the workflow metrics but never exported, nor snapshotted.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.closed || this.unsent.size + this.sent.size >= MAX_LIVE_SPANS) return;
    this.unsent.add(span);
    this.firstTimer ??= unref(setTimeout(() => this.sendFirst(), LIVE_FIRST_DELAY_MS));
    this.tickTimer ??= unref(setInterval(() => this.tick(), this.intervalMs));
  }

  onEnd(span: ReadableSpan): void {
    // Forgotten before it is handed on: no snapshot of it is built from now on.
    if (!this.unsent.delete(span as Span)) this.sent.delete(span as Span);
    this.next.onEnd(span);
  }

  /** Waits for the snapshot export under way, then flushes the ended spans (so they go after it). */
  async forceFlush(): Promise<void> {
    await this.exporting;
    await this.next.forceFlush();
  }

  /** Stops the timers and follows no span any more: a span that ends during shutdown gets no snapshot. */
  async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.firstTimer);
    clearInterval(this.tickTimer);
    this.unsent.clear();
    this.sent.clear();
    await this.exporting;
    await this.next.shutdown();
  }

  private sendFirst(): void {
    this.firstTimer = undefined;
    this.send(false);
  }

  private tick(): void {
    if (this.unsent.size === 0 && this.sent.size === 0) {
      // Nothing open: no timer runs until a span starts again.
      clearInterval(this.tickTimer);
      this.tickTimer = undefined;
      return;
    }
    this.send(true);
  }

  /** Snapshots the unsent spans, and with `resend` the sent ones that changed or went quiet; one export. */
  private send(resend: boolean): void {
    if (this.closed) return;
    if (this.exporting !== undefined) {
      // What is left waits for the next tick; unsent spans for a first-delay timer after this export.
      void this.exporting.then(() => {
        if (this.unsent.size > 0 && !this.closed) this.firstTimer ??= unref(setTimeout(() => this.sendFirst(), LIVE_FIRST_DELAY_MS));
      });
      return;
    }
    const nowMs = Date.now();
    const snapshots: ReadableSpan[] = [];
    if (resend) {
      for (const [span, seen] of this.sent) {
        if (nowMs - seen.atMs < LIVE_RESEND_MS && !changedSince(span, seen)) continue;
        snapshots.push(snapshotOf(span));
        this.sent.set(span, seenOf(span, nowMs));
      }
    }
    for (const span of this.unsent) {
      snapshots.push(snapshotOf(span));
      this.sent.set(span, seenOf(span, nowMs));
    }
    this.unsent.clear();
    if (snapshots.length === 0) return;
    this.exporting = new Promise<void>((resolve) => {
      const timeout = unref(setTimeout(resolve, SNAPSHOT_EXPORT_TIMEOUT_MS));
      const done = (_result: ExportResult) => {
        clearTimeout(timeout);
        resolve();
      };
      // The exporter's own HTTP call is no span of the app's (the batch processor does the same).
      context.with(suppressTracing(context.active()), () => {
        try {
          this.exporter.export(snapshots, done);
        } catch {
          // The guarded exporter reports its failures; a throw here loses only these snapshots.
          clearTimeout(timeout);
          resolve();
        }
      });
    }).then(() => {
      this.exporting = undefined;
    });
  }
}

/** The exporter ended spans take in live mode: hands a batch on only once the snapshot export under way is answered. */
class AfterSnapshots implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly exporting: () => Promise<void> | undefined,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const pending = this.exporting();
    if (pending === undefined) return this.inner.export(spans, resultCallback);
    const active = context.active();
    void pending.then(() => context.with(active, () => this.inner.export(spans, resultCallback)));
  }

  async shutdown(): Promise<void> {
    await this.exporting();
    await this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * The span as it is now, running: end time 0 (unset, as OTLP says), and its own copies of what
 * the exporter masks in place (attributes, event and link attributes, status), so masking a
 * snapshot never touches the live span.
 */
function snapshotOf(span: ReadableSpan): ReadableSpan {
  const spanContext = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: [0, 0],
    status: { ...span.status },
    attributes: { ...span.attributes },
    links: span.links.map((link) => (link.attributes === undefined ? { ...link } : { ...link, attributes: { ...link.attributes } })),
    events: span.events.map((event) => (event.attributes === undefined ? { ...event } : { ...event, attributes: { ...event.attributes } })),
    duration: [0, 0],
    ended: false,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function seenOf(span: ReadableSpan, atMs: number): Seen {
  const attributes = { ...span.attributes };
  return {
    atMs,
    name: span.name,
    // The SDK's span replaces its status object when it is set, so the reference tells a change.
    status: span.status,
    attributes,
    attributeCount: Object.keys(attributes).length,
    events: span.events.length,
    droppedEvents: span.droppedEventsCount,
    links: span.links.length,
  };
}

/** Whether the span's name, status, attributes, events or links differ from when it was seen. */
function changedSince(span: ReadableSpan, seen: Seen): boolean {
  if (span.name !== seen.name || span.status !== seen.status) return true;
  // Past the event limit the oldest event is dropped for each new one: the length stays, the count grows.
  if (span.events.length !== seen.events || span.droppedEventsCount !== seen.droppedEvents || span.links.length !== seen.links) return true;
  let count = 0;
  for (const key in span.attributes) {
    count++;
    if (!sameValue(span.attributes[key], seen.attributes[key])) return true;
  }
  return count !== seen.attributeCount;
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function unref<T extends NodeJS.Timeout>(timer: T): T {
  timer.unref();
  return timer;
}

import { SPAN_KINDS, type PriceBook, type SpanRecord } from '@spoor/model';
import { normalizeSpans } from '../normalize/normalize.js';
import type { Utf8Builder } from '../store/columns.js';
import { ID_WORDS } from './recent-spans.js';
import type { RequestSpans } from './request-spans.js';
import { NO_ATTRIBUTES, type SpanFields, type SpanGroup, type SpanSource } from './span-source.js';

/**
 * The running snapshots of a trace request the column path reads (`decode-columns.ts`), set aside
 * as `decodeRequest` sets them aside: a span sent with no end yet is stored apart
 * (`running_spans`), not claimed, so the ended span that replaces it is not taken for a resend.
 */
export class RunningSnapshots {
  /** Each snapshot's place in the request (where its ids are) and its record, in request order. */
  private readonly found: Array<{ at: number; span: SpanRecord }> = [];

  /**
   * Sets aside the snapshot at place `at`, read whole from `offset` (a row of `attributes` written
   * and taken back), unless `whole` holds it read so already (its row taken back).
   */
  add(at: number, reader: SpanSource, offset: number, attributes: Utf8Builder, group: SpanGroup, projectId: string, whole?: SpanFields): void {
    let f = whole;
    if (f === undefined) {
      f = reader.readWhole(offset, attributes);
      attributes.undoRow();
    }
    const ids = Buffer.from(reader.ids.buffer, reader.ids.byteOffset, reader.ids.byteLength);
    const span: SpanRecord = {
      projectId,
      traceId: f.traceId,
      spanId: reader.spanIdHex(),
      parentSpanId: f.parentIdBytes === 0 ? null : ids.toString('hex', f.parentIdAt, f.parentIdAt + f.parentIdBytes),
      traceState: f.traceState,
      flags: f.flags,
      name: f.name,
      kind: SPAN_KINDS[f.kind] ?? 'unspecified',
      serviceName: group.serviceName,
      startTimeUs: f.startTimeUs,
      endTimeUs: f.endTimeUs,
      status: f.status,
      attributes: f.view === NO_ATTRIBUTES ? {} : f.view,
      resource: group.resource,
      scope: group.scope,
      events: [...f.events],
      links: [...f.links],
      droppedAttributesCount: f.droppedAttributesCount,
      droppedEventsCount: f.droppedEventsCount,
      droppedLinksCount: f.droppedLinksCount,
      llm: null,
      sessionId: null,
      userId: null,
      category: 'other',
    };
    this.found.push({ at, span });
  }

  /**
   * The snapshots to store, normalized: for each span the last one in the request, none of a span
   * the request carried ended (`seen`, over the request's ids `words` and `hashes` by place) or an
   * earlier request did (`ended`). Those are counted: a snapshot sent after its span ended (an
   * exporter's late timer) must not bring the span back as running.
   */
  latest(
    words: Int32Array,
    hashes: Int32Array,
    seen: RequestSpans,
    ended: ((words: Int32Array, at: number, hash: number) => boolean) | undefined,
    prices: PriceBook | undefined,
  ): { kept: SpanRecord[]; afterEnd: number } {
    const last = new Map<string, SpanRecord>();
    let afterEnd = 0;
    for (const { at, span } of this.found) {
      if (seen.has(words, at, hashes[at]!) || ended?.(words, at * ID_WORDS, hashes[at]!) === true) afterEnd++;
      else last.set(`${span.traceId}/${span.spanId}`, span);
    }
    const kept = [...last.values()];
    if (kept.length > 0) normalizeSpans(kept, prices);
    return { kept, afterEnd };
  }
}

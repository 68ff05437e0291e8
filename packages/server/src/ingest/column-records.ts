import { SPAN_KINDS, type SpanRecord } from '@spoor/model';
import type { Utf8Builder } from '../store/columns.js';
import { OK_UNSET } from './protobuf/traces.js';
import { type SpanFields, type SpanPlan, type SpanSource, newPlan, newSpanFields, planSpan } from './span-source.js';

/**
 * The column path's general span reader: for a trace request the fast readers leave (OTLP/JSON
 * spelled otherwise than `json/trace-columns.ts` reads it: a key with an escape, a field twice, a
 * byte order mark; a body a fast reader threw on), the records the record path's readers
 * (`json/traces.ts`, `protobuf/traces.ts`) read of it, taken span by span into the same columns
 * (`decode-columns.ts`) as the fast readers' spans. Those readers name what is wrong with a body
 * they refuse. A record's ids were checked as it was read (a span with bad ids is none of these).
 */

/** The records' groups: each run of records sharing a resource and scope (the readers give each group its own objects). */
export function planRecords(records: readonly SpanRecord[]): SpanPlan {
  const plan = newPlan();
  let last: SpanRecord | undefined;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (last === undefined || record.resource !== last.resource || record.scope !== last.scope) {
      plan.groups.push({ resource: record.resource, scope: record.scope, serviceName: record.serviceName });
    }
    planSpan(plan, i, plan.groups.length - 1);
    last = record;
  }
  return plan;
}

/** Reads record `offset` (its place in `records`) as a fast reader reads a span, every attribute in `view`. */
export class RecordSpanReader implements SpanSource {
  /** The span id's bytes (at 0) and the parent's (at 8). */
  readonly ids = new Uint8Array(16);
  private readonly fields: SpanFields = newSpanFields(OK_UNSET);
  private spanId = '';

  constructor(private readonly records: readonly SpanRecord[]) {}

  read(offset: number, attributes: Utf8Builder): SpanFields {
    const s = this.records[offset]!;
    const f = this.fields;
    this.spanId = s.spanId;
    f.traceId = s.traceId;
    for (let w = 0; w < 4; w++) f.idWords[w] = Number.parseInt(s.traceId.slice(8 * w, 8 * w + 8), 16) | 0;
    f.spanIdAt = 0;
    f.spanIdBytes = this.hexInto(s.spanId, 0);
    for (let w = 0; w < 2; w++) f.idWords[4 + w] = Number.parseInt(s.spanId.slice(8 * w, 8 * w + 8), 16) | 0;
    f.parentIdAt = 8;
    f.parentIdBytes = s.parentSpanId === null ? 0 : this.hexInto(s.parentSpanId, 8);
    f.traceState = s.traceState;
    f.name = s.name;
    f.kind = Math.max(0, SPAN_KINDS.indexOf(s.kind));
    f.startTimeUs = s.startTimeUs;
    f.endTimeUs = s.endTimeUs;
    f.flags = s.flags;
    f.status = s.status;
    f.view = s.attributes;
    f.events = s.events;
    f.links = s.links;
    f.droppedAttributesCount = s.droppedAttributesCount;
    f.droppedEventsCount = s.droppedEventsCount;
    f.droppedLinksCount = s.droppedLinksCount;
    f.irregular = false;
    attributes.text(JSON.stringify(s.attributes));
    attributes.endRow();
    return f;
  }

  readWhole(offset: number, attributes: Utf8Builder): SpanFields {
    return this.read(offset, attributes);
  }

  readAll(offset: number, attributes: Utf8Builder): SpanFields {
    return this.read(offset, attributes);
  }

  spanIdHex(): string {
    return this.spanId;
  }

  /** An id's hex (16 digits, as the readers checked it) into `ids` at `at`: its 8 bytes. */
  private hexInto(hex: string, at: number): number {
    for (let k = 0; k < 8; k++) this.ids[at + k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
    return 8;
  }
}

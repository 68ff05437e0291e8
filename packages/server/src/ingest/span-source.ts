import type { Attributes, InstrumentationScope, Resource, SpanEventRecord, SpanLink, SpanStatus } from '@spoor/model';
import type { Utf8Builder } from '../store/columns.js';
import { ID_WORDS } from './recent-spans.js';

/**
 * What the column path (`decode-columns.ts`) reads a trace request through, whatever its
 * encoding: a plan of where the spans are, made before any is read (a span needs its resource and
 * scope, which may follow it), and a reader that fills one reused `SpanFields` with the span at an
 * offset, writing its attributes' JSON into the attributes column as it goes. OTLP/protobuf's is
 * `protobuf/trace-columns.ts`, OTLP/JSON's `json/trace-columns.ts`.
 */

/** A resource and scope the spans after it belong to. */
export interface SpanGroup {
  resource: Resource;
  scope: InstrumentationScope;
  serviceName: string;
}

/** Where a request's spans are. */
export interface SpanPlan {
  groups: SpanGroup[];
  /** Each span's offset in the body and the index of its group. */
  offsets: Int32Array;
  groupOf: Int32Array;
  count: number;
}

export interface SpanSource {
  /**
   * The bytes `SpanFields.spanIdAt` and `parentIdAt` point into: the body itself for protobuf,
   * a reader's own scratch for JSON (whose ids are hex text). Read before the next span is.
   */
  readonly ids: Uint8Array;
  /** Reads the span at `offset` into the reader's `SpanFields`, and its attributes' JSON into a row of `attributes`. */
  read(offset: number, attributes: Utf8Builder): SpanFields;
  /**
   * `read` with every attribute in `SpanFields.view`, as the record path reads them into a
   * record's: for a span the columns cannot take as they are read (a running snapshot,
   * attributes JSON.stringify orders otherwise). Anything repaired in it is counted once.
   */
  readWhole(offset: number, attributes: Utf8Builder): SpanFields;
  /** `read` with every attribute in `SpanFields.view`, for a span not read before (a masked project's): its strings counted as `read` counts them. */
  readAll(offset: number, attributes: Utf8Builder): SpanFields;
  /** The span id of the span last read, as lowercase hex of any length (`''` when none came): what names a rejected span. */
  spanIdHex(): string;
}

/** One span as read; the same object for every span of a request, so the caller copies what it keeps. */
export interface SpanFields {
  traceId: string;
  /**
   * Where the span id's bytes are in `SpanSource.ids`, and how many (8 when valid): its hex is
   * written from there into the column (`Utf8Builder.hex`), and made a string only where one is needed;
   * -1 for an OTLP/JSON id of another length (`SpanSource.spanIdHex` answers its text).
   */
  spanIdAt: number;
  spanIdBytes: number;
  /** The parent span id's bytes likewise; none (0 bytes) for a root span, -1 as for the span id. */
  parentIdAt: number;
  parentIdBytes: number;
  traceState: string;
  name: string;
  /** The OTLP enum value. */
  kind: number;
  startTimeUs: number;
  endTimeUs: number;
  flags: number;
  status: SpanStatus;
  /** The attributes a convention reads (`isNormalizedKey`), or all (`readWhole`); `NO_ATTRIBUTES` when none. */
  view: Attributes;
  events: SpanEventRecord[];
  links: SpanLink[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  /** The attributes' JSON would differ from JSON.stringify of the record's object: decode the record way. */
  irregular: boolean;
  /**
   * The trace and span ids as `ID_WORDS` words (`recent-spans.ts`); meaningful only when the ids
   * are valid (`idsValid` in `decode-columns.ts` checks their lengths first), zeros when none came.
   */
  idWords: Int32Array;
}

/** The attributes of a span without any a convention reads. Never written to: it has no key to mask. */
export const NO_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;
export const NO_EVENTS: SpanEventRecord[] = Object.freeze([]) as unknown as SpanEventRecord[];
export const NO_LINKS: SpanLink[] = Object.freeze([]) as unknown as SpanLink[];

/** A span's fields before any is read, for a reader to reuse span after span. */
export function newSpanFields(status: SpanStatus): SpanFields {
  return {
    traceId: '',
    spanIdAt: 0,
    spanIdBytes: 0,
    parentIdAt: 0,
    parentIdBytes: 0,
    traceState: '',
    name: '',
    kind: 0,
    startTimeUs: 0,
    endTimeUs: 0,
    flags: 0,
    status,
    view: NO_ATTRIBUTES,
    events: NO_EVENTS,
    links: NO_LINKS,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    irregular: false,
    idWords: new Int32Array(ID_WORDS),
  };
}

/** Sets every field as no span field was read yet, for the next span. */
export function resetSpanFields(f: SpanFields, status: SpanStatus): void {
  f.traceId = '';
  f.spanIdBytes = 0;
  f.parentIdBytes = 0;
  f.traceState = '';
  f.name = '';
  f.kind = 0;
  f.startTimeUs = 0;
  f.endTimeUs = 0;
  f.flags = 0;
  f.status = status;
  f.view = NO_ATTRIBUTES;
  f.events = NO_EVENTS;
  f.links = NO_LINKS;
  f.droppedAttributesCount = 0;
  f.droppedEventsCount = 0;
  f.droppedLinksCount = 0;
  f.irregular = false;
  f.idWords.fill(0);
}

export function newPlan(): SpanPlan {
  return { groups: [], offsets: new Int32Array(64), groupOf: new Int32Array(64), count: 0 };
}

/** Notes a span at `offset` in group `group`. */
export function planSpan(plan: SpanPlan, offset: number, group: number): void {
  if (plan.count === plan.offsets.length) {
    const offsets = new Int32Array(plan.offsets.length * 2);
    offsets.set(plan.offsets);
    const groupOf = new Int32Array(plan.groupOf.length * 2);
    groupOf.set(plan.groupOf);
    plan.offsets = offsets;
    plan.groupOf = groupOf;
  }
  plan.offsets[plan.count] = offset;
  plan.groupOf[plan.count++] = group;
}

import { SPAN_KINDS, STATUS_CODES } from '@spoor/model';
import type { Utf8Builder } from '../../store/columns.js';
import { OK_UNSET } from '../protobuf/traces.js';
import { NO_ATTRIBUTES, type SpanFields, resetSpanFields } from '../span-source.js';
import { array, attributes, enumValue, hexId, integer, micros, object, optionalObject, string } from './common.js';
import { eventOf, linkOf } from './traces.js';

/**
 * One OTLP/JSON span the column reader (`trace-columns.ts`) does not read as it is spelled (a key
 * with an escape, a field twice, a KeyValue's value before its key), parsed from its own slice and
 * read into `SpanFields` by the record path's walkers (`common.ts`, as `traces.ts` reads a span),
 * every attribute in `view`: the rest of the request stays on the column reader. Throws where
 * those walkers throw; the caller then leaves the whole body to the general reader, which names
 * where the fault is.
 */
/** Answers the span id's text (what names a span rejected for its ids). */
export function readSpanObject(value: unknown, f: SpanFields, ids: Uint8Array, out: Utf8Builder): string {
  const s = object(value, '');
  resetSpanFields(f, OK_UNSET);
  f.traceId = hexId(s.traceId, '');
  const spanId = hexId(s.spanId, '');
  const parentSpanId = hexId(s.parentSpanId, '');
  if (f.traceId.length === 32) for (let w = 0; w < 4; w++) f.idWords[w] = Number.parseInt(f.traceId.slice(8 * w, 8 * w + 8), 16) | 0;
  f.spanIdAt = 0;
  f.spanIdBytes = idInto(spanId, ids, 0);
  if (f.spanIdBytes === 8) for (let w = 0; w < 2; w++) f.idWords[4 + w] = Number.parseInt(spanId.slice(8 * w, 8 * w + 8), 16) | 0;
  f.parentIdAt = 8;
  f.parentIdBytes = idInto(parentSpanId, ids, 8);
  // A span with bad ids is rejected for them before any other field is read, as `traces.ts` rejects it.
  if (f.traceId.length !== 32 || f.spanIdBytes !== 8 || f.parentIdBytes < 0) {
    out.text('{}');
    out.endRow();
    return spanId;
  }
  const status = optionalObject(s.status, '');
  f.traceState = string(s.traceState, '');
  f.flags = integer(s.flags, '');
  f.name = string(s.name, '');
  const kind = enumValue(s.kind, SPAN_KINDS, 'SPAN_KIND_', '');
  f.kind = SPAN_KINDS[kind] === undefined ? 0 : kind;
  f.startTimeUs = micros(s.startTimeUnixNano, '');
  f.endTimeUs = micros(s.endTimeUnixNano, '');
  f.status = { code: STATUS_CODES[enumValue(status?.code, STATUS_CODES, 'STATUS_CODE_', '')] ?? 'unset', message: string(status?.message, '') };
  const view = attributes(s.attributes, '');
  f.events = array(s.events, '').map((e) => eventOf(e, ''));
  f.links = array(s.links, '').map((l) => linkOf(l, ''));
  f.droppedAttributesCount = integer(s.droppedAttributesCount, '');
  f.droppedEventsCount = integer(s.droppedEventsCount, '');
  f.droppedLinksCount = integer(s.droppedLinksCount, '');
  f.view = Object.keys(view).length === 0 ? NO_ATTRIBUTES : view;
  out.text(JSON.stringify(view));
  out.endRow();
  return spanId;
}

/** An id's lowercase hex into `ids` at `at`: its 8 bytes when it has 16 digits, 0 when empty, -1 for any other length. */
function idInto(hex: string, ids: Uint8Array, at: number): number {
  if (hex.length === 0) return 0;
  if (hex.length !== 16) return -1;
  for (let k = 0; k < 8; k++) ids[at + k] = Number.parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return 8;
}

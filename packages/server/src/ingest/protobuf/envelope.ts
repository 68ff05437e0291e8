import type { InstrumentationScope, Resource } from '@spoor/model';
import type { Rejections } from '../decoded.js';
import { serviceNameOf } from '../decoded.js';
import { emptyResource, emptyScope, readResource, readScope } from './common.js';
import {
  BinaryReader,
  WT_LEN,
  expectEnd,
  fields,
  malformed,
  messageEnd,
  readString,
  replacedStringCount,
  resetReplacedStrings,
  skipField,
  tagOf,
} from './wire.js';

/** What every record carries from the messages around it. */
interface Attributed {
  resource: Resource;
  scope: InstrumentationScope;
  serviceName: string;
}

/** Reads one record (length-prefixed, at the reader's position) and pushes it to `out`, or rejects it. */
export type RecordReader<T> = (r: BinaryReader, projectId: string, out: T[], rejections: Rejections) => void;

// Export{Trace,Logs,Metrics}ServiceRequest, Resource{Spans,Logs,Metrics} and
// Scope{Spans,Logs,Metrics} share their layout: field 1 the resource (or scope), field 2 the
// repeated children, field 3 the schema URL.
const FIRST = tagOf(1, WT_LEN);
const CHILDREN = tagOf(2, WT_LEN);
const SCHEMA_URL = tagOf(3, WT_LEN);
const ENVELOPE_FIELDS = fields(1, 2, 3);

/**
 * Decodes an export request body: `resource_*` groups of `scope_*` groups of records. The
 * resource and scope may follow their records on the wire, so they are attached once their
 * message is read. Reader errors (reading past the end, bad varints) make the body malformed;
 * strings with invalid UTF-8 are kept, repaired, and counted in `rejections.replacedStrings`.
 */
export function readExportRequest<T extends Attributed>(
  body: Uint8Array,
  signal: 'Spans' | 'Logs' | 'Metrics',
  projectId: string,
  readRecord: RecordReader<T>,
  rejections: Rejections,
): T[] {
  const r = new BinaryReader(body);
  const out: T[] = [];
  resetReplacedStrings();
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === FIRST) readResourceGroup(r, signal, projectId, readRecord, out, rejections);
      else skipField(r, tag, fields(1), `Export${signal}ServiceRequest`);
    }
    expectEnd(r, r.len);
  } catch (error) {
    if (error instanceof Error && error.name !== 'AppError') throw malformed(error.message);
    throw error;
  }
  rejections.replacedStrings = replacedStringCount();
  return out;
}

function readResourceGroup<T extends Attributed>(
  r: BinaryReader,
  signal: string,
  projectId: string,
  readRecord: RecordReader<T>,
  out: T[],
  rejections: Rejections,
): void {
  const end = messageEnd(r);
  const first = out.length;
  let resource: Resource | null = null;
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === FIRST) resource = readResource(r, '');
    else if (tag === CHILDREN) readScopeGroup(r, signal, projectId, readRecord, out, rejections);
    else if (tag === SCHEMA_URL) schemaUrl = readString(r);
    else skipField(r, tag, ENVELOPE_FIELDS, `Resource${signal}`);
  }
  expectEnd(r, end);
  resource ??= emptyResource();
  resource.schemaUrl = schemaUrl;
  const serviceName = serviceNameOf(resource);
  for (let i = first; i < out.length; i++) {
    const record = out[i]!;
    record.resource = resource;
    record.serviceName = serviceName;
  }
}

function readScopeGroup<T extends Attributed>(
  r: BinaryReader,
  signal: string,
  projectId: string,
  readRecord: RecordReader<T>,
  out: T[],
  rejections: Rejections,
): void {
  const end = messageEnd(r);
  const first = out.length;
  let scope: InstrumentationScope | null = null;
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === FIRST) scope = readScope(r);
    else if (tag === CHILDREN) readRecord(r, projectId, out, rejections);
    else if (tag === SCHEMA_URL) schemaUrl = readString(r);
    else skipField(r, tag, ENVELOPE_FIELDS, `Scope${signal}`);
  }
  expectEnd(r, end);
  scope ??= emptyScope();
  scope.schemaUrl = schemaUrl;
  for (let i = first; i < out.length; i++) out[i]!.scope = scope;
}

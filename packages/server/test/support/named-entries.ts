import type { SpanRecord } from '@spoor/model';
import { type WriteBatch, batchOf } from '../../src/store/store.js';
import type { SpoolEntry } from '../../src/pipeline/spool.js';

/**
 * Entries here carry `name:count` as their body and decode to `count` spans named
 * `name.0`, `name.1`, ...: what the store committed can be read back as a list of names.
 */
export function decode(entry: SpoolEntry): WriteBatch {
  const [name, count] = new TextDecoder().decode(entry.body).split(':');
  if (name === 'garbled') throw new Error('cannot decode a garbled entry');
  const spans = Array.from({ length: Number(count) }, (_, i) => namedSpan(entry.projectId, `${name}.${i}`));
  return batchOf({ spans, logs: [], metricPoints: [] });
}

/** A span of one fixed trace and id, named `name`: what an entry decodes to here. */
export function namedSpan(projectId: string, name: string): SpanRecord {
  return {
    projectId,
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: null,
    traceState: '',
    flags: 0,
    name,
    kind: 'internal',
    serviceName: 'svc',
    startTimeUs: 1,
    endTimeUs: 2,
    status: { code: 'unset', message: '' },
    attributes: {},
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    llm: null,
    sessionId: null,
    userId: null,
    category: 'other',
  };
}

/** The entry named `name` of `spans` spans, received at `receivedUs`. */
export function entry(name: string, spans: number, receivedUs = 0): SpoolEntry {
  return { signal: 'traces', encoding: 'json', projectId: 'default', receivedUs, body: new TextEncoder().encode(`${name}:${spans}`) };
}

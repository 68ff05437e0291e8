import { isoFromMicros, type LogRecordData, type SpanEventRecord, type SpanRecord, type TraceDetail } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { log, span, T0 } from '../../test/support/record-fixtures.js';
import type { StoredLog, StoredSpan } from '../store/stored-trace.js';
import { apiEventsJson, endOfJsonValue, traceDetailJson } from './trace-json.js';

/** A span as a store reads it: its JSON fields as `JSON.stringify` wrote them at ingest. */
function stored(s: SpanRecord): StoredSpan {
  const { attributes, resource, scope, events, links, ...fields } = s;
  return {
    ...fields,
    attributesJson: JSON.stringify(attributes),
    resourceJson: JSON.stringify(resource),
    scopeJson: JSON.stringify(scope),
    eventsJson: JSON.stringify(events),
    linksJson: JSON.stringify(links),
  };
}

/** A log record as a store reads it. */
function storedLog(l: LogRecordData): StoredLog {
  const { body, attributes, resource, scope, ...fields } = l;
  return { ...fields, bodyJson: JSON.stringify(body), attributesJson: JSON.stringify(attributes), resourceJson: JSON.stringify(resource), scopeJson: JSON.stringify(scope) };
}

const NASTY = 'say "hi" \\ C:\\dir\\ \n\r\t \u0000 \u2028 日本 😀 \ud800 }]{"timeUs":1},[';

describe('endOfJsonValue', () => {
  it.each([
    ['an empty object', '{}', 0, 2],
    ['an empty array', '[]', 0, 2],
    ['nested arrays and objects', '[1,[2,{"a":[3]}],{}]', 0, 20],
    ['brackets inside strings', '{"a":"}]","b":"[{"}', 0, 19],
    ['an escaped quote inside a string', '{"a":"\\"}"}', 0, 11],
    ['an escaped backslash before the closing quote', '{"a":"\\\\"}', 0, 10],
    ['three backslashes and a quote, still inside the string', '{"a":"\\\\\\"}"}', 0, 13],
    ['a value that starts further in', 'xx{"a":1},{"b":2}', 2, 9],
    ['a string, which is not an object or array', '"abc"', 0, -1],
    ['an object cut short', '{"a":[1,2}', 0, -1],
    ['a string cut short', '{"a":"b}', 0, -1],
  ])('finds the end of %s', (_label, text, start, end) => {
    expect(endOfJsonValue(text, start)).toBe(end);
  });
});

describe('apiEventsJson', () => {
  const events: SpanEventRecord[] = [
    { timeUs: T0 + 1, name: 'exception', attributes: { 'exception.message': NASTY, nested: [{ timeUs: 5 }, ['}']] }, droppedAttributesCount: 0 },
    { timeUs: T0 + 2, name: NASTY, attributes: {}, droppedAttributesCount: 3 },
  ];
  const api = events.map((e) => ({ time: isoFromMicros(e.timeUs), name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount }));

  it('keeps an empty list as it is', () => {
    expect(apiEventsJson('[]')).toBe('[]');
  });

  it('gives each event an ISO time in place of its microseconds and keeps the rest as stored', () => {
    const text = apiEventsJson(JSON.stringify(events));
    expect(JSON.parse(text)).toEqual(api);
    expect(text).toBe(JSON.stringify(api));
  });

  it('reads events stored in another layout by parsing them', () => {
    const reordered = JSON.stringify(events.map(({ name, timeUs, attributes, droppedAttributesCount }) => ({ name, timeUs, attributes, droppedAttributesCount })));
    expect(JSON.parse(apiEventsJson(reordered))).toEqual(api);
    const fractional = JSON.stringify([{ ...events[1], timeUs: T0 + 0.5 }]);
    expect(JSON.parse(apiEventsJson(fractional))).toEqual([{ ...api[1], time: isoFromMicros(T0 + 0.5) }]);
  });
});

describe('traceDetailJson', () => {
  const decode = (bytes: Uint8Array): TraceDetail => JSON.parse(new TextDecoder().decode(bytes)) as TraceDetail;

  it('writes spans in tree order with their stored JSON, and every computed value as JSON can carry it', () => {
    const root = span({ spanId: 'a'.repeat(16), name: NASTY, attributes: { [NASTY]: [NASTY, { k: 9007199254740991 }] }, startTimeUs: T0, endTimeUs: T0 + 1500 });
    const child = span({
      spanId: 'b'.repeat(16),
      parentSpanId: root.spanId,
      startTimeUs: T0 + 10,
      status: { code: 'error', message: NASTY },
      sessionId: NASTY,
      events: [{ timeUs: T0 + 11, name: 'e', attributes: { a: NASTY }, droppedAttributesCount: 0 }],
      links: [{ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceState: NASTY, attributes: { b: NASTY }, droppedAttributesCount: 0, flags: 1 }],
      llm: {
        provider: NASTY, operation: 'chat', requestModel: 'm', responseModel: null, inputTokens: 1, outputTokens: null, totalTokens: null,
        cacheReadInputTokens: null, cacheCreationInputTokens: null, reasoningTokens: null, costUsd: Number.NaN, costSource: null,
        timeToFirstTokenMs: Infinity, finishReasons: [NASTY],
      },
    });
    const detail = decode(traceDetailJson('t"1', { spans: [stored(child), stored(root)], logs: [] }, []));
    expect(detail.traceId).toBe('t"1');
    expect(detail.spans.map((s) => [s.spanId, s.depth])).toEqual([[root.spanId, 0], [child.spanId, 1]]);
    expect(detail.spans[0]).toMatchObject({ name: NASTY, attributes: root.attributes, resource: root.resource.attributes, scope: root.scope, durationMs: 1.5 });
    expect(detail.spans[1]).toMatchObject({
      status: child.status,
      sessionId: NASTY,
      events: [{ time: isoFromMicros(T0 + 11), name: 'e', attributes: { a: NASTY }, droppedAttributesCount: 0 }],
      links: child.links,
      llm: { ...child.llm, costUsd: null, timeToFirstTokenMs: null },
    });
  });

  it('lists a span stored twice once, the copy that ended last, with its children under it', () => {
    const root = span({ spanId: 'a'.repeat(16), startTimeUs: T0, endTimeUs: T0 + 100 });
    const snapshot = span({ spanId: 'b'.repeat(16), parentSpanId: root.spanId, name: 'call', startTimeUs: T0 + 10, endTimeUs: T0 + 10 });
    const ended = { ...snapshot, endTimeUs: T0 + 90 };
    const tool = span({ spanId: 'c'.repeat(16), parentSpanId: snapshot.spanId, name: 'tool', startTimeUs: T0 + 20, endTimeUs: T0 + 30 });
    const detail = decode(traceDetailJson('t', { spans: [snapshot, tool, root, ended].map(stored), logs: [] }, []));
    expect(detail.spans.map((s) => [s.name, s.depth, s.durationMs])).toEqual([[root.name, 0, 0.1], ['call', 1, 0.08], ['tool', 2, 0.01]]);
  });

  it("cuts a resource's attributes out of its text, in any layout", () => {
    const s = stored(span({ resource: { attributes: { 'service.name': NASTY }, droppedAttributesCount: 0, schemaUrl: '' } }));
    const other = { ...s, spanId: 'f'.repeat(16), resourceJson: JSON.stringify({ schemaUrl: 'u', attributes: { 'host.name': NASTY } }) };
    const detail = decode(traceDetailJson('t', { spans: [s, other], logs: [] }, []));
    expect(detail.spans.map((x) => x.resource)).toEqual([{ 'service.name': NASTY }, { 'host.name': NASTY }]);
  });

  it("gives resources' and scopes' schema URLs, an empty one for a scope stored without it, and marks a bytes body", () => {
    const scope = { name: 'kept', version: '', attributes: {}, droppedAttributesCount: 0 };
    const s = stored(span({ resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: NASTY }, scope: { ...scope, schemaUrl: `${NASTY}/scope` } }));
    const old = { ...s, spanId: 'e'.repeat(16), parentSpanId: s.spanId, scopeJson: JSON.stringify(scope) };
    const empty = { ...s, spanId: 'f'.repeat(16), parentSpanId: s.spanId, scopeJson: '{}' };
    const bytesLog = storedLog({ ...log({ logId: 'b', body: 'AAE=', scope }), bodyBytes: true });
    const textLog = storedLog(log({ logId: 't', body: 'AAE=', resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: 'u' } }));
    const detail = decode(traceDetailJson('t', { spans: [s, old, empty], logs: [bytesLog, textLog] }, []));
    expect(detail.spans.map((x) => [x.resourceSchemaUrl, x.scope])).toEqual([
      [NASTY, { ...scope, schemaUrl: `${NASTY}/scope` }],
      [NASTY, { ...scope, schemaUrl: '' }],
      [NASTY, { schemaUrl: '' }],
    ]);
    expect(detail.logs.map((l) => [l.logId, l.body, l.bodyBytes, l.resourceSchemaUrl, l.scope.schemaUrl])).toEqual([['b', 'AAE=', true, '', ''], ['t', 'AAE=', false, 'u', '']]);
  });
});

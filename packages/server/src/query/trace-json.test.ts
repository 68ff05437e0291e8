import { isoFromMicros, type LogRecordData, resolveSpanTree, type SpanEventRecord, type SpanRecord, spanTreeInputFrom, type TraceDetail } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { log, sid, span, T0, tid } from '../../test/support/record-fixtures.js';
import { type StoredLog, type StoredSpan, type StoredTrace, storedTraceBytesOf } from '../store/stored-trace.js';
import { AnswerRegion } from './answer-region.js';
import type { RunningSpanView } from './running.js';
import { apiEventsJson, endOfJsonValue, spanDetailJson, traceDetailJson } from './trace-json.js';

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
  return {
    ...fields,
    bodyJson: JSON.stringify(body),
    attributesJson: JSON.stringify(attributes),
    resourceJson: JSON.stringify(resource),
    scopeJson: JSON.stringify(scope),
  };
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
    const reordered = JSON.stringify(
      events.map(({ name, timeUs, attributes, droppedAttributesCount }) => ({ name, timeUs, attributes, droppedAttributesCount })),
    );
    expect(JSON.parse(apiEventsJson(reordered))).toEqual(api);
    const fractional = JSON.stringify([{ ...events[1], timeUs: T0 + 0.5 }]);
    expect(JSON.parse(apiEventsJson(fractional))).toEqual([{ ...api[1], time: isoFromMicros(T0 + 0.5) }]);
  });
});

describe('traceDetailJson', () => {
  const decode = (bytes: Uint8Array): TraceDetail => JSON.parse(new TextDecoder().decode(bytes)) as TraceDetail;

  it('writes spans in tree order with their stored JSON, and every computed value as JSON can carry it', () => {
    const root = span({
      spanId: 'a'.repeat(16),
      name: NASTY,
      attributes: { [NASTY]: [NASTY, { k: 9007199254740991 }] },
      startTimeUs: T0,
      endTimeUs: T0 + 1500,
    });
    const child = span({
      spanId: 'b'.repeat(16),
      parentSpanId: root.spanId,
      startTimeUs: T0 + 10,
      status: { code: 'error', message: NASTY },
      sessionId: NASTY,
      events: [{ timeUs: T0 + 11, name: 'e', attributes: { a: NASTY }, droppedAttributesCount: 0 }],
      links: [{ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceState: NASTY, attributes: { b: NASTY }, droppedAttributesCount: 0, flags: 1 }],
      llm: {
        provider: NASTY,
        operation: 'chat',
        requestModel: 'm',
        responseModel: null,
        inputTokens: 1,
        outputTokens: null,
        totalTokens: null,
        cacheReadInputTokens: null,
        cacheCreationInputTokens: null,
        reasoningTokens: null,
        costUsd: Number.NaN,
        costSource: null,
        timeToFirstTokenMs: Infinity,
        finishReasons: [NASTY],
      },
    });
    const detail = decode(traceDetailJson('t"1', storedTraceBytesOf({ spans: [stored(child), stored(root)], logs: [] }), []));
    expect(detail.traceId).toBe('t"1');
    expect(detail.spans.map((s) => [s.spanId, s.depth])).toEqual([
      [root.spanId, 0],
      [child.spanId, 1],
    ]);
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
    const detail = decode(traceDetailJson('t', storedTraceBytesOf({ spans: [snapshot, tool, root, ended].map(stored), logs: [] }), []));
    expect(detail.spans.map((s) => [s.name, s.depth, s.durationMs])).toEqual([
      [root.name, 0, 0.1],
      ['call', 1, 0.08],
      ['tool', 2, 0.01],
    ]);
  });

  it("cuts a resource's attributes out of its text, in any layout", () => {
    const s = stored(span({ resource: { attributes: { 'service.name': NASTY }, droppedAttributesCount: 0, schemaUrl: '' } }));
    const other = { ...s, spanId: 'f'.repeat(16), resourceJson: JSON.stringify({ schemaUrl: 'u', attributes: { 'host.name': NASTY } }) };
    const detail = decode(traceDetailJson('t', storedTraceBytesOf({ spans: [s, other], logs: [] }), []));
    expect(detail.spans.map((x) => x.resource)).toEqual([{ 'service.name': NASTY }, { 'host.name': NASTY }]);
  });

  it("gives resources' and scopes' schema URLs, an empty one for a scope stored without it, and marks a bytes body", () => {
    const scope = { name: 'kept', version: '', attributes: {}, droppedAttributesCount: 0 };
    const s = stored(span({ resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: NASTY }, scope: { ...scope, schemaUrl: `${NASTY}/scope` } }));
    const old = { ...s, spanId: 'e'.repeat(16), parentSpanId: s.spanId, scopeJson: JSON.stringify(scope) };
    const empty = { ...s, spanId: 'f'.repeat(16), parentSpanId: s.spanId, scopeJson: '{}' };
    const bytesLog = storedLog({ ...log({ logId: 'b', body: 'AAE=', scope }), bodyBytes: true });
    const textLog = storedLog(log({ logId: 't', body: 'AAE=', resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: 'u' } }));
    const detail = decode(traceDetailJson('t', storedTraceBytesOf({ spans: [s, old, empty], logs: [bytesLog, textLog] }), []));
    expect(detail.spans.map((x) => [x.resourceSchemaUrl, x.scope])).toEqual([
      [NASTY, { ...scope, schemaUrl: `${NASTY}/scope` }],
      [NASTY, { ...scope, schemaUrl: '' }],
      [NASTY, { schemaUrl: '' }],
    ]);
    expect(detail.logs.map((l) => [l.logId, l.body, l.bodyBytes, l.resourceSchemaUrl, l.scope.schemaUrl])).toEqual([
      ['b', 'AAE=', true, '', ''],
      ['t', 'AAE=', false, 'u', ''],
    ]);
  });
});

/**
 * The answer as the API's types describe it, built as values and serialized by `JSON.stringify`:
 * what the written answer must equal byte for byte.
 */
function referenceDetail(traceId: string, spans: readonly SpanRecord[], logs: readonly LogRecordData[], live: readonly LiveRecord[] = []): string {
  // Running spans after the ended ones, as the answer puts them in the tree.
  const all = [...spans, ...live.map((l) => l.span)];
  const tree = resolveSpanTree(spanTreeInputFrom(all));
  const apiSpans = Array.from(tree.order, (i, row) => referenceSpan(all[i]!, tree.depth[row]!, i < spans.length ? undefined : live[i - spans.length]));
  const apiLogs = logs.map((l) => ({
    logId: l.logId,
    time: isoFromMicros(l.timeUs),
    observedTime: isoFromMicros(l.observedTimeUs),
    traceId: l.traceId,
    spanId: l.spanId,
    flags: l.flags,
    severityNumber: l.severityNumber,
    severityText: l.severityText,
    body: l.body,
    bodyBytes: l.bodyBytes === true,
    attributes: l.attributes,
    resource: l.resource.attributes,
    resourceSchemaUrl: l.resource.schemaUrl,
    scope: scopeOf(l.scope),
    serviceName: l.serviceName,
    eventName: l.eventName,
    droppedAttributesCount: l.droppedAttributesCount,
  }));
  return JSON.stringify({ traceId, spans: apiSpans, logs: apiLogs, scores: [] });
}

/** A running span as `RunningSpanView` gives it, with its record in place of the stored snapshot. */
interface LiveRecord {
  span: SpanRecord;
  state: 'running' | 'abandoned';
  durationUs: number;
}

const scopeOf = (scope: object) => ('schemaUrl' in scope ? scope : { ...scope, schemaUrl: '' });

/** A span as the API's `Span` type describes it; a running one has no end, its duration so far and its `state` last. */
function referenceSpan(s: SpanRecord, depth: number, live?: LiveRecord) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    traceState: s.traceState,
    flags: s.flags,
    name: s.name,
    kind: s.kind,
    serviceName: s.serviceName,
    startTime: isoFromMicros(s.startTimeUs),
    endTime: live === undefined ? isoFromMicros(s.endTimeUs) : null,
    durationMs: live === undefined ? Math.max(0, s.endTimeUs - s.startTimeUs) / 1000 : live.durationUs / 1000,
    status: s.status,
    attributes: s.attributes,
    resource: s.resource.attributes,
    resourceSchemaUrl: s.resource.schemaUrl,
    scope: scopeOf(s.scope),
    events: s.events.map((e) => ({ time: isoFromMicros(e.timeUs), name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
    links: s.links,
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
    llm: s.llm,
    sessionId: s.sessionId,
    userId: s.userId,
    category: s.category,
    depth,
    ...(live === undefined ? {} : { state: live.state }),
  };
}

/**
 * A running span under the root, an abandoned one under it and an ended span under that: running
 * spans placed in the tree among ended ones, their texts as hard as the ended spans'.
 */
function runningOf(root: SpanRecord): { live: LiveRecord[]; ended: SpanRecord } {
  const running = span({
    spanId: 'e'.repeat(15) + '1',
    parentSpanId: root.spanId,
    name: NASTY,
    startTimeUs: root.startTimeUs + 1,
    endTimeUs: 0,
    attributes: { [NASTY]: NASTY, n: 1.5 },
    events: [{ timeUs: root.startTimeUs + 2, name: NASTY, attributes: { nested: [{ timeUs: 1 }, '}],{"timeUs":'] }, droppedAttributesCount: 0 }],
    links: [{ traceId: tid(2), spanId: sid(9), traceState: NASTY, attributes: { l: NASTY }, droppedAttributesCount: 0, flags: 1 }],
  });
  const abandoned = span({ spanId: 'e'.repeat(15) + '2', parentSpanId: running.spanId, name: 'tool', startTimeUs: root.startTimeUs + 3, endTimeUs: 0 });
  const ended = span({
    spanId: 'e'.repeat(15) + '3',
    parentSpanId: abandoned.spanId,
    name: 'read',
    startTimeUs: root.startTimeUs + 4,
    endTimeUs: root.startTimeUs + 9,
  });
  return {
    live: [
      { span: running, state: 'running', durationUs: 12_345 },
      { span: abandoned, state: 'abandoned', durationUs: 6_789 },
    ],
    ended,
  };
}

/** `LiveRecord`s as the answer takes them: stored snapshots. */
const views = (live: readonly LiveRecord[]): RunningSpanView[] =>
  live.map(({ span: s, state, durationUs }) => ({ span: { ...stored(s), receivedUs: T0 }, state, durationUs }));

/** The bench's five shapes of trace (bench/trace-detail.mjs), 300 spans each, with hard text in every stored field. */
function shapeSpans(shape: 'agent' | 'small' | 'heavy' | 'flat' | 'deep'): SpanRecord[] {
  const n = 300;
  const parentOf = (i: number): number => (shape === 'flat' ? (i === 0 ? -1 : 0) : shape === 'deep' ? i - 1 : i === 0 ? -1 : i <= 10 ? 0 : 1 + ((i - 11) % 10));
  return Array.from({ length: n }, (_, i) => {
    const parent = parentOf(i);
    const fields: Partial<SpanRecord> = {
      spanId: sid(i + 1),
      parentSpanId: parent < 0 ? null : sid(parent + 1),
      name: `step ${i % 7}`,
      startTimeUs: T0 + i * 10,
      endTimeUs: T0 + i * 10 + 5_000 + (i % 13) * 100,
      attributes: { 'step.kind': 'plan', 'step.number': i, 'agent.name': i % 50 === 0 ? NASTY : 'researcher' },
    };
    if (shape === 'heavy') {
      fields.attributes = Object.fromEntries(
        Array.from({ length: 20 }, (_, k) => [`attr.${k}`, k % 4 === 0 ? i * k : `${NASTY.slice(0, 5 + ((i + k) % 40))} #${i}`]),
      );
      fields.events = Array.from({ length: 3 }, (_, e) => ({
        timeUs: T0 + i * 10 + e * 100,
        name: e === 2 ? 'exception' : `event ${e}`,
        attributes: { message: NASTY.repeat(2), attempt: e, nested: [{ timeUs: e }, '}],{"timeUs":'] },
        droppedAttributesCount: e,
      }));
      fields.status = i % 97 === 0 ? { code: 'error', message: NASTY } : { code: 'unset', message: '' };
      fields.links = i % 5 === 0 ? [{ traceId: tid(2), spanId: sid(9), traceState: NASTY, attributes: { l: NASTY }, droppedAttributesCount: 0, flags: 1 }] : [];
    }
    if (shape === 'agent' && i % 3 === 1) {
      fields.category = 'llm';
      fields.sessionId = `session ${NASTY}`;
      fields.userId = 'u1';
      fields.attributes = { 'gen_ai.prompt': NASTY.repeat(20), 'gen_ai.completion': '日本 😀'.repeat(30) };
      fields.llm = {
        provider: 'openai',
        operation: 'chat',
        requestModel: 'gpt',
        responseModel: 'gpt-1',
        inputTokens: i,
        outputTokens: 2 * i,
        totalTokens: 3 * i,
        cacheReadInputTokens: null,
        cacheCreationInputTokens: null,
        reasoningTokens: null,
        costUsd: i / 1e6,
        costSource: 'price_table',
        timeToFirstTokenMs: 12.5,
        finishReasons: ['stop'],
      };
    }
    return span(fields);
  });
}

describe('traceDetailJson against the answer serialized as values', () => {
  it.each(['agent', 'small', 'heavy', 'flat', 'deep'] as const)('writes the %s shape byte for byte as JSON.stringify would', (shape) => {
    const spans = shapeSpans(shape);
    const logs = [log({ logId: 'a', traceId: tid(1), spanId: sid(2), body: { text: NASTY } }), log({ logId: 'b', traceId: tid(1), timeUs: T0 + 5 })];
    // Stored in an order other than the tree's, as a store reads them.
    const trace: StoredTrace = { spans: [...spans].reverse().map(stored), logs: logs.map(storedLog) };
    const written = new TextDecoder().decode(traceDetailJson(tid(1), storedTraceBytesOf(trace), []));
    expect(written).toBe(referenceDetail(tid(1), [...spans].reverse(), logs));
  });

  it.each(['agent', 'small', 'heavy', 'flat', 'deep'] as const)('writes the %s shape with a running and an abandoned span byte for byte', (shape) => {
    const spans = shapeSpans(shape);
    const { live, ended } = runningOf(spans[0]!);
    const all = [ended, ...spans].reverse();
    const logs = [log({ logId: 'a', traceId: tid(1), spanId: live[0]!.span.spanId, body: { text: NASTY } })];
    const trace: StoredTrace = { spans: all.map(stored), logs: logs.map(storedLog) };
    const written = new TextDecoder().decode(traceDetailJson(tid(1), storedTraceBytesOf(trace), [], views(live)));
    expect(written).toBe(referenceDetail(tid(1), all, logs, live));
    const parsed = JSON.parse(written) as TraceDetail;
    expect(parsed.spans.filter((s) => s.endTime === null).map((s) => [s.state, s.durationMs])).toEqual([
      ['running', 12.345],
      ['abandoned', 6.789],
    ]);
  });

  it('writes a large answer into the answer region byte for byte, and holds the region until given back', () => {
    const spans = shapeSpans('heavy').map((s) => ({ ...s, attributes: { ...s.attributes, big: `${NASTY}${'x'.repeat(5_000)}` } }));
    const trace = storedTraceBytesOf({ spans: spans.map(stored), logs: [] });
    const region = new AnswerRegion();
    const written = traceDetailJson(tid(1), trace, [], [], false, region);
    expect(region.holds(written)).toBe(true);
    expect(Buffer.from(written).equals(traceDetailJson(tid(1), trace, []))).toBe(true);
    // Held: the next answer gets a buffer of its own, and the same bytes.
    const meanwhile = traceDetailJson(tid(1), trace, [], [], false, region);
    expect(region.holds(meanwhile)).toBe(false);
    expect(Buffer.from(meanwhile).equals(written)).toBe(true);
    region.release();
    expect(region.holds(traceDetailJson(tid(1), trace, [], [], false, region))).toBe(true);
  });

  it('gives the answer region back at once when an answer outgrows it', () => {
    // Span names are no stored text: 10 MB of them pass the size the answer was guessed at (8 MiB).
    const spans = shapeSpans('small')
      .slice(0, 100)
      .map((s, i) => ({ ...s, name: `${i}${'n'.repeat(100_000)}`, attributes: { a: 'x'.repeat(12_000) } }));
    const trace = storedTraceBytesOf({ spans: spans.map(stored), logs: [] });
    const region = new AnswerRegion();
    const written = traceDetailJson(tid(1), trace, [], [], false, region);
    expect(region.holds(written)).toBe(false);
    expect(Buffer.from(written).equals(traceDetailJson(tid(1), trace, []))).toBe(true);
    expect(region.lease(2 ** 21)).not.toBeNull();
  });

  it('writes a running span alone, as the span answer gives it, byte for byte', () => {
    const { live } = runningOf(span());
    const [view] = views(live);
    const written = new TextDecoder().decode(spanDetailJson(tid(1), view!.span, [], view));
    expect(written).toBe(JSON.stringify({ traceId: tid(1), span: referenceSpan(live[0]!.span, 0, live[0]), logs: [] }));
  });

  it('writes events stored in another layout as the API gives them', () => {
    const s = span({ events: [{ timeUs: T0 + 1, name: NASTY, attributes: { a: NASTY }, droppedAttributesCount: 0 }] });
    const reordered = { ...stored(s), eventsJson: JSON.stringify([{ name: NASTY, timeUs: T0 + 1, attributes: { a: NASTY }, droppedAttributesCount: 0 }]) };
    const written = new TextDecoder().decode(traceDetailJson(tid(1), storedTraceBytesOf({ spans: [reordered], logs: [] }), []));
    expect(written).toBe(referenceDetail(tid(1), [s], []));
  });
});

import { describe, expect, it } from 'vitest';
import { SPAN_ID } from '../../test/support/decode-fixtures.js';
import { span as jsonSpan, tracesBody } from '../../test/support/json-fixtures.js';
import { encodeTraces } from '../../test/support/otlp-encode.js';
import { span as protobufSpan } from '../../test/support/protobuf-fixtures.js';
import { batchOf } from '../store/tables.js';
import { decodeBatch, decodeRequest } from './decode.js';
import { ProjectMasking } from './masking.js';

const OTHER = '00000000000000aa';
const RECEIVED_US = 1_763_719_300_000_000;
const evaluation = {
  timeUnixNano: '1763719200100000000',
  name: 'gen_ai.evaluation.result',
  attributes: [
    { key: 'gen_ai.evaluation.name', value: { stringValue: 'relevance' } },
    { key: 'gen_ai.evaluation.score.value', value: { doubleValue: 0.5 } },
  ],
};
const llm = [
  { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
  { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
  { key: 'gen_ai.usage.input_tokens', value: { intValue: '100' } },
  { key: 'gen_ai.response.id', value: { stringValue: 'resp-1' } },
  { key: 'session.id', value: { stringValue: 'ann@example.com' } },
];

/** A JSON body of these spans, decoded as a request received at `RECEIVED_US`. */
const decodeJson = (spans: Parameters<typeof tracesBody>[0], ended?: (span: { spanId: string }) => boolean) =>
  decodeRequest('traces', 'json', tracesBody(spans), 'p1', RECEIVED_US, { ended });

describe('a span sent with no end', () => {
  it.each([
    ['endTimeUnixNano "0"', { endTimeUnixNano: '0' }],
    ['endTimeUnixNano 0', { endTimeUnixNano: 0 }],
    ['no endTimeUnixNano', { endTimeUnixNano: undefined }],
  ])('is a running snapshot in JSON (%s): stored apart, nothing derived from it, no record counted', (_label, end) => {
    const decoded = decodeJson([jsonSpan({ ...end, status: { code: 2, message: 'boom' }, attributes: llm, events: [evaluation] })]);
    expect(decoded.batch.spans).toEqual([]);
    expect(decoded.batch.runningSpans).toHaveLength(1);
    const snapshot = decoded.batch.runningSpans![0]!;
    // Normalized like an ended span: llm fields, cost, category, session; its end left unset.
    expect(snapshot.endTimeUs).toBe(0);
    expect(snapshot.llm?.inputTokens).toBe(100);
    expect(snapshot.category).toBe('llm');
    expect(snapshot.sessionId).toBe('ann@example.com');
    expect({ records: decoded.records, rejected: decoded.rejected, snapshots: decoded.snapshots }).toEqual({ records: 0, rejected: 0, snapshots: 1 });
    // No error occurrence, no score, and in the write batch no trace part and no response id.
    expect(decoded.batch.errors).toEqual([]);
    expect(decoded.batch.scores).toEqual([]);
    const tables = batchOf(decoded.batch).tables.map((t) => t.table);
    expect(tables).toEqual(['sources', 'running_spans']);
  });

  it('is a running snapshot in protobuf too, with no end field or an end of 0', () => {
    const body = encodeTraces([
      {
        resource: { attributes: { 'service.name': 'svc' } },
        scopes: [{ items: [protobufSpan({ endTimeUnixNano: undefined }), protobufSpan({ spanId: OTHER, endTimeUnixNano: 0n })] }],
      },
    ]);
    const decoded = decodeRequest('traces', 'protobuf', body, 'p1', RECEIVED_US);
    expect(decoded.batch.spans).toEqual([]);
    expect(decoded.batch.runningSpans!.map((s) => [s.spanId, s.endTimeUs])).toEqual([
      [SPAN_ID, 0],
      [OTHER, 0],
    ]);
  });

  it('keeps an end that is set but before the start as an instant, as an ended span', () => {
    const decoded = decodeJson([jsonSpan({ startTimeUnixNano: '1763719200000000000', endTimeUnixNano: '1763719100000000000' })]);
    expect(decoded.batch.runningSpans).toBeUndefined();
    expect(decoded.batch.spans[0]!.endTimeUs).toBe(decoded.batch.spans[0]!.startTimeUs);
  });
});

describe('several snapshots of one span in a request', () => {
  it('keep the last, uncounted as duplicates', () => {
    const decoded = decodeJson([
      jsonSpan({ endTimeUnixNano: '0', name: 'first' }),
      jsonSpan({ endTimeUnixNano: '0', spanId: OTHER, name: 'other' }),
      jsonSpan({ endTimeUnixNano: '0', name: 'last' }),
    ]);
    expect(decoded.batch.runningSpans!.map((s) => s.name).sort()).toEqual(['last', 'other']);
    expect({ rejected: decoded.rejected, duplicates: decoded.duplicates, afterEnd: decoded.snapshotsAfterEnd }).toEqual({
      rejected: 0,
      duplicates: 0,
      afterEnd: 0,
    });
  });
});

describe('a snapshot of a span that arrived ended', () => {
  it.each([
    ['before it in the request', 'before'],
    ['after it in the request', 'after'],
  ])('is dropped and counted when the ended span is %s, and the ended span is kept', (_label, order) => {
    const ended = jsonSpan({ name: 'ended' });
    const snapshot = jsonSpan({ endTimeUnixNano: '0', name: 'snapshot' });
    const decoded = decodeJson(order === 'before' ? [ended, snapshot] : [snapshot, ended]);
    expect(decoded.batch.spans.map((s) => s.name)).toEqual(['ended']);
    expect(decoded.batch.runningSpans).toBeUndefined();
    expect({ records: decoded.records, rejected: decoded.rejected, afterEnd: decoded.snapshotsAfterEnd, rejectReason: decoded.rejectReason }).toEqual({
      records: 1,
      rejected: 0,
      afterEnd: 1,
      rejectReason: null,
    });
  });

  it('is dropped and counted when an earlier request carried the ended span, and is never taken for a resend', () => {
    const decoded = decodeJson([jsonSpan({ endTimeUnixNano: '0' }), jsonSpan({ endTimeUnixNano: '0', spanId: OTHER })], (span) => span.spanId === OTHER);
    expect(decoded.batch.runningSpans!.map((s) => s.spanId)).toEqual([SPAN_ID]);
    expect({ rejected: decoded.rejected, duplicates: decoded.duplicates, afterEnd: decoded.snapshotsAfterEnd }).toEqual({
      rejected: 0,
      duplicates: 0,
      afterEnd: 1,
    });
  });

  it('does not keep the ended span that replaces it out as a duplicate', () => {
    // A recent-spans memory that had claimed the snapshot would reject the ended span: snapshots are never claimed.
    const claimed = new Set<string>();
    const recent = { has: (s: { spanId: string }) => claimed.has(s.spanId) };
    const first = decodeRequest('traces', 'json', tracesBody([jsonSpan({ endTimeUnixNano: '0' })]), 'p1', RECEIVED_US, { recent });
    for (const s of first.batch.spans) claimed.add(s.spanId);
    const second = decodeRequest('traces', 'json', tracesBody([jsonSpan()]), 'p1', RECEIVED_US + 1, { recent });
    expect(second.batch.spans).toHaveLength(1);
    expect(second.rejected).toBe(0);
  });
});

describe('masking', () => {
  it("masks a snapshot's attributes, status and session as it masks an ended span's", () => {
    const masking = new ProjectMasking(null);
    masking.set('p1', { detectors: ['email'] });
    const decoded = decodeBatch(
      'traces',
      'json',
      tracesBody([jsonSpan({ endTimeUnixNano: '0', attributes: llm, status: { code: 2, message: 'mail ann@example.com' } })]),
      'p1',
      RECEIVED_US,
      undefined,
      undefined,
      masking.maskerFor('p1'),
    );
    const snapshot = decoded.decoded.runningSpans![0]!;
    expect(JSON.stringify(snapshot)).not.toContain('ann@example.com');
    expect(snapshot.status.message).toMatch(/^mail /);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { span, tracesBody } from '../../test/support/json-fixtures.js';
import { isAppError } from '../errors.js';
import { recordsOf } from '../store/table-records.js';
import { DecodeThread } from './decode-client.js';

let decoder: DecodeThread;
const failures: Error[] = [];

beforeAll(async () => {
  decoder = await DecodeThread.start(null, (error) => failures.push(error));
});

afterAll(async () => {
  await decoder?.close();
});

const request = (body: Uint8Array) => ({ signal: 'traces' as const, encoding: 'json' as const, projectId: 'p1', receivedUs: 1_700_000_000_000_000, body });

describe('the decode thread', () => {
  it('hands back the body and its batch, the records as the decoder on this thread makes them', async () => {
    const body = tracesBody([span({ name: 'one' }), span({ name: 'two', spanId: 'aaaaaaaaaaaaaaaa' })]);
    const copy = new Uint8Array(body);
    const result = await decoder.decode(request(body));
    expect(result.records).toBe(2);
    expect(Buffer.from(result.body).equals(Buffer.from(copy))).toBe(true);
    expect(recordsOf(result.batch).spans.map((s) => s.name)).toEqual(['one', 'two']);
    // Settled, as the receiver settles every request: until then its spans are claimed.
    decoder.dropped(result.ticket);
  });

  it('copies a body that shares its buffer (a pooled Buffer) instead of moving the buffer away', async () => {
    const body = tracesBody([span()]);
    const bigger = new Uint8Array(new ArrayBuffer(body.byteLength + 16));
    bigger.set(body, 16);
    const result = await decoder.decode(request(bigger.subarray(16)));
    expect(result.records).toBe(1);
    // The caller's buffer is still whole.
    expect(bigger.buffer.byteLength).toBe(body.byteLength + 16);
    decoder.dropped(result.ticket);
  });

  it("answers a body it cannot read with the decoder's own error", async () => {
    const error = await decoder.decode(request(new TextEncoder().encode('{"resourceSpans": ['))).catch((e: unknown) => e);
    expect(isAppError(error)).toBe(true);
    expect((error as { status: number }).status).toBe(400);
  });

  it('counts the spans of acknowledged requests on /metrics, and not those refused after decoding', async () => {
    const kept = await decoder.decode(request(tracesBody([span({ name: 'kept' })])));
    const refused = await decoder.decode(request(tracesBody([span({ name: 'refused', spanId: 'bbbbbbbbbbbbbbbb' })])));
    decoder.accepted(kept.ticket);
    decoder.dropped(refused.ticket);
    const text = await decoder.spanMetrics();
    const total = [...text.matchAll(/^spoor_spans_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(total).toBe(1);
    expect(failures).toEqual([]);
  });
});

describe('a closed decode thread', () => {
  it('refuses a call made after it closed, instead of leaving it unanswered, and reports no failure', async () => {
    const failed: Error[] = [];
    const closed = await DecodeThread.start(null, (error) => failed.push(error));
    await closed.close();
    await expect(closed.decode(request(tracesBody([span()])))).rejects.toThrow('the decode thread is closed');
    expect(failed).toEqual([]);
  });
});

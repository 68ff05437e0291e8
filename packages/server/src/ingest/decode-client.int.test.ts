import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { span, tracesBody } from '../../test/support/json-fixtures.js';
import { isAppError } from '../errors.js';
import { recordsOf } from '../store/table-records.js';
import { DecodeThread } from './decode-client.js';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { WriteBatch } from '../store/tables.js';

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
    expect(recordsOf(result.batch!).spans.map((s) => s.name)).toEqual(['one', 'two']);
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

describe('the decode thread connected to the database thread', () => {
  let connected: DecodeThread;
  let port: MessagePort;
  const received: Array<{ spans: string[] | null; position: { segment: number; offset: number }; seq: number }> = [];
  const failed: Error[] = [];

  beforeAll(async () => {
    connected = await DecodeThread.start(null, (error) => failed.push(error));
    const channel = new MessageChannel();
    port = channel.port1;
    // What the database thread receives: the batch protocol's posts.
    port.on('message', (message: { kind: string; name: string; args: [WriteBatch | null, { segment: number; offset: number }, number] }) => {
      const [batch, position, seq] = message.args;
      received.push({ spans: batch === null ? null : recordsOf(batch).spans.map((s) => s.name), position, seq });
    });
    connected.batchesTo(channel.port2);
  });

  afterAll(async () => {
    port?.close();
    await connected?.close();
  });

  it('keeps each batch and sends it on in the order it is told where requests were spooled, never through this thread', async () => {
    const first = await connected.decode(request(tracesBody([span({ name: 'first', spanId: 'cccccccccccccccc' })])));
    const second = await connected.decode(request(tracesBody([span({ name: 'second', spanId: 'dddddddddddddddd' }), span({ name: 'third', spanId: 'eeeeeeeeeeeeeeee' })])));
    const refused = await connected.decode(request(tracesBody([span({ name: 'refused', spanId: 'ffffffffffffffff' })])));
    // The answer says how many records, without the batch.
    expect([first.batch, second.batch, refused.batch]).toEqual([null, null, null]);
    expect([first.records, second.records]).toEqual([1, 2]);
    // Spooled in the other order than decoded, with an entry left on disk (ticket 0) between.
    connected.pass(second.ticket, { segment: 1, offset: 100 }, 1);
    connected.pass(0, { segment: 1, offset: 200 }, 2);
    connected.pass(first.ticket, { segment: 1, offset: 300 }, 3);
    connected.accepted(second.ticket);
    connected.accepted(first.ticket);
    // A refused request's batch is let go: passed after, it is read back from the spool (null).
    connected.dropped(refused.ticket);
    connected.pass(refused.ticket, { segment: 1, offset: 400 }, 4);
    await expect.poll(() => received.length).toBe(4);
    expect(received).toEqual([
      { spans: ['second', 'third'], position: { segment: 1, offset: 100 }, seq: 1 },
      { spans: null, position: { segment: 1, offset: 200 }, seq: 2 },
      { spans: ['first'], position: { segment: 1, offset: 300 }, seq: 3 },
      { spans: null, position: { segment: 1, offset: 400 }, seq: 4 },
    ]);
    expect(failed).toEqual([]);
  });

  it('counts a running snapshot among the rows the write queue takes, though not among the records', async () => {
    const running = await connected.decode(request(tracesBody([span({ name: 'running', spanId: '1111111111111111', endTimeUnixNano: '0' })])));
    expect([running.records, running.snapshots, running.batchRecords]).toEqual([0, 1, 1]);
    connected.dropped(running.ticket);
  });
});

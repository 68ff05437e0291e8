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
  const received: Array<{ ticket: number; spans: string[] }> = [];
  const settled: number[] = [];
  const failed: Error[] = [];

  beforeAll(async () => {
    connected = await DecodeThread.start(null, (error) => failed.push(error));
    const channel = new MessageChannel();
    port = channel.port1;
    // What the database thread receives: the batch protocol's posts.
    port.on('message', (message: { kind: string; name: string; args: [number, WriteBatch] }) => {
      const [ticket, batch] = message.args;
      received.push({ ticket, spans: recordsOf(batch).spans.map((s) => s.name) });
    });
    connected.batchesTo(channel.port2, (ticket) => settled.push(ticket));
  });

  afterAll(async () => {
    port?.close();
    await connected?.close();
  });

  it('sends each batch to the database thread under its ticket as it is decoded, never through this thread', async () => {
    const first = await connected.decode(request(tracesBody([span({ name: 'first', spanId: 'cccccccccccccccc' })])));
    const second = await connected.decode(request(tracesBody([span({ name: 'second', spanId: 'dddddddddddddddd' }), span({ name: 'third', spanId: 'eeeeeeeeeeeeeeee' })])));
    // The answer says how many records, without the batch.
    expect([first.batch, second.batch]).toEqual([null, null]);
    expect([first.batchRecords, second.batchRecords]).toEqual([1, 2]);
    await expect.poll(() => received.length).toBe(2);
    expect(received).toEqual([
      { ticket: first.ticket, spans: ['first'] },
      { ticket: second.ticket, spans: ['second', 'third'] },
    ]);
    // Settling tells the database thread too, acknowledged or refused alike.
    connected.accepted(second.ticket);
    connected.dropped(first.ticket);
    expect(settled).toEqual([second.ticket, first.ticket]);
    expect(failed).toEqual([]);
  });

  it('counts a running snapshot among the rows the write queue takes, though not among the records', async () => {
    const running = await connected.decode(request(tracesBody([span({ name: 'running', spanId: '1111111111111111', endTimeUnixNano: '0' })])));
    expect([running.records, running.snapshots, running.batchRecords]).toEqual([0, 1, 1]);
    connected.dropped(running.ticket);
  });
});

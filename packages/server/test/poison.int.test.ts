import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LogListResponse, TraceDetail } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { spoolCommand } from '../src/cli/spool.js';
import { quarantineEntry } from '../src/pipeline/quarantine.js';
import { Spool } from '../src/pipeline/spool.js';
import { type SpanInput, double, encodeTraces } from './support/otlp-encode.js';
import { getJson, perTestServers } from './support/server.js';

/**
 * One request, or one entry of the spool, must never stop what is accepted after it. Each body
 * below was once answered 200 and then refused by the store on every try: every request after it
 * was acknowledged but never became readable, also after a restart.
 */

const servers = perTestServers('spoor-poison-');
const newTraceId = (): string => randomBytes(16).toString('hex');
const newSpanId = (): string => randomBytes(8).toString('hex');
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** A request of one span (with `over`), or, with `sibling`, of that span and a good one of another trace. */
function jsonBody(traceId: string, over: Record<string, unknown> = {}, sibling?: string): string {
  const start = nowNs();
  const span = (id: string, more: Record<string, unknown>): Record<string, unknown> => ({
    traceId: id,
    spanId: newSpanId(),
    name: 'poison test',
    kind: 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 1_000_000n),
    ...more,
  });
  const spans = sibling === undefined ? [span(traceId, over)] : [span(traceId, over), span(sibling, {})];
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'poison-test' } }] }, scopeSpans: [{ spans }] }],
  });
}

function protobufBody(traceId: string, over: Partial<SpanInput> = {}): Uint8Array {
  const start = nowNs();
  const span: SpanInput = {
    traceId,
    spanId: newSpanId(),
    name: 'poison test',
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_000_000n,
    ...over,
  };
  return encodeTraces([{ resource: { attributes: { 'service.name': 'poison-test' } }, scopes: [{ scope: { name: 'poison' }, items: [span] }] }]);
}

async function post(url: string, body: string | Uint8Array): Promise<{ status: number; text: string }> {
  const type = typeof body === 'string' ? 'application/json' : 'application/x-protobuf';
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': type } });
  return { status: response.status, text: type === 'application/json' ? await response.text() : '' };
}

const tokens = (key: string, value: unknown): Record<string, unknown> => ({
  attributes: [
    { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
    { key: 'gen_ai.usage.output_tokens', value: { intValue: '12' } },
    { key, value },
  ],
});

const BAD_JSON: Array<[string, Record<string, unknown>, 'rejected' | 'kept']> = [
  ['flags: -1', { flags: -1 }, 'rejected'],
  ['droppedAttributesCount: 4294967296', { droppedAttributesCount: 4294967296 }, 'rejected'],
  ['a start time of 1e28 ns', { startTimeUnixNano: 1e28 }, 'rejected'],
  ['gen_ai.usage.input_tokens: 1e30', tokens('gen_ai.usage.input_tokens', { doubleValue: 1e30 }), 'kept'],
];

/** Bodies of one span each: kept with an unknown count (200), or refused whole (400). */
const BAD_PROTOBUF: Array<[string, Partial<SpanInput>, number]> = [
  ['an INT64_MAX varint token count', { attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 2n ** 63n - 1n } }, 200],
  ['a token count of 1e300 as a double', { attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': double(1e300) } }, 200],
  ['an end time past the year 2255', { endTimeUnixNano: 2n ** 64n - 1n }, 400],
];

describe('a request no store column can hold', () => {
  it('holds up nothing: each bad body between two good ones, and both good ones read back', async () => {
    const server = await servers.start();
    for (const [what, over, outcome] of BAD_JSON) {
      const [before, bad, sibling, after] = [newTraceId(), newTraceId(), newTraceId(), newTraceId()];
      expect((await post(server.url, jsonBody(before))).status, what).toBe(200);
      const answer = await post(server.url, jsonBody(bad, over, sibling));
      expect(answer.status, what).toBe(200);
      expect((await post(server.url, jsonBody(after))).status, what).toBe(200);

      for (const id of [before, sibling, after]) expect((await getJson(server.url, `/api/traces/${id}`)).status, `${what}: ${id}`).toBe(200);
      const stored = await getJson<TraceDetail>(server.url, `/api/traces/${bad}`);
      if (outcome === 'rejected') {
        expect(JSON.parse(answer.text), what).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
        expect(stored.status, what).toBe(404);
      } else {
        // The span is kept, its raw attribute with it; a count that is no count is unknown, not 0.
        expect(stored.body.spans[0]!.llm, what).toMatchObject({ inputTokens: null, outputTokens: 12 });
        expect(stored.body.spans[0]!.attributes['gen_ai.usage.input_tokens'], what).toBe(1e30);
      }
    }
    // A request of nothing but such spans is refused whole, so the client knows nothing was kept.
    const alone = await post(server.url, jsonBody(newTraceId(), { flags: -1 }));
    expect(alone.status).toBe(400);
    expect(alone.text).toContain('flags -1 is out of range');
    for (const [what, over, status] of BAD_PROTOBUF) {
      const [before, bad, after] = [newTraceId(), newTraceId(), newTraceId()];
      expect((await post(server.url, protobufBody(before))).status, what).toBe(200);
      expect((await post(server.url, protobufBody(bad, over))).status, what).toBe(status);
      expect((await post(server.url, protobufBody(after))).status, what).toBe(200);
      for (const id of [before, after]) expect((await getJson(server.url, `/api/traces/${id}`)).status, `${what}: ${id}`).toBe(200);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    // Every dropped span counts: 3 beside good ones, and the 2 of the requests refused whole.
    expect(metrics).toMatch(/^spoor_ingest_records_rejected_total\{signal="traces",reason="invalid"\} 5$/m);
    expect(metrics).toMatch(/^spoor_ingest_quarantined_total 0$/m);
  });
});

describe('a value that no UTF-8 text can hold', () => {
  it('is stored as U+FFFD, so searches and filters over it keep answering', async () => {
    const server = await servers.start();
    const traceId = newTraceId();
    const lone = { key: 'note', value: { stringValue: 'half \ud83d of an emoji' } };
    expect((await post(server.url, jsonBody(traceId, { attributes: [lone] }))).status).toBe(200);
    const log = { timeUnixNano: String(nowNs()), body: { stringValue: 'log \udc00 body' }, attributes: [lone], traceId };
    const logs = JSON.stringify({ resourceLogs: [{ resource: {}, scopeLogs: [{ logRecords: [log] }] }] });
    expect((await fetch(`${server.url}/v1/logs`, { method: 'POST', body: logs, headers: { 'content-type': 'application/json' } })).status).toBe(200);

    const found = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(found.body.spans[0]!.attributes.note).toBe('half \ufffd of an emoji');
    for (const path of ['/api/logs?text=body', `/api/traces?attr=${encodeURIComponent('note=half \ufffd of an emoji')}`, '/api/stats/spans?groupBy=note']) {
      expect((await getJson(server.url, path)).status, path).toBe(200);
    }
    const searched = await getJson<LogListResponse>(server.url, '/api/logs?text=body');
    expect(searched.body.logs.map((r) => r.body)).toEqual(['log \ufffd body']);
  });
});

describe('an entry in the spool the writer cannot take', () => {
  it('is quarantined on restart, listed, kept by a replay that cannot help, and ingest goes on', async () => {
    const first = await servers.start();
    const before = newTraceId();
    expect((await post(first.url, jsonBody(before))).status).toBe(200);
    await first.stop();
    // What a crash (or an older version) can leave in the spool: an acknowledged entry that does
    // not decode. Written with the spool's own framing and checksum, after the committed one.
    const spool = await Spool.open(join(first.dataDir, 'spool'));
    await spool.append({
      signal: 'traces',
      encoding: 'json',
      projectId: 'default',
      receivedUs: Date.now() * 1000,
      body: new TextEncoder().encode('{"resourceSpans": ['),
    });
    await spool.close();

    const second = await servers.start();
    const after = newTraceId();
    expect((await post(second.url, jsonBody(after))).status).toBe(200);
    for (const id of [before, after]) expect((await getJson(second.url, `/api/traces/${id}`)).status).toBe(200);

    const listed = await getJson<{ entries: Array<Record<string, unknown>> }>(second.url, '/api/quarantine');
    expect(listed.body.entries).toEqual([
      expect.objectContaining({
        signal: 'traces',
        encoding: 'json',
        records: null,
        attempts: 1,
        bytes: 19,
        error: expect.stringContaining('cannot be decoded'),
      }),
    ]);
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/^spoor_ingest_quarantined_total 1$/m);
    expect(metrics).toMatch(/^spoor_ingest_quarantine_entries 1$/m);

    const output: string[] = [];
    expect(await spoolCommand(['replay-quarantine', '--url', second.url], (text) => output.push(text))).toBe(1);
    expect(output.join('')).toMatch(/Replayed 0 quarantined requests[\s\S]*kept \d{12}-\d+: malformed OTLP\/JSON/);
    expect((await getJson<{ entries: unknown[] }>(second.url, '/api/quarantine')).body.entries).toHaveLength(1);
  });

  it('is committed and leaves the quarantine when a replay can take it', async () => {
    const server = await servers.start();
    const traceId = newTraceId();
    // As if quarantined by an earlier version that refused it.
    const entry = {
      signal: 'traces' as const,
      encoding: 'json' as const,
      projectId: 'default',
      receivedUs: Date.now() * 1000,
      body: new TextEncoder().encode(jsonBody(traceId)),
    };
    const id = quarantineEntry(join(server.dataDir, 'quarantine'), { segment: 1, offset: 100 }, entry, {
      records: 1,
      attempts: 3,
      error: 'refused',
      quarantinedAtMs: Date.now(),
    });

    const output: string[] = [];
    expect(await spoolCommand(['quarantine', '--url', server.url], (text) => output.push(text))).toBe(0);
    expect(output.join('')).toContain(`${id}  traces json`);
    expect(await spoolCommand(['replay-quarantine', id, '--url', server.url], (text) => output.push(text))).toBe(0);
    expect(output.at(-1)).toBe('Replayed 1 quarantined requests (1 records).\n');

    expect((await getJson(server.url, `/api/traces/${traceId}`)).status).toBe(200);
    expect((await getJson<{ entries: unknown[] }>(server.url, '/api/quarantine')).body.entries).toEqual([]);
  });

  it('answers a replay request without a JSON object body with 400', async () => {
    const server = await servers.start();
    const response = await fetch(`${server.url}/api/quarantine/replay`, { method: 'POST', body: '["x"]', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
  });
});

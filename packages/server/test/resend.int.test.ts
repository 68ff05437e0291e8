import { describe, expect, it } from 'vitest';
import type { TraceDetail, TraceListResponse } from '@spoor/model';
import { encodeSpanBatch } from './support/otlp-encode.js';
import { getJson, perTestServers } from './support/server.js';

const servers = perTestServers('spoor-resend-');

/** A client that never got the answer to an acknowledged request sends it again. */
describe('a request sent again', () => {
  it('is stored once, also when the server restarted in between, and the answer says what it skipped', async () => {
    // Spans of now: retention (30 days) runs at every start.
    const body = encodeSpanBatch({ traces: 1, spansPerTrace: 4, seed: 0x5e4d, startTimeUnixNano: BigInt(Date.now() - 60_000) * 1_000_000n });
    const traceId = `${'5e4d'.padStart(16, '0')}${'1'.padStart(16, '0')}`;
    const post = (url: string) => fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });

    let server = await servers.start();
    expect((await post(server.url)).status).toBe(200);
    // The same request again, at once: the answer is 400 (every span was skipped), nothing stored twice.
    const again = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(await jsonOf(server.url, traceId)),
    });
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/received in an earlier request/);
    await server.stop();

    server = await servers.start();
    const afterRestart = await post(server.url);
    expect(afterRestart.status).toBe(400);
    const { body: trace } = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(trace.spans).toHaveLength(4);
    const { body: list } = await getJson<TraceListResponse>(server.url, '/api/traces');
    expect(list.traces.find((t) => t.traceId === traceId)?.spanCount).toBe(4);
    // Counted apart from invalid records.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^spoor_ingest_records_rejected_total\{signal="traces",reason="duplicate"\} 4$/m);
  });
});

/** One trace of 10 LLM calls of 100 input tokens each, as OTLP/JSON: 10 spans, 1,000 input tokens. */
function tenCalls(traceId: string): string {
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  const spans = Array.from({ length: 10 }, (_, i) => ({
    traceId,
    // Side by side: an LLM call under another would be counted as its wrapper, not for its tokens.
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `chat ${i}`,
    kind: 3,
    startTimeUnixNano: String(start + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(start + BigInt(i) * 1_000_000n + 500_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '100' } },
      { key: 'gen_ai.usage.output_tokens', value: { intValue: '10' } },
    ],
  }));
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'resend' } }] }, scopeSpans: [{ spans }] }],
  });
}

/** What the server holds of a trace: its spans, and its summary's span count and input tokens. */
async function stored(url: string, traceId: string): Promise<{ spans: number; spanCount: number | undefined; inputTokens: number | null | undefined }> {
  const { body: trace } = await getJson<TraceDetail>(url, `/api/traces/${traceId}`);
  const { body: list } = await getJson<TraceListResponse>(url, '/api/traces');
  const summary = list.traces.find((t) => t.traceId === traceId);
  return { spans: trace.spans.length, spanCount: summary?.spanCount, inputTokens: summary?.inputTokens };
}

describe('copies of a request sent at the same time', () => {
  it('are stored once: one is acknowledged, the others refused, and none stored when retried', async () => {
    const server = await servers.start();
    const traceId = 'c0'.repeat(16);
    const body = tenCalls(traceId);
    const post = () => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    // Eight copies at once, as an exporter that timed out and retried (several times) sends them.
    const answers = await Promise.all(Array.from({ length: 8 }, post));
    const texts = await Promise.all(answers.map((answer) => answer.text()));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const [i, answer] of answers.entries()) {
      if (answer.status === 200) continue;
      // Refused as a copy of spans stored (400), or of spans being stored right now (503: retry to learn which).
      if (answer.status === 400) expect(texts[i]).toMatch(/received in an earlier request/);
      else
        expect({ status: answer.status, retryAfter: answer.headers.get('retry-after'), text: texts[i] }).toMatchObject({
          status: 503,
          retryAfter: '1',
          text: expect.stringMatching(/being stored/),
        });
    }
    // The retries of those told to retry: every span is a copy of one stored by now.
    for (const answer of answers.filter((a) => a.status === 503)) expect((await post()).status, answer.statusText).toBe(400);

    expect(await stored(server.url, traceId)).toEqual({ spans: 10, spanCount: 10, inputTokens: 1000 });
  });

  it('are stored when the first copy was refused after it was decoded, on its retry', async () => {
    // Spool room for one request not yet committed: a second one at once is refused (503) after it was decoded.
    const server = await servers.start({ spoolMax: '4KiB' });
    const first = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tenCalls('f1'.repeat(16)) });
    expect(first.status).toBe(200);
    const traceId = 'c1'.repeat(16);
    const post = () => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tenCalls(traceId) });
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(await refused.text()).toMatch(/spool/);

    // Once the first is committed, the retry goes in: the refused request's spans were not kept as seen.
    await getJson(server.url, `/api/traces/${'f1'.repeat(16)}`);
    expect((await post()).status).toBe(200);
    expect(await stored(server.url, traceId)).toEqual({ spans: 10, spanCount: 10, inputTokens: 1000 });
    // And a copy sent after that is one.
    expect((await post()).status).toBe(400);
  });
});

/** The stored trace as an OTLP/JSON request (the same spans, sent as JSON this time). */
async function jsonOf(url: string, traceId: string): Promise<object> {
  const { body: trace } = await getJson<TraceDetail>(url, `/api/traces/${traceId}`);
  const spans = trace.spans.map((s) => ({
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId === null ? {} : { parentSpanId: s.parentSpanId }),
    name: s.name,
    startTimeUnixNano: String(BigInt(Date.parse(s.startTime)) * 1_000_000n),
    endTimeUnixNano: String(BigInt(Date.parse(s.startTime)) * 1_000_000n + 1_000_000n),
  }));
  return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] };
}

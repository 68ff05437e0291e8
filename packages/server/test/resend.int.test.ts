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
    const again = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(await jsonOf(server.url, traceId)) });
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

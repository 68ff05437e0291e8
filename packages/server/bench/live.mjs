// npm run bench:live — what live viewers cost ingest. One Spoor (DuckDB) takes OTLP/protobuf at
// capacity (8 clients, as bench:ingest) while one agent trace receives 1,000 spans/s (10 requests
// a second of 100 spans, OTLP/JSON); rounds alternate without and with 50 SSE viewers of that
// trace (GET /api/traces/:id/live). Printed: the committed spans/s of each round (the load's and
// the live trace's, up to the moment all of it is committed), each pair's ratio with/without and
// their median (issue 33: goal >= 0.9, viewers cost <= 10%), and the p95 from a request's
// acknowledgement to its last span's event at a viewer, over every (request, viewer).
// Env: BENCH_SECONDS (per round, default 10), BENCH_ROUNDS (pairs, default 3), BENCH_VIEWERS (50),
// BENCH_CONCURRENCY (8), BENCH_LIVE_SPANS_PER_SECOND (1000).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, driveLoad, median, percentile, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const viewerCount = Number(process.env.BENCH_VIEWERS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const liveSpansPerSecond = Number(process.env.BENCH_LIVE_SPANS_PER_SECOND ?? 1000);
const SPANS_PER_REQUEST = 100;

const templates = buildTemplates({ count: 16, tracesPerBatch: 100, spansPerTrace: 10 });
const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-live-'));
const spoor = await startSpoor(join(dir, 'data'));
console.log(`load: ${concurrency} clients of ${templates[0].spanCount}-span batches; live trace: ${liveSpansPerSecond} spans/s; ${viewerCount} viewers; ${seconds} s rounds, ${rounds} pairs`);

/** An OTLP/JSON body of `count` spans of `traceId`, children of its root, ids from `first`. */
function liveBody(traceId, first, count) {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    spans.push({
      traceId, spanId: n.toString(16).padStart(16, '0'), ...(n === 1 ? {} : { parentSpanId: '0000000000000001' }), name: n === 1 ? 'agent run' : `step ${n}`, kind: 1,
      startTimeUnixNano: String(nowNs - 1_000_000n), endTimeUnixNano: String(nowNs),
      attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }],
    });
  }
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'live-agent' } }] }, scopeSpans: [{ spans }] }] });
}

/** Posts the live trace's spans at the rate asked for; resolves with each request's span range and acknowledgement time. */
async function feedLiveTrace(traceId, untilMs) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const intervalMs = (SPANS_PER_REQUEST / liveSpansPerSecond) * 1000;
  const acks = [];
  let next = 2;
  let at = performance.now();
  const inFlight = [];
  while (Date.now() < untilMs) {
    at += intervalMs;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const first = next;
    next += SPANS_PER_REQUEST;
    const body = liveBody(traceId, first, SPANS_PER_REQUEST);
    inFlight.push(
      postJson(agent, `${spoor.url}/v1/traces`, body).then((status) => {
        if (status === 200) acks.push({ last: first + SPANS_PER_REQUEST - 1, ackMs: Date.now() });
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { acks, spans: next - 2 };
}

function postJson(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A viewer of the trace's live stream: records when each span id arrived. */
function openViewer(traceId) {
  return new Promise((resolve, reject) => {
    const arrived = new Map();
    const req = http.get(`${spoor.url}/api/traces/${traceId}/live`, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`viewer: ${res.statusCode}`));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (block.includes('event: ready')) resolve({ arrived, close: () => req.destroy() });
          if (data !== undefined && block.includes('event: spans')) {
            const nowMs = Date.now();
            // The ids alone, without parsing the whole event: the viewers' own cost is not the server's.
            for (const match of data.matchAll(/"spanId":"([0-9a-f]{16})"/g)) arrived.set(Number.parseInt(match[1], 16), nowMs);
          }
        }
      });
    });
    req.on('error', () => {});
  });
}

async function round(withViewers) {
  const traceId = randomBytes(16).toString('hex');
  await postJson(new http.Agent(), `${spoor.url}/v1/traces`, liveBody(traceId, 1, 1));
  await waitCommitted(spoor.url, `/api/traces/${traceId}/tree`);
  const viewers = withViewers ? await Promise.all(Array.from({ length: viewerCount }, () => openViewer(traceId))) : [];
  const started = performance.now();
  const [load, live] = await Promise.all([driveLoad({ url: spoor.url, seconds, concurrency, templates }), feedLiveTrace(traceId, Date.now() + seconds * 1000)]);
  await waitCommitted(spoor.url, '/api/traces?limit=1');
  const elapsedS = (performance.now() - started) / 1000;
  const latenciesMs = [];
  if (withViewers) {
    // Let the last events arrive (they follow the last commit by one wake-up).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const viewer of viewers) {
      for (const { last, ackMs } of live.acks) {
        const atMs = viewer.arrived.get(last);
        latenciesMs.push(atMs === undefined ? Infinity : atMs - ackMs);
      }
      viewer.close();
    }
  }
  latenciesMs.sort((a, b) => a - b);
  return { committedPerS: (load.spans + live.spans) / elapsedS, loadPerS: load.spansPerSecond, liveSpans: live.spans, p95Ms: percentile(latenciesMs, 0.95), missing: latenciesMs.filter((ms) => ms === Infinity).length };
}

const ratios = [];
const p95s = [];
try {
  for (let i = 0; i < rounds; i++) {
    const without = await round(false);
    const withViewers = await round(true);
    const ratio = withViewers.committedPerS / without.committedPerS;
    ratios.push(ratio);
    p95s.push(withViewers.p95Ms);
    console.log(
      `pair ${i + 1}: without ${without.committedPerS.toFixed(0)} committed spans/s, with ${viewerCount} viewers ${withViewers.committedPerS.toFixed(0)} (${ratio.toFixed(3)}x); ` +
        `acknowledgement to event p95 ${withViewers.p95Ms.toFixed(0)} ms${withViewers.missing > 0 ? `, ${withViewers.missing} (request, viewer) pairs never received` : ''}`,
    );
  }
  console.log(`median ratio with/without viewers: ${median(ratios).toFixed(3)}x (goal >= 0.9); median p95 acknowledgement to event: ${median(p95s).toFixed(0)} ms`);
} finally {
  await stopChild(spoor);
  await rm(dir, { recursive: true, force: true });
}

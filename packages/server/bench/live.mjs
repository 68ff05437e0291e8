// npm run bench:live — what live viewers cost ingest. One Spoor (DuckDB) takes OTLP/protobuf at
// capacity (8 clients, as bench:ingest) while one agent trace receives 1,000 spans/s (10 requests
// a second of 100 spans, OTLP/JSON); rounds without and with 50 SSE viewers of that trace (GET
// /api/traces/:id/live) take turns, starting and ending without: W V W V W. Each round with viewers
// is compared with the mean of the rounds without on either side of it, so what drifts over the
// run (the store grows by two million spans a round; the machine's speed moves) falls on both sides
// alike, where a round without first in every pair put the rounds with viewers always later.
// Printed: the committed spans/s of each round (the load's and the live trace's, up to the moment
// all of it is committed), each ratio with/without and their median (goal >= 0.9,
// viewers cost <= 10%), the server's CPU per committed span with and without viewers (the viewers
// and the load run in this bench's process, on the same cores: the ratio of committed spans/s
// counts their client-side work too), and the p95 from a request's acknowledgement to its last
// span's event at a viewer, over every (request, viewer). A viewer behaves as a browser's
// EventSource: one the server drops (its socket did not drain) reconnects with Last-Event-ID and
// resumes, one refused at the cap (503) tries again after Retry-After, so the viewers stay a
// working set at capacity; the reconnects of each round are printed. BENCH_VIEWERS=0 is the A/A
// run: what the ratio reads when nothing differs.
// Env: BENCH_SECONDS (per round, default 20: a round holds some three of DuckDB's checkpoints),
// BENCH_ROUNDS (rounds with viewers, default 3), BENCH_VIEWERS (50),
// BENCH_CONCURRENCY (8), BENCH_LIVE_SPANS_PER_SECOND (1000).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTemplates, cpuSeconds, driveLoad, median, percentile, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const viewerCount = Number(process.env.BENCH_VIEWERS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const liveSpansPerSecond = Number(process.env.BENCH_LIVE_SPANS_PER_SECOND ?? 1000);
const SPANS_PER_REQUEST = 100;

// Each request's times are moved to when it is sent, as bench:ingest's are: with the templates' own
// times every span of the run fell in one 15 s slice of the default alert rules, which each round
// of theirs then read whole again, a cost that grew with the store over the run.
const templates = buildTemplates({ count: 16, tracesPerBatch: 100, spansPerTrace: 10, t0: Date.now() - 2000 });
const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-live-'));
const spoor = await startSpoor(join(dir, 'data'));
console.log(
  `load: ${concurrency} clients of ${templates[0].spanCount}-span batches; live trace: ${liveSpansPerSecond} spans/s; ${viewerCount} viewers; ${seconds} s rounds, ${rounds} with viewers between ${rounds + 1} without`,
);

/** An OTLP/JSON body of `count` spans of `traceId`, children of its root, ids from `first`. */
function liveBody(traceId, first, count) {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    spans.push({
      traceId,
      spanId: n.toString(16).padStart(16, '0'),
      ...(n === 1 ? {} : { parentSpanId: '0000000000000001' }),
      name: n === 1 ? 'agent run' : `step ${n}`,
      kind: 1,
      startTimeUnixNano: String(nowNs - 1_000_000n),
      endTimeUnixNano: String(nowNs),
      attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }],
    });
  }
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'live-agent' } }] }, scopeSpans: [{ spans }] }],
  });
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
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A viewer of the trace's live stream, as a browser's EventSource is: it records when each span id
 * arrived, and when the server drops it (its socket did not drain: the bench's own process, busy
 * driving ingest, reads late) it reconnects after the stream's `retry:` with `Last-Event-ID`, and
 * when refused (503 at the server's cap of streams) it tries again after `Retry-After` (from where
 * it was, or from now if it was never in), as the dashboard does. It counts both. Resolves once the
 * stream has started (its `ready`), or at `readyWithinMs` with whatever it has (a viewer still
 * refused).
 */
function openViewer(traceId, readyWithinMs = 10_000) {
  const viewer = { arrived: new Map(), drops: 0, refusals: 0, started: false, lastEventId: null, retryMs: 1000, closed: false, req: null };
  let started;
  const ready = new Promise((resolve) => (started = resolve));
  const connect = () => {
    if (viewer.closed) return;
    const headers = { accept: 'text/event-stream', ...(viewer.lastEventId === null ? {} : { 'last-event-id': viewer.lastEventId }) };
    let over = false;
    const again = (kind, delayMs) => {
      if (over || viewer.closed) return;
      over = true;
      viewer[kind]++;
      setTimeout(connect, delayMs);
    };
    viewer.req = http.get(`${spoor.url}/api/traces/${traceId}/live`, { headers }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        const retryAfterS = Number(res.headers['retry-after']);
        return again('refusals', Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : 2000);
      }
      // Read as bytes: the viewers share this process's cores with the load, so what they cost
      // here is kept small (as text, with a regular expression over each event, the 50 viewers
      // took 1.2-1.6 s of CPU a 20 s round).
      let rest = EMPTY;
      res.on('data', (chunk) => {
        const bytes = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        let from = 0;
        for (let end = bytes.indexOf(BLOCK_END, from); end >= 0; end = bytes.indexOf(BLOCK_END, from)) {
          readBlock(viewer, bytes, from, end, started);
          from = end + 2;
        }
        rest = from === bytes.length ? EMPTY : bytes.subarray(from);
      });
      // The server ended the stream (a viewer dropped): the browser reconnects after `retry`.
      res.on('close', () => again('drops', viewer.retryMs));
    });
    viewer.req.on('error', () => again('drops', viewer.retryMs));
  };
  viewer.close = () => {
    viewer.closed = true;
    viewer.req?.destroy();
  };
  connect();
  return Promise.race([ready, new Promise((resolve) => setTimeout(resolve, readyWithinMs))]).then(() => viewer);
}

const EMPTY = Buffer.alloc(0);
const BLOCK_END = Buffer.from('\n\n');
const DATA = Buffer.from('\ndata: ');
const SPAN_ID = Buffer.from('"spanId":"');

/**
 * One event of a viewer's stream, `bytes[from, end)`: its fields before `data` are read as text;
 * a `spans` event's span ids are read from its data where they stand, without parsing the event
 * (the viewers' own cost is not the server's).
 */
function readBlock(viewer, bytes, from, end, started) {
  const dataAt = bytes.indexOf(DATA, from);
  const headEnd = dataAt >= 0 && dataAt < end ? dataAt : end;
  let name = null;
  for (const line of bytes.toString('latin1', from, headEnd).split('\n')) {
    if (line.startsWith('event: ')) name = line.slice(7);
    else if (line.startsWith('id: ')) viewer.lastEventId = line.slice(4);
    else if (line.startsWith('retry: ')) viewer.retryMs = Number(line.slice(7));
  }
  if (name === 'ready') {
    viewer.started = true;
    started();
  }
  if (name !== 'spans' || headEnd === end) return;
  const nowMs = Date.now();
  for (let at = bytes.indexOf(SPAN_ID, headEnd); at >= 0 && at < end; at = bytes.indexOf(SPAN_ID, at + SPAN_ID.length + 16)) {
    arrived(viewer, hexAt(bytes, at + SPAN_ID.length), nowMs);
  }
}

/** The 16 lowercase hex digits at `at` as a number (the bench's span ids stay below 2^53). */
function hexAt(bytes, at) {
  let n = 0;
  for (let i = at; i < at + 16; i++) {
    const c = bytes[i];
    n = n * 16 + (c <= 57 ? c - 48 : c - 87);
  }
  return n;
}

/** A span's first arrival at a viewer: one sent again after a reconnect keeps its first time. */
function arrived(viewer, n, nowMs) {
  if (!viewer.arrived.has(n)) viewer.arrived.set(n, nowMs);
}

async function round(withViewers) {
  const traceId = randomBytes(16).toString('hex');
  await postJson(new http.Agent(), `${spoor.url}/v1/traces`, liveBody(traceId, 1, 1));
  await waitCommitted(spoor.url, `/api/traces/${traceId}/tree`);
  const viewers = withViewers ? await Promise.all(Array.from({ length: viewerCount }, () => openViewer(traceId))) : [];
  const started = performance.now();
  const serverCpuBefore = cpuSeconds(spoor.pid);
  const benchCpuBefore = process.cpuUsage();
  const [load, live] = await Promise.all([
    driveLoad({ url: spoor.url, seconds, concurrency, templates, liveTimes: true }),
    feedLiveTrace(traceId, Date.now() + seconds * 1000),
  ]);
  await waitCommitted(spoor.url, '/api/traces?limit=1');
  const elapsedS = (performance.now() - started) / 1000;
  const serverCpuS = cpuSeconds(spoor.pid) - serverCpuBefore;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const latenciesMs = [];
  if (withViewers) {
    // Let the last events arrive: they follow the last commit by one wake-up, or a reconnect's catch-up.
    const last = Math.max(...live.acks.map((ack) => ack.last));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !viewers.every((viewer) => viewer.arrived.has(last))) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const viewer of viewers) {
      viewer.close();
      // A viewer the cap kept out all along is counted apart (`neverIn`), not as late.
      if (!viewer.started) continue;
      for (const { last, ackMs } of live.acks) {
        const atMs = viewer.arrived.get(last);
        latenciesMs.push(atMs === undefined ? Infinity : atMs - ackMs);
      }
    }
  }
  latenciesMs.sort((a, b) => a - b);
  const reconnects = {
    drops: sum(viewers.map((v) => v.drops)),
    refusals: sum(viewers.map((v) => v.refusals)),
    neverIn: viewers.filter((v) => !v.started).length,
  };
  const committed = load.spans + live.spans;
  return {
    committedPerS: committed / elapsedS,
    serverCpuMsPerThousand: (serverCpuS * 1e6) / committed,
    benchCpuS: (benchCpu.user + benchCpu.system) / 1e6,
    loadPerS: load.spansPerSecond,
    liveSpans: live.spans,
    p95Ms: percentile(latenciesMs, 0.95),
    missing: latenciesMs.filter((ms) => ms === Infinity).length,
    reconnects,
  };
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

const ratios = [];
const cpuRatios = [];
const p95s = [];
const reconnects = { drops: 0, refusals: 0 };
try {
  let before = await round(false);
  for (let i = 0; i < rounds; i++) {
    const withViewers = await round(true);
    const after = await round(false);
    const without = {
      committedPerS: (before.committedPerS + after.committedPerS) / 2,
      serverCpuMsPerThousand: (before.serverCpuMsPerThousand + after.serverCpuMsPerThousand) / 2,
    };
    const ratio = withViewers.committedPerS / without.committedPerS;
    ratios.push(ratio);
    const cpuRatio = withViewers.serverCpuMsPerThousand / without.serverCpuMsPerThousand;
    cpuRatios.push(cpuRatio);
    p95s.push(withViewers.p95Ms);
    const { drops, refusals, neverIn } = withViewers.reconnects;
    reconnects.drops += drops;
    reconnects.refusals += refusals;
    console.log(
      `round ${i + 1}: without ${before.committedPerS.toFixed(0)} and ${after.committedPerS.toFixed(0)} committed spans/s (mean ${without.committedPerS.toFixed(0)}), with ${viewerCount} viewers ${withViewers.committedPerS.toFixed(0)} (${ratio.toFixed(3)}x); ` +
        `acknowledgement to event p95 ${withViewers.p95Ms.toFixed(0)} ms${withViewers.missing > 0 ? `, ${withViewers.missing} (request, viewer) pairs never received` : ''}; ` +
        `reconnects: ${drops} after a drop, ${refusals} after a 503${neverIn > 0 ? `, ${neverIn} viewers never in` : ''}; ` +
        `the server's CPU per 1,000 committed spans ${without.serverCpuMsPerThousand.toFixed(1)} ms without, ${withViewers.serverCpuMsPerThousand.toFixed(1)} ms with (${cpuRatio.toFixed(3)}x); ` +
        `this bench's own CPU (load, live trace, viewers) ${before.benchCpuS.toFixed(1)} and ${after.benchCpuS.toFixed(1)} s without, ${withViewers.benchCpuS.toFixed(1)} s with`,
    );
    before = after;
  }
  console.log(
    `median ratio with/without viewers: ${median(ratios).toFixed(3)}x (goal >= 0.9); the server's CPU per committed span with/without, median: ${median(cpuRatios).toFixed(3)}x; median p95 acknowledgement to event: ${median(p95s).toFixed(0)} ms; reconnects in all: ${reconnects.drops} after a drop, ${reconnects.refusals} after a 503`,
  );
} finally {
  await stopChild(spoor);
  await rm(dir, { recursive: true, force: true });
}

// npm run bench:detail — the 20,001-span trace detail (`GET /api/traces/:id`) against a client's
// own JSON.parse of it, as a client in another process sees it. Five traces of 20,001 spans each:
//   agent  the bench's agent spans (bench/lib.mjs: LLM calls, tool calls, steps under one root)
//   small  a name and three attributes each, a root over 100 steps over 199 calls each
//   heavy  20 attributes and 3 events with attributes each (some 2 KB of JSON a span)
//   flat   1 root and 20,000 small children
//   deep   a chain: each span the child of the one before
// on DuckDB and on ClickHouse (the engine chdb embeds, behind its HTTP interface). A client process
// (bench/trace-detail-client.mjs) asks for the five in turn, round after round: the server's time
// is from the request to the whole body read as text, the parse time the client's JSON.parse of
// that text. Printed per shape and store: medians, and the median of the rounds' ratios (goal <= 3);
// per store, the server's CPU a request (all its threads, over the client's whole run).
// Env: BENCH_ROUNDS (default 15), BENCH_WARMUPS (default 2), BENCH_STORES (default
// duckdb,clickhouse), BENCH_SHAPES (default all five), BENCH_SPANS (spans a trace, default 20,001; past
// 50,000 the server answers only pages, so the client asks for none), BENCH_SPOOR_CLI (another build, for paired
// before/after runs), BENCH_SPOOR_ARGS.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTemplates, cpuSeconds, freshBody, median, peakRssBytes, startClickHouse, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 2);
const STORES = (process.env.BENCH_STORES ?? 'duckdb,clickhouse').split(',');
const SHAPES = (process.env.BENCH_SHAPES ?? 'agent,small,heavy,flat,deep').split(',');
const SPANS = Number(process.env.BENCH_SPANS ?? 20_001);
const CLIENT = fileURLToPath(new URL('./trace-detail-client.mjs', import.meta.url));

let traceCounter = 0;
const runPrefix = Math.floor(Math.random() * 0xffffffff)
  .toString(16)
  .padStart(8, '0');
const newTraceId = () => `${runPrefix}${(++traceCounter).toString(16).padStart(24, '0')}`;
const spanId = (n) => n.toString(16).padStart(16, '0');
const str = (key, value) => ({ key, value: { stringValue: value } });
const int = (key, value) => ({ key, value: { intValue: String(value) } });
const T0_US = (Date.now() - 30 * 60_000) * 1000;
const ns = (us) => `${us}000`;

/** Spans of a shape as OTLP/JSON span objects: `parentOf(i)` (-1: root), `extra(i)` (attributes, events). */
function jsonSpans(traceId, parentOf, extra) {
  return Array.from({ length: SPANS }, (_, i) => {
    const parent = parentOf(i);
    const start = T0_US + i * 10;
    return {
      traceId,
      spanId: spanId(i + 1),
      ...(parent < 0 ? {} : { parentSpanId: spanId(parent + 1) }),
      kind: parent < 0 ? 2 : 1,
      startTimeUnixNano: ns(start),
      endTimeUnixNano: ns(start + 5_000 + (i % 13) * 100),
      ...extra(i),
    };
  });
}

const small = (i) => ({ name: `step ${i % 50}`, attributes: [str('step.kind', 'plan'), int('step.number', i), str('agent.name', 'researcher')] });
const LOREM = 'The quick brown fox jumps over the lazy dog; "quoted" \\ text, naïve café 日本. ';
const heavy = (i) => ({
  name: `tool call ${i % 40}`,
  attributes: Array.from({ length: 20 }, (_, k) =>
    k % 4 === 0 ? int(`attr.n${k}`, i * k) : str(`attr.s${k}`, `${LOREM.slice(0, 20 + ((i + k) % 60))} #${i}`),
  ),
  events: Array.from({ length: 3 }, (_, e) => ({
    timeUnixNano: ns(T0_US + i * 10 + e * 100),
    name: e === 2 ? 'exception' : `event ${e}`,
    attributes: [
      str('message', LOREM.repeat(2)),
      int('attempt', e),
      str('exception.stacktrace', e === 2 ? `Error: boom\n    at step (agent.js:${i}:1)\n    at run (agent.js:10:5)` : ''),
    ],
  })),
  status: i % 97 === 0 ? { code: 2, message: 'tool failed' } : {},
});

/** The OTLP bodies that send a shape's trace, 2,000 spans a request (under the body limit). */
function shapeBodies(shape, traceId) {
  if (shape === 'agent') {
    const [template] = buildTemplates({ count: 1, tracesPerBatch: 1, spansPerTrace: SPANS });
    const body = freshBody(template);
    const id = body.subarray(template.offsets[0][0], template.offsets[0][0] + 16).toString('hex');
    return { traceId: id, bodies: [{ type: 'application/x-protobuf', body }] };
  }
  const spans =
    shape === 'small'
      ? jsonSpans(traceId, (i) => (i === 0 ? -1 : i <= 100 ? 0 : 1 + ((i - 101) % 100)), small)
      : shape === 'heavy'
        ? jsonSpans(traceId, (i) => (i === 0 ? -1 : i <= 100 ? 0 : 1 + ((i - 101) % 100)), heavy)
        : shape === 'flat'
          ? jsonSpans(traceId, (i) => (i === 0 ? -1 : 0), small)
          : jsonSpans(traceId, (i) => i - 1, small);
  const bodies = [];
  for (let at = 0; at < spans.length; at += 2_000) {
    const resourceSpans = [
      {
        resource: { attributes: [str('service.name', `bench-${shape}`), str('host.name', 'bench-host')] },
        scopeSpans: [{ scope: { name: 'bench', version: '1.0.0' }, spans: spans.slice(at, at + 2_000) }],
      },
    ];
    bodies.push({ type: 'application/json', body: JSON.stringify({ resourceSpans }) });
  }
  return { traceId, bodies };
}

function runClient(url, paths) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, url, String(ROUNDS), String(WARMUPS), ...paths], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`the client exited with ${code}`))));
  });
}

for (const store of STORES) {
  const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-detail-'));
  const clickhouse = store === 'clickhouse' ? await startClickHouse(join(dir, 'clickhouse')) : null;
  const spoor = await startSpoor(join(dir, 'spoor'), clickhouse === null ? [] : ['--store', 'clickhouse', '--clickhouse-url', clickhouse.url]);
  try {
    const traces = [];
    for (const shape of SHAPES) {
      const { traceId, bodies } = shapeBodies(shape, newTraceId());
      for (const { type, body } of bodies) {
        const response = await fetch(`${spoor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': type }, body });
        if (response.status !== 200) throw new Error(`${shape}: sending refused: ${response.status} ${await response.text()}`);
      }
      traces.push({ shape, path: `/api/traces/${traceId}` });
    }
    for (const { path } of traces) await waitCommitted(spoor.url, path);
    const cpuBefore = cpuSeconds(spoor.pid);
    const results = await runClient(
      spoor.url,
      traces.map((t) => t.path),
    );
    const requests = (ROUNDS + WARMUPS) * traces.length;
    const cpuMs = ((cpuSeconds(spoor.pid) - cpuBefore) * 1000) / requests;
    for (const { shape, path } of traces) {
      const r = results[path];
      const ratios = r.serverMs.map((s, i) => s / r.parseMs[i]);
      console.log(
        `${store.padEnd(10)} ${shape.padEnd(6)} ${r.spans} spans, ${(r.bytes / 1e6).toFixed(1)} MB: server ${median(r.serverMs).toFixed(0)} ms, ` +
          `client JSON.parse ${median(r.parseMs).toFixed(0)} ms, ratio median ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}; goal <= 3)`,
      );
    }
    console.log(`${store.padEnd(10)} the server's CPU: ${cpuMs.toFixed(0)} ms a request (every thread; the ${traces.length} shape(s) asked, warmups included)`);
    console.log(`${store.padEnd(10)} the server's peak RSS: ${(peakRssBytes(spoor.pid) / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await stopChild(spoor);
    if (clickhouse !== null) await stopChild(clickhouse);
    await rm(dir, { recursive: true, force: true });
  }
}

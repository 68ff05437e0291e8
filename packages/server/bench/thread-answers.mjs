// npm run bench:threads — what a database-thread answer costs the main thread, answered as JSON
// text (or UTF-8 bytes) against as a structured clone of the value, through Spoor's own thread
// link (threads/ in dist). Each case is what the main thread then does with the answer: keys,
// alert series: parse the text, or use the value; a 50,000-span trace: send the bytes on as they
// are, or serialize the cloned value to send it. Figures per call: the median and p90 round trip,
// and the main thread's busy time (event-loop utilization), where a clone is deserialized.
// Env: BENCH_CALLS (default 300; a tenth of it for the trace).
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort } from 'node:worker_threads';
import { ThreadClient, startWorker } from '../dist/threads/client.js';
import { ThreadServer } from '../dist/threads/server.js';
import { JsonWriter } from '../dist/query/json-bytes.js';
import { jsonOf, parseJson } from '../dist/json.js';

const keys = (n) =>
  Array.from({ length: n }, (_, i) => ({
    id: `k${String(i).padStart(9, '0')}`,
    projectId: 'default',
    role: 'read',
    name: `key ${i}`,
    hash: 'ab'.repeat(32),
    createdUs: 1_700_000_000_000_000 + i,
    createdBy: 'cli',
    revokedUs: null,
  }));
// 10 series of 60 one-minute buckets: a rule over a grouped hour.
const series = () =>
  Array.from({ length: 600 }, (_, i) => ({ labels: [`svc-${i % 10}`, 'GET /items'], bucket: 1_700_000_000_000_000 + i * 60_000_000, value: i * 1.5 }));
const trace = (n) => ({
  traceId: 'a'.repeat(32),
  spans: Array.from({ length: n }, (_, i) => ({
    traceId: 'a'.repeat(32),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: i === 0 ? null : (i >> 1).toString(16).padStart(16, '0'),
    name: `step ${i % 50}`,
    kind: 'internal',
    serviceName: 'agent',
    startTime: '2025-01-01T00:00:00.000000Z',
    durationMs: i * 0.01,
    status: { code: 'ok', message: '' },
    attributes: { 'http.method': 'GET', n: i, 'gen_ai.prompt': 'hello world '.repeat(4) },
    resource: { attributes: { 'service.name': 'agent' } },
    events: [],
    links: [],
    llm: null,
    depth: 0,
  })),
  logs: [],
});

if (!isMainThread) {
  const data = { keys20: keys(20), keys1000: keys(1000), series: series(), trace: trace(50_000) };
  const bytesOf = (value) => {
    const out = new JsonWriter(0);
    out.write(`{"traceId":${JSON.stringify(value.traceId)},"spans":[`);
    value.spans.forEach((span, i) => out.write(`${i > 0 ? ',' : ''}${JSON.stringify(span)}`));
    out.write('],"logs":[]}');
    return out.finish();
  };
  new ThreadServer(parentPort, { answers: { bytes: (bytes) => [bytes.buffer] } }).serve({
    calls: { text: (what) => jsonOf(data[what]), value: (what) => data[what], bytes: () => bytesOf(data.trace) },
    posts: {},
  });
} else {
  const calls = Number(process.env.BENCH_CALLS ?? 300);
  const worker = startWorker(new URL(import.meta.url), null);
  const link = new ThreadClient(worker, {
    what: 'bench thread',
    events: {},
    transfers: { answers: {} },
    unavailable: (e) => e,
    onFailed: (e) => console.error(e),
  });
  const cases = [
    ['keys20', 'text', (what) => link.calls.text(what).then(parseJson)],
    ['keys20', 'value', (what) => link.calls.value(what)],
    ['keys1000', 'text', (what) => link.calls.text(what).then(parseJson)],
    ['keys1000', 'value', (what) => link.calls.value(what)],
    ['series', 'text', (what) => link.calls.text(what).then(parseJson)],
    ['series', 'value', (what) => link.calls.value(what)],
    ['trace', 'bytes', () => link.calls.bytes()],
    ['trace', 'value', (what) => link.calls.value(what).then((v) => Buffer.from(JSON.stringify(v)))],
  ];
  const results = new Map();
  // Three rounds, the cases alternating; the first is warm-up.
  for (let round = 0; round < 3; round++) {
    for (const [what, how, run] of cases) {
      const n = what === 'trace' ? Math.max(3, Math.round(calls / 10)) : calls;
      const times = [];
      const before = performance.eventLoopUtilization();
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await run(what);
        times.push(performance.now() - t0);
      }
      const busyMs = performance.eventLoopUtilization(before).active / n;
      if (round === 0) continue;
      const key = `${what} ${how}`;
      results.set(key, [...(results.get(key) ?? []), { times, busyMs }]);
    }
  }
  console.log('case            median ms   p90 ms   main thread busy ms/call (per round)');
  for (const [key, rounds] of results) {
    const all = rounds.flatMap((r) => r.times).sort((a, b) => a - b);
    const at = (q) => all[Math.min(all.length - 1, Math.floor(all.length * q))].toFixed(3);
    console.log(`${key.padEnd(15)} ${at(0.5).padStart(9)} ${at(0.9).padStart(8)}   ${rounds.map((r) => r.busyMs.toFixed(3)).join(' / ')}`);
  }
  link.closed();
  await worker.terminate();
}

// Shared parts of the Spoor benchmarks: start servers as child processes, build realistic OTLP
// protobuf batches with the official OpenTelemetry serializer, and drive keep-alive load.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

// BENCH_SPOOR_CLI runs another build of Spoor (an earlier commit's, for a paired before/after run).
const CLI = process.env.BENCH_SPOOR_CLI ?? fileURLToPath(new URL('../bin/spoor.js', import.meta.url));

// BENCH_SPOOR_ARGS adds flags to every `spoor serve` (e.g. `--mask /tmp/policy.json`), space-separated.
const EXTRA_ARGS = (process.env.BENCH_SPOOR_ARGS ?? '').split(' ').filter((arg) => arg !== '');

// BENCH_NODE_ARGS gives node flags to every `spoor serve` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), space-separated.
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

/**
 * Starts `spoor serve` on a free port; resolves with its URL and process. `extraArgs` e.g.
 * `['--store', 'clickhouse', '--clickhouse-url', url]`; `cli`: another build's `bin/spoor.js`.
 */
export function startSpoor(dataDir, extraArgs = [], cli = CLI) {
  // No gRPC port: benchmarks send OTLP/HTTP, and two servers at once would both want 4317.
  return startChild(
    process.execPath,
    [...NODE_ARGS, cli, 'serve', '--port', '0', '--grpc-port', '0', '--data', dataDir, '--log-level', 'warn', ...EXTRA_ARGS, ...extraArgs],
    /listening on (http:\/\/\S+)/,
  );
}

/** The ceiling: a server that reads each body and answers 200, doing nothing else. */
export function startDiscardServer() {
  const code = `
    const http = require('node:http');
    const server = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`;
  return startChild(process.execPath, ['-e', code], /listening on (http:\/\/\S+)/);
}

/** The one-thread reference: Spoor's decoder, one DuckDB table, no spool (reference-server.mjs). */
export function startReferenceServer(dataDir) {
  const script = fileURLToPath(new URL('./reference-server.mjs', import.meta.url));
  return startChild(process.execPath, [script, dataDir], /listening on (http:\/\/\S+)/);
}

/** The hand-written one-thread floor: its own protobuf reader, straight into DuckDB data chunks, one table, no spool (handwritten-server.mjs). */
export function startHandwrittenServer(dataDir) {
  const script = fileURLToPath(new URL('./handwritten-server.mjs', import.meta.url));
  return startChild(process.execPath, [...NODE_ARGS_FLOOR, script, dataDir], /listening on (http:\/\/\S+)/);
}

// BENCH_FLOOR_NODE_ARGS gives node flags to the hand-written floor (e.g. `--cpu-prof`), space-separated.
const NODE_ARGS_FLOOR = (process.env.BENCH_FLOOR_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

const CLICKHOUSE_ENDPOINT = fileURLToPath(new URL('../test/support/clickhouse-endpoint.mjs', import.meta.url));
const CLICKHOUSE_PASSWORD = 'spoor-bench';

/**
 * A ClickHouse HTTP endpoint in a process of its own (the engine `chdb` embeds, behind ClickHouse's
 * HTTP interface; see test/support/clickhouse-endpoint.mjs), keeping its data in `dir`. Resolves
 * with `url`, the `--clickhouse-url` of database `database`, and the process.
 */
export async function startClickHouse(dir, database = 'spoor') {
  const server = await startChild(process.execPath, [CLICKHOUSE_ENDPOINT, '--path', dir, '--password', CLICKHOUSE_PASSWORD], /listening (\d+)/);
  const base = `http://default:${CLICKHOUSE_PASSWORD}@127.0.0.1:${server.url}`;
  return { ...server, port: Number(server.url), database, url: `${base}/${database}`, base };
}

/** Runs one SQL statement through a ClickHouse endpoint's HTTP interface; resolves with the answer's text. */
export async function clickHouseSql(clickhouse, sql) {
  const response = await fetch(`http://127.0.0.1:${clickhouse.port}/`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`default:${CLICKHOUSE_PASSWORD}`).toString('base64')}` },
    body: sql,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`ClickHouse refused ${sql.slice(0, 80)}: ${text}`);
  return text;
}

/**
 * Bytes of the active parts of `database` (all tables, and spans alone) as ClickHouse stores them
 * on disk, after `OPTIMIZE TABLE … FINAL` on every table so that no part waits for a merge.
 */
export async function clickHouseBytes(clickhouse, database = clickhouse.database) {
  const tables = (await clickHouseSql(clickhouse, `SELECT name FROM system.tables WHERE database = '${database}' AND engine LIKE '%MergeTree' FORMAT TSV`))
    .split('\n')
    .filter((n) => n !== '');
  for (const table of tables) await clickHouseSql(clickhouse, `OPTIMIZE TABLE \`${database}\`.\`${table}\` FINAL`);
  const [all, spans, parts] = (
    await clickHouseSql(
      clickhouse,
      `SELECT sum(bytes_on_disk), sumIf(bytes_on_disk, table = 'spans'), count() FROM system.parts WHERE active AND database = '${database}' FORMAT TSV`,
    )
  )
    .trim()
    .split('\t')
    .map(Number);
  return { all, spans, parts };
}

/**
 * Waits until a read through `url + path` sees every write acknowledged before it. A read waits
 * for the commits at most 2 s (`Spoor-Read-Incomplete: 1` past that), so this asks again until
 * the answer is complete; resolves with the seconds it took.
 */
export async function waitCommitted(url, path) {
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    if (response.headers.get('spoor-read-incomplete') !== '1') return (performance.now() - started) / 1000;
  }
}

/** Requests a Spoor server acknowledged into the spool alone, by reason (`spoor_ingest_spilled_requests_total`). */
export async function spilledRequests(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = {};
  for (const [, reason, value] of text.matchAll(/^spoor_ingest_spilled_requests_total\{reason="([a-z_]+)"\} (\d+)$/gm)) counts[reason] = Number(value);
  return counts;
}

function startChild(command, args, urlPattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = urlPattern.exec(out);
      if (match) resolve({ url: match[1], pid: child.pid, child });
    });
    child.on('exit', (code) => reject(new Error(`server exited early with code ${code}: ${out}`)));
  });
}

export async function stopChild(server) {
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

/** Peak resident set size of a process in bytes (VmHWM), read before it exits. */
export function peakRssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/**
 * Builds `count` different ExportTraceServiceRequest bodies of `tracesPerBatch` traces with
 * `spansPerTrace` spans each: an agent-like tree (workflow, steps, LLM calls with gen_ai.*
 * attributes, a tool call, an occasional error), serialized by the official OTel serializer.
 * Returns templates whose trace-id byte offsets are known, so each request can get fresh ids.
 * `extraAttributes(s)`, when given, adds attributes to each span under the root (`s` its place).
 */
export function buildTemplates({ count, tracesPerBatch, spansPerTrace, service = 'bench-agent', t0 = Date.now() - 60_000, extraAttributes = null }) {
  const builtMs = Date.now();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': '1.0.0', 'host.name': 'bench-host' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('spoor-bench', '1.0.0');
  const templates = [];
  for (let b = 0; b < count; b++) {
    exporter.reset();
    for (let t = 0; t < tracesPerBatch; t++) {
      const start = t0 + t * 10;
      const root = tracer.startSpan('workflow research', {
        startTime: start,
        kind: SpanKind.SERVER,
        attributes: { 'workflow.name': 'research', 'session.id': `s-${t % 50}` },
      });
      const rootCtx = trace.setSpan(context.active(), root);
      for (let s = 1; s < spansPerTrace; s++) {
        const llm = s % 3 === 1;
        const name = llm ? 'chat gpt-4o' : s % 3 === 2 ? 'execute_tool web_search' : `step ${s}`;
        const attributes = llm
          ? {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o',
              'gen_ai.usage.input_tokens': 800 + s,
              'gen_ai.usage.output_tokens': 120,
              'gen_ai.response.finish_reasons': ['stop'],
            }
          : { 'step.number': s, 'gen_ai.tool.name': 'web_search', 'http.response.status_code': 200, 'retrieval.top_k': 8 };
        const span = tracer.startSpan(
          name,
          { startTime: start + s, kind: llm ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: { ...attributes, ...extraAttributes?.(s) } },
          rootCtx,
        );
        if (s === spansPerTrace - 1 && t % 20 === 0) {
          // At the span's own time: an event left to the clock kept the build's time, which shifted
          // templates (bench:store-100m's seven days) carried past their spans, out of every range read.
          span.recordException(new Error('tool timed out after 30s'), start + s + 5);
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'tool timed out' });
        }
        span.end(start + s + 5 + (s % 7) * 40);
      }
      root.end(start + spansPerTrace * 50);
    }
    const spans = exporter.getFinishedSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
    const traceIds = [...new Set(spans.map((s) => s.spanContext().traceId))];
    // The same spans as OTLP/JSON too (`freshJsonBody`), whose ids are hex text.
    const json = Buffer.from(JsonTraceSerializer.serializeRequest(spans)).toString('utf8');
    templates.push({
      body,
      spanCount: spans.length,
      offsets: traceIds.map((id) => offsetsOf(body, Buffer.from(id, 'hex'))),
      times: timeOffsetsOf(body, spans),
      builtMs,
      json,
    });
  }
  return templates;
}

/** Where the body holds each span's start, end and event times (fixed64 nanoseconds, little-endian). */
function timeOffsetsOf(body, spans) {
  const nanos = new Set();
  const add = ([s, ns]) => nanos.add(BigInt(s) * 1_000_000_000n + BigInt(ns));
  for (const span of spans) {
    add(span.startTime);
    add(span.endTime);
    for (const event of span.events) add(event.time);
  }
  const offsets = [];
  const bytes = Buffer.alloc(8);
  for (const value of nanos) {
    bytes.writeBigUInt64LE(value);
    offsets.push(...offsetsOf(body, bytes));
  }
  return offsets;
}

function offsetsOf(haystack, needle) {
  const offsets = [];
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) offsets.push(i);
  return offsets;
}

let idCounter = 0;
const runPrefix = Math.floor(Math.random() * 0xffffffff);

/**
 * A copy of a template with fresh, unique trace ids. With `liveTimes`, its times are moved by
 * the time since the template was built, so its spans end as long before they are sent as
 * they ended before `buildTemplates` returned (as an exporter sends spans that just ended).
 */
export function freshBody(template, liveTimes = false) {
  const body = Buffer.from(template.body);
  for (const offsets of template.offsets) {
    idCounter++;
    for (const at of offsets) {
      body.writeUInt32BE(runPrefix, at);
      body.writeUInt32BE(idCounter, at + 12);
    }
  }
  if (liveTimes) shiftTimes(body, template.times, (Date.now() - template.builtMs) * 1_000_000);
  return body;
}

/** `freshBody` of a template's OTLP/JSON: each trace id's first and last four bytes made fresh, as there, in one pass. */
export function freshJsonBody(template) {
  const fresh = new Map();
  const text = template.json.replace(TRACE_ID_JSON, (_, id) => {
    let to = fresh.get(id);
    if (to === undefined) {
      idCounter++;
      to = `${runPrefix.toString(16).padStart(8, '0')}${id.slice(8, 24)}${idCounter.toString(16).padStart(8, '0')}`;
      fresh.set(id, to);
    }
    return `"traceId":"${to}"`;
  });
  return Buffer.from(text);
}

const TRACE_ID_JSON = /"traceId":"([0-9a-f]{32})"/g;

/** Adds `shiftNs` (a whole number under 2^53) to the fixed64 times at `offsets`, in 32-bit halves so no bit is lost. */
function shiftTimes(body, offsets, shiftNs) {
  const high = Math.floor(shiftNs / 2 ** 32);
  const low = shiftNs - high * 2 ** 32;
  for (const at of offsets) {
    const sum = body.readUInt32LE(at) + low;
    const carry = sum >= 2 ** 32 ? 1 : 0;
    body.writeUInt32LE(sum - carry * 2 ** 32, at);
    body.writeUInt32LE(body.readUInt32LE(at + 4) + high + carry, at + 4);
  }
}

/**
 * Sends protobuf batches from `concurrency` keep-alive clients for `seconds`. Counts spans only
 * from 200 answers; a 429/503 is counted and retried after its Retry-After. With `liveTimes`,
 * every body's times are moved to the time it is sent (`freshBody`). `encoding` (BENCH_ENCODING)
 * `json` sends the same spans as OTLP/JSON instead, with the templates' own times.
 */
export async function driveLoad({
  url,
  seconds,
  concurrency,
  templates,
  maxSpans = Infinity,
  spansPerSecond = null,
  liveTimes = false,
  encoding = process.env.BENCH_ENCODING ?? 'protobuf',
}) {
  if (encoding !== 'protobuf' && encoding !== 'json') throw new Error(`BENCH_ENCODING must be protobuf or json, not ${encoding}`);
  const contentType = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/v1/traces', url);
  const latencies = [];
  let spans = 0;
  let inFlight = 0;
  let requests = 0;
  let refused = 0;
  let failed = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let next = 0;
  // With a target rate, requests leave on a fixed schedule (shared by all clients) instead of as
  // fast as answers come back, so latency is measured at that load, not at saturation.
  const intervalMs = spansPerSecond === null ? 0 : (templates[0].spanCount / spansPerSecond) * 1000;
  let scheduled = started;
  const worker = async () => {
    while (performance.now() < deadline && spans + inFlight * templates[0].spanCount < maxSpans) {
      if (intervalMs > 0) {
        const at = (scheduled += intervalMs);
        const wait = at - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      requests++;
      inFlight++;
      const template = templates[next++ % templates.length];
      const body = encoding === 'json' ? freshJsonBody(template) : freshBody(template, liveTimes);
      const t = performance.now();
      const { status, retryAfter } = await post(agent, target, body, contentType);
      inFlight--;
      if (status === 200) {
        latencies.push(performance.now() - t);
        spans += template.spanCount;
      } else if (status === 429 || status === 503) {
        refused++;
        await new Promise((r) => setTimeout(r, Number(retryAfter ?? 1) * 1000));
      } else {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    spans,
    spansPerSecond: spans / elapsedS,
    requests,
    refused,
    failed,
    elapsedS,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? NaN,
  };
}

function post(agent, target, body, contentType) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': contentType, 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The `p` quantile (0 to 1) of values sorted ascending, by the nearest rank at or below it; NaN of none. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/**
 * The median of `values`: of an even count, the mean of the two middle ones (the upper one alone,
 * as before the twenty-second session, flattered a goal checked on two or six rounds).
 */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : sorted.length === 0 ? NaN : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** CPU seconds (user + system) a process has used so far, all threads. */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export function mib(bytes) {
  return (bytes / 1024 / 1024).toFixed(0);
}

// npm run bench:answers — what the answer schemas cost or save the HTTP thread. A real `spoor serve`
// makes three answers (a page of 1,000 trace summaries, a 2,000-span trace, span statistics by
// name); then, in this process, one Fastify app sends each of them four ways, each request made
// with `inject` (no socket), the ways alternating round by round:
//   text          the JSON text as the database thread makes it, the route declaring its schema (now)
//   text-bare     the same text, no schema declared (before): the reference of each ratio
//   object-schema the parsed value, written by Fastify's schema serializer (fast-json-stringify)
//   object-bare   the parsed value, written by Fastify's default (JSON.stringify)
// The object ways also need the value to cross from the database thread as a structured clone
// instead of text: that cost, measured here on the same answers, is printed beside them.
// Last, the start: an app of one route per answer schema of this half of the API made ready with
// Fastify's compiled serializers, against with JSON.stringify (what `createApp` sets), alternating.
// Env: BENCH_ROUNDS (default 7), BENCH_REQUESTS (per way and round, default 200; a tenth for the trace).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import Fastify from 'fastify';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import * as analytics from '../dist/api/answers/analytics.js';
import * as mcp from '../dist/api/answers/mcp.js';
import * as replay from '../dist/api/answers/replay.js';
import * as scores from '../dist/api/answers/scores.js';
import * as service from '../dist/api/answers/service.js';
import * as traces from '../dist/api/answers/traces.js';
import { buildTemplates, freshBody, median, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);

async function realAnswers() {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-answers-'));
  const spoor = await startSpoor(dataDir);
  try {
    const post = (body) => fetch(`${spoor.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    for (const template of buildTemplates({ count: 20, tracesPerBatch: 50, spansPerTrace: 8 })) expect200(await post(freshBody(template)));
    const [big] = buildTemplates({ count: 1, tracesPerBatch: 1, spansPerTrace: 2000 });
    expect200(await post(freshBody(big)));
    await waitCommitted(spoor.url, '/api/traces?limit=1');
    const text = async (path) => {
      const response = await fetch(`${spoor.url}${path}`);
      expect200(response);
      return response.text();
    };
    const list = await text('/api/traces?limit=1000&from=0');
    const bigId = JSON.parse(await text('/api/traces?limit=1000&from=0&minDurationMs=50000')).traces[0].traceId;
    return [
      { name: 'trace list, 1,000 summaries', schema: traces.TraceListResponse, text: list, requests: REQUESTS },
      { name: 'trace, 2,000 spans', schema: traces.TraceAnswer, text: await text(`/api/traces/${bigId}`), requests: Math.max(1, Math.round(REQUESTS / 10)) },
      { name: 'span stats by name', schema: analytics.SpanStatsResponse, text: await text('/api/stats/spans?from=0'), requests: REQUESTS },
    ];
  } finally {
    await stopChild(spoor);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function expect200(response) {
  if (response.status !== 200) throw new Error(`${response.url}: ${response.status}`);
}

if (process.env.BENCH_PART === 'ready') await startBench();
else {
  await injectBench();
  // The start in a process of its own: the answers above hold gigabytes until they are collected.
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, BENCH_PART: 'ready' }, stdio: 'inherit' });
  if (child.status !== 0) process.exit(child.status ?? 1);
}

async function injectBench() {
  const answers = await realAnswers();
  const app = Fastify();
  const WAYS = ['text-bare', 'text', 'object-schema', 'object-bare'];
  answers.forEach((answer, i) => {
    answer.value = JSON.parse(answer.text);
    if (!TypeCompiler.Compile(answer.schema).Check(answer.value)) throw new Error(`${answer.name}: the answer does not match its schema`);
    const response = { response: { 200: answer.schema } };
    const sendText = async (_request, reply) => reply.type('application/json; charset=utf-8').send(answer.text);
    app.get(`/${i}/text`, { schema: response }, sendText);
    app.get(`/${i}/text-bare`, sendText);
    app.get(`/${i}/object-schema`, { schema: response }, async () => answer.value);
    app.get(`/${i}/object-bare`, async () => answer.value);
  });
  await app.ready();

  /** Microseconds per request of `requests` injects of one way. */
  async function timed(path, requests) {
    const started = performance.now();
    for (let r = 0; r < requests; r++) {
      const answer = await app.inject({ method: 'GET', url: path });
      if (answer.statusCode !== 200) throw new Error(`${path}: ${answer.statusCode} ${answer.body.slice(0, 200)}`);
    }
    return ((performance.now() - started) * 1000) / requests;
  }

  /** Microseconds per structured clone, as a message between threads makes one (the sender's and the receiver's work together). */
  function cloneUs(value, times) {
    const started = performance.now();
    for (let r = 0; r < times; r++) deserialize(serialize(value));
    return ((performance.now() - started) * 1000) / times;
  }

  console.log(`rounds: ${ROUNDS}, requests a round: ${REQUESTS} (trace: a tenth); Node ${process.version}`);
  for (const [i, answer] of answers.entries()) {
    // One warm round, not counted: the serializers compile on first use.
    for (const way of WAYS) await timed(`/${i}/${way}`, Math.min(20, answer.requests));
    const runs = Object.fromEntries(WAYS.map((way) => [way, []]));
    const clones = { text: [], value: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? WAYS : [...WAYS].reverse();
      for (const way of order) runs[way].push(await timed(`/${i}/${way}`, answer.requests));
      clones.text.push(cloneUs(answer.text, answer.requests));
      clones.value.push(cloneUs(answer.value, answer.requests));
    }
    const reference = median(runs['text-bare']);
    console.log(`\n${answer.name} (${(Buffer.byteLength(answer.text) / 1024).toFixed(0)} KiB): median µs a request, ratio to text-bare`);
    for (const way of WAYS) console.log(`  ${way.padEnd(14)} ${median(runs[way]).toFixed(1).padStart(9)}  ${(median(runs[way]) / reference).toFixed(2)}`);
    console.log(`  crossing the thread: text ${median(clones.text).toFixed(1)} µs, value ${median(clones.value).toFixed(1)} µs (structured clone)`);
  }
  await app.close();
}

/** Milliseconds until an app of a route per schema is ready, its serializers compiled by Fastify or JSON.stringify. */
async function readyMs(schemas, compiled) {
  const started = performance.now();
  const ready = Fastify();
  if (!compiled) ready.setSerializerCompiler(() => (data) => JSON.stringify(data));
  schemas.forEach((schema, i) => ready.get(`/${i}`, { schema: { response: { 200: schema } } }, async () => null));
  await ready.ready();
  const ms = performance.now() - started;
  await ready.close();
  return ms;
}
async function startBench() {
  const schemas = [analytics, mcp, replay, scores, service, traces].flatMap((module) =>
    Object.values(module).filter((value) => typeof value === 'object' && value !== null),
  );
  const starts = { compiled: [], stringify: [] };
  // Three rounds: each compiled app holds hundreds of megabytes until collected.
  for (let round = 0; round < 3; round++) {
    for (const compiled of round % 2 === 0 ? [true, false] : [false, true]) starts[compiled ? 'compiled' : 'stringify'].push(await readyMs(schemas, compiled));
  }
  console.log(
    `\nready, ${schemas.length} routes with answer schemas: compiled serializers ${median(starts.compiled).toFixed(0)} ms, JSON.stringify ${median(
      starts.stringify,
    ).toFixed(0)} ms`,
  );
}

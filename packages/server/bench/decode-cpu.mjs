// npm run bench:decode — the CPU of ingest's two busy threads' work per 1,000 bench spans, in
// process, without HTTP or a second thread: the decode thread's (DecodeCore.decode and settle of
// each 1,000-span OTLP/protobuf request, and the post of its batch to another thread, its buffers
// transferred) and the database thread's appends (appendBatch of the spans table's batches into a
// DuckDB table, flushed every 8,192 rows as the writer does). Each figure is a process of its own.
// `-- --base DIR` measures another built checkout too (its packages/server/dist), in alternating
// pairs, and prints each pair's ratio and their median: a before/after claim on a machine whose
// speed drifts. Env: BENCH_ROUNDS (pairs, default 6), BENCH_REQUESTS (default 600), BENCH_BODIES
// (`agent`, the default: bench/lib.mjs' agent spans, 1,000 a request; `large`: 110 of those spans a
// request, the 100 under the roots each with two 18 KB ASCII texts and two 22 KB texts in several
// scripts, two of the four under keys a convention reads, some 8 MB a request; figures are then
// per 1,000 of those spans), BENCH_ENCODING (`protobuf`, the default, or `json`: the same spans as
// OTLP/JSON, as the OpenTelemetry JS exporter writes them, ids made fresh per request), BENCH_MASK
// (`1`: the project has a masking policy, every detector in mask mode, as `--mask` of `{}` gives),
// BENCH_JSON_KEYS (`escaped`: with BENCH_ENCODING=json, every attribute key's first character
// written as a \u escape, the same keys spelled as some JSON writers spell them), BENCH_PART
// (`decode` or `append`: that figure alone).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MessageChannel } from 'node:worker_threads';
import { buildTemplates, freshBody, freshJsonBody, median } from './lib.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const { values: flags } = parseArgs({ options: { base: { type: 'string' }, child: { type: 'string' }, part: { type: 'string' } } });
const requests = Number(process.env.BENCH_REQUESTS ?? 600);

if (flags.child !== undefined) {
  console.log(JSON.stringify(await measure(flags.child, flags.part)));
  process.exit(0);
}

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const head = resolve(HERE, '../../..');
const base = flags.base === undefined ? null : resolve(flags.base);
// The decode thread runs with a 96 MB young generation (decode-client.ts): 32 MB semi-spaces.
const run = (root, part) =>
  JSON.parse(
    execFileSync(process.execPath, ['--max-semi-space-size=32', fileURLToPath(import.meta.url), '--child', root, '--part', part], { encoding: 'utf8' }),
  );
/** appendBatch's own share of each append figure. */
const chunks = [];
for (const part of process.env.BENCH_PART === undefined ? ['decode', 'append'] : [process.env.BENCH_PART]) {
  const pairs = [];
  for (let round = 0; round < rounds; round++) {
    // Alternating which goes first: the machine's speed drifts within minutes.
    const order = round % 2 === 0 ? [base, head] : [head, base];
    const got = {};
    for (const root of order) if (root !== null) got[root] = run(root, part);
    pairs.push({ head: got[head].msPer1000, base: base === null ? null : got[base].msPer1000 });
    if (part === 'append') chunks.push({ head: got[head].chunksPer1000, base: base === null ? null : got[base].chunksPer1000 });
  }
  const heads = pairs.map((p) => p.head);
  let line = `${part}: ${median(heads).toFixed(2)} ms CPU per 1,000 spans (${heads.map((v) => v.toFixed(2)).join(', ')})`;
  if (base !== null) {
    const ratios = pairs.map((p) => p.head / p.base);
    line += `; base ${median(pairs.map((p) => p.base)).toFixed(2)} (${pairs.map((p) => p.base.toFixed(2)).join(', ')}); this / base, median of ${rounds} alternating pairs: ${median(ratios).toFixed(3)}x`;
  }
  console.log(line);
  if (part === 'append') {
    let chunkLine = `  of it, filling DuckDB's data chunks (appendBatch): ${median(chunks.map((p) => p.head)).toFixed(2)} ms`;
    if (base !== null)
      chunkLine += `; base ${median(chunks.map((p) => p.base)).toFixed(2)}; this / base ${median(chunks.map((p) => p.head / p.base)).toFixed(3)}x`;
    console.log(chunkLine);
  }
}

/** One figure of one checkout: `part` is `decode` or `append`. */
async function measure(root, part) {
  const dist = (path) => import(join(root, 'packages/server/dist', path));
  // The bench's own bodies (bench/lib.mjs of this checkout, so both sides decode the same requests).
  const { DecodeCore } = await dist('ingest/decoder.js');
  const { buffersOf } = await dist('store/columns.js');
  const templates = process.env.BENCH_BODIES === 'large' ? largeTemplates() : buildTemplates({ count: 16, tracesPerBatch: 100, spansPerTrace: 10 });
  const encoding = process.env.BENCH_ENCODING === 'json' ? 'json' : 'protobuf';
  // As the server gets them: fresh ids per request, the body a plain Uint8Array (as a thread receives it).
  const fresh = encoding === 'json' ? freshJsonBody : freshBody;
  const spell = process.env.BENCH_JSON_KEYS === 'escaped' ? escapeKeys : (body) => body;
  const bodies = Array.from({ length: requests + 100 }, (_, i) => new Uint8Array(spell(fresh(templates[i % templates.length]))));
  const core = new DecodeCore(null, process.env.BENCH_MASK === '1' ? { fallback: {}, projects: {} } : null);
  const { port1: port } = new MessageChannel();
  port.unref();
  let next = 0;
  const decodeOne = () => {
    const result = core.decode({ signal: 'traces', encoding, projectId: 'default', receivedUs: Date.now() * 1000, body: bodies[next++] });
    return result;
  };
  if (part === 'decode') {
    for (let i = 0; i < 100; i++) core.settle(decodeOne().ticket, true);
    let spans = 0;
    const before = process.cpuUsage();
    for (let i = 0; i < requests; i++) {
      const result = decodeOne();
      port.postMessage(result.batch, buffersOf(result.batch.tables));
      core.settle(result.ticket, true);
      spans += result.records;
    }
    return { msPer1000: cpuMs(before) / (spans / 1000) };
  }
  const { appendBatch } = await dist('store/duckdb/chunks.js');
  const { SPANS } = await dist('store/tables.js');
  const { DuckDBInstance } = await import(join(root, 'node_modules/@duckdb/node-api/lib/index.js'));
  const batches = [];
  for (let i = 0; i < requests; i++) {
    const result = decodeOne();
    core.settle(result.ticket, true);
    batches.push(result.batch.tables.find((t) => t.table === 'spans'));
  }
  const TYPES = { varchar: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', uinteger: 'UINTEGER', utinyint: 'UTINYINT', boolean: 'BOOLEAN', integer: 'INTEGER' };
  const file = join(tmpdir(), `spoor-bench-decode-${process.pid}.duckdb`);
  const instance = await DuckDBInstance.create(file, { threads: '2' });
  const connection = await instance.connect();
  await connection.run(`CREATE TABLE spans (${SPANS.map((s) => `${s.name} ${TYPES[s.type]}`).join(', ')}, commit_seq BIGINT)`);
  const appender = await connection.createAppender('spans');
  let spans = 0;
  let unflushed = 0;
  let chunksMs = 0;
  const before = process.cpuUsage();
  for (const batch of batches) {
    const at = process.cpuUsage();
    appendBatch(appender, batch, 1);
    chunksMs += cpuMs(at);
    spans += batch.rows;
    unflushed += batch.rows;
    if (unflushed >= 8192) {
      appender.flushSync();
      unflushed = 0;
    }
  }
  appender.closeSync();
  const msPer1000 = cpuMs(before) / (spans / 1000);
  const chunksPer1000 = chunksMs / (spans / 1000);
  connection.closeSync();
  instance.closeSync();
  rmSync(file, { force: true });
  rmSync(`${file}.wal`, { force: true });
  return { msPer1000, chunksPer1000 };
}

/** An OTLP/JSON body with each attribute key's first character escaped (`"key":"\u0067en_ai..."`): the same request. */
function escapeKeys(body) {
  const text = Buffer.from(body).toString('utf8');
  return Buffer.from(text.replace(/"key":"([A-Za-z0-9_.])/g, (_, c) => `"key":"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function cpuMs(before) {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Requests of 100 LLM calls with large texts (`BENCH_BODIES=large`), as `buildTemplates` gives them: trace ids made fresh per request. */
function largeTemplates() {
  const ascii = 'The quick brown fox jumps over the lazy dog, "quoted" text.\n'.repeat(300);
  const scripts = 'naïve café 日本語のテキスト — émoji 😀 '.repeat(500);
  return [0, 1].map((k) => {
    const [template] = buildTemplates({
      count: 1,
      tracesPerBatch: 10,
      spansPerTrace: 11,
      extraAttributes: () => ({ 'gen_ai.prompt': ascii, 'app.output': `${ascii}${k}`, 'app.text': scripts, 'gen_ai.completion': `${scripts}${k}` }),
    });
    return template;
  });
}

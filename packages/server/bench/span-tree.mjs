// npm run bench:tree — every reader of a trace's tree on the 50,000-span agent trace of the web
// benchmark (its spans shuffled, as a store returns them): the tree order alone, the trace answer's
// JSON (GET /api/traces/:id), the critical path, the trace diff and the waterfall's rows (the web's
// buildSpanTree, run in Node). In process, no server: what the tree costs, not the I/O around it.
// `--base DIR` also times a second checkout (built), alternating with this one round by round so
// both see the same machine. Env: BENCH_SPANS (default 50,000), BENCH_ROUNDS (default 20).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { buildBigTrace } from '../../web/bench/big-trace.mjs';

const SPANS = Number(process.env.BENCH_SPANS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARMUP = 3;
const here = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const baseAt = process.argv.indexOf('--base');
const roots = [['this', here], ...(baseAt > 0 ? [['base', resolve(process.argv[baseAt + 1])]] : [])];

/** The trace's spans as a store reads them (`StoredSpan`), in a seeded shuffle. */
function storedSpans() {
  const trace = buildBigTrace({ spans: SPANS, startMs: 1_763_719_200_000 });
  const spans = [];
  for (const body of trace.bodies) {
    for (const rs of JSON.parse(body).resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
      const resourceJson = JSON.stringify({
        attributes: Object.fromEntries(rs.resource.attributes.map((a) => [a.key, Object.values(a.value)[0]])),
        droppedAttributesCount: 0,
        schemaUrl: '',
      });
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          const attributes = Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
          const llm = 'gen_ai.request.model' in attributes;
          spans.push({
            traceId: trace.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId === '' ? null : s.parentSpanId,
            traceState: '',
            flags: 1,
            name: s.name,
            kind: 'internal',
            serviceName: service,
            startTimeUs: Number(s.startTimeUnixNano.slice(0, -3)),
            endTimeUs: Number(s.endTimeUnixNano.slice(0, -3)),
            status: { code: s.status?.code === 2 ? 'error' : 'unset', message: s.status?.message ?? '' },
            attributesJson: JSON.stringify(attributes),
            resourceJson,
            scopeJson: '{"name":"bench","version":"","attributes":{},"droppedAttributesCount":0}',
            eventsJson: '[]',
            linksJson: '[]',
            droppedAttributesCount: 0,
            droppedEventsCount: 0,
            droppedLinksCount: 0,
            llm: llm
              ? {
                  provider: null,
                  operation: 'chat',
                  requestModel: attributes['gen_ai.request.model'],
                  responseModel: null,
                  inputTokens: 10,
                  outputTokens: 5,
                  totalTokens: null,
                  cacheReadInputTokens: null,
                  cacheCreationInputTokens: null,
                  reasoningTokens: null,
                  costUsd: 0.001,
                  costSource: null,
                  timeToFirstTokenMs: null,
                  finishReasons: null,
                }
              : null,
            sessionId: null,
            userId: null,
            category: llm ? 'llm' : 'other',
          });
        }
      }
    }
  }
  let seed = 7;
  for (let i = spans.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [spans[i], spans[j]] = [spans[j], spans[i]];
  }
  return spans;
}

/** The waterfall's columns (`TraceTree`) of the spans, as the server sends them. */
function treeColumns(spans) {
  const origin = Math.min(...spans.map((s) => s.startTimeUs));
  const services = [...new Set(spans.map((s) => s.serviceName))];
  return {
    traceId: spans[0].traceId,
    startTime: new Date(origin / 1000).toISOString(),
    spanIds: spans.map((s) => s.spanId),
    parentSpanIds: spans.map((s) => s.parentSpanId),
    names: spans.map((s) => s.name),
    services,
    serviceIndexes: spans.map((s) => services.indexOf(s.serviceName)),
    startOffsetsUs: spans.map((s) => s.startTimeUs - origin),
    durationsUs: spans.map((s) => s.endTimeUs - s.startTimeUs),
    statusCodes: spans.map((s) => (s.status.code === 'error' ? 2 : 0)),
    categories: spans.map(() => 7),
    events: [],
    inputTokens: spans.map((s) => s.llm?.inputTokens ?? null),
    outputTokens: spans.map((s) => s.llm?.outputTokens ?? null),
    costUsd: spans.map((s) => s.llm?.costUsd ?? null),
    models: spans.map((s) => s.llm?.requestModel ?? null),
    states: spans.map(() => 0),
    sessionId: null,
    logs: [],
    scores: [],
  };
}

/**
 * A web module and the relative modules it imports, transpiled into `outDir` as `.mjs` files with
 * their specifiers rewritten; answers the entry's path.
 */
async function transpiled(sourceDir, name, outDir, done = new Set()) {
  const out = join(outDir, `${name}.mjs`);
  if (done.has(name)) return out;
  done.add(name);
  await mkdir(outDir, { recursive: true });
  const source = await readFile(join(sourceDir, `${name}.ts`), 'utf8');
  const local = [];
  const rewritten = source.replace(/from '\.\/([\w-]+)'/g, (_, dep) => (local.push(dep), `from './${dep}.mjs'`));
  await writeFile(out, ts.transpileModule(rewritten, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
  for (const dep of local) await transpiled(sourceDir, dep, outDir, done);
  return out;
}

/** A checkout's readers of the tree, from its built `dist` (and its web source, transpiled into a temporary file there). */
async function readersOf(root, scratch) {
  const server = (path) => import(pathToFileURL(join(root, 'packages/server/dist', path)).href);
  const model = await import(pathToFileURL(join(root, 'packages/model/dist/index.js')).href);
  const { traceDetailJson } = await server('query/trace-json.js');
  // The answer takes the trace as its store reads it: since the texts went as bytes, `StoredTraceBytes`.
  const { storedTraceBytesOf = (trace) => trace } = await server('store/stored-trace.js');
  const { criticalPath } = await server('query/critical-path.js');
  const { diffTraces } = await server('query/trace-diff.js');
  const { traceTimingsOf } = await server('store/trace-timings.js');
  // The web's module imports '@spoor/model': written under the checkout's packages/web, it finds that checkout's model.
  const webDir = join(root, 'packages/web', `.bench-span-tree-${scratch}`);
  const web = join(root, 'packages/web/src/trace');
  const { buildSpanTree } = await import(pathToFileURL(await transpiled(web, 'span-tree', webDir)).href);
  // Since the waterfall went to typed arrays it builds its rows from `SpanColumns`, made once from
  // the JSON columns (outside the timing, as the page makes them while the answer arrives).
  const treeInput = existsSync(join(web, 'span-batch.ts'))
    ? (await import(pathToFileURL(await transpiled(web, 'span-batch', webDir)).href)).columnsFromTraceTree
    : (json) => json;
  await rm(webDir, { recursive: true, force: true });
  const order =
    model.resolveSpanTree !== undefined
      ? (spans) => model.resolveSpanTree(model.spanTreeInputFrom(spans)).count
      : await server('query/tree.js').then((m) => (spans) => m.orderSpanTree(spans).length);
  return { order, traceDetailJson, storedTraceBytesOf, criticalPath, diffTraces, traceTimingsOf, buildSpanTree, treeInput };
}

const spans = storedSpans();
const columns = treeColumns(spans);
const scratch = (await mkdtemp(join(process.env.TMPDIR ?? '/tmp', 'spoor-bench-tree-'))).split('/').pop();
const checkouts = [];
for (const [label, root] of roots) {
  const r = await readersOf(root, scratch);
  const timings = r.traceTimingsOf(spans);
  const trace = r.storedTraceBytesOf({ spans, logs: [] });
  const treeInput = r.treeInput(columns);
  checkouts.push({
    label,
    root,
    runs: {
      'tree order (spans in, order and depths out)': () => r.order(spans),
      // The answer is its UTF-8 bytes; a checkout from before the typed threads wrapped them ({ bytes }).
      'trace answer JSON (traceDetailJson)': () => {
        const json = r.traceDetailJson(spans[0].traceId, trace, []);
        return (json.bytes ?? json).length;
      },
      'critical path (from its columns)': () => r.criticalPath(spans[0].traceId, timings).spans.length,
      'trace diff of the trace and itself': () => r.diffTraces('a', spans, 'b', spans).rows.length,
      'waterfall rows (web buildSpanTree)': () => r.buildSpanTree(treeInput).count,
    },
    ms: {},
  });
}

for (let round = 0; round < WARMUP + ROUNDS; round++) {
  // Alternating who goes first, so neither always runs on a warmer or cooler machine.
  const order = round % 2 === 0 ? checkouts : [...checkouts].reverse();
  for (const name of Object.keys(checkouts[0].runs)) {
    for (const c of order) {
      const t = performance.now();
      c.runs[name]();
      const ms = performance.now() - t;
      if (round >= WARMUP) (c.ms[name] ??= []).push(ms);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
console.log(
  `\nSpan trees, one ${spans.length.toLocaleString('en')}-span trace, ${ROUNDS} rounds after ${WARMUP} warm-up — ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}, load ${loadavg()[0].toFixed(1)}\n`,
);
console.log(`| reader | ${checkouts.map((c) => `${c.label} median (p90) ms`).join(' | ')} |\n|---|${checkouts.map(() => '---|').join('')}`);
for (const name of Object.keys(checkouts[0].runs)) {
  console.log(`| ${name} | ${checkouts.map((c) => `${median(c.ms[name]).toFixed(1)} (${p90(c.ms[name]).toFixed(1)})`).join(' | ')} |`);
}
for (const c of checkouts) console.log(`${c.label}: ${c.root}`);

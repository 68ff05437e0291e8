// npm run bench:export — 5,000,000 spans of a DuckDB store exported to Parquet by Spoor
// (`spoor export --data DIR --signals spans --format parquet`) against DuckDB's own
// `COPY (SELECT * FROM spans) TO … (FORMAT parquet)` on the same file, in alternating rounds, each
// its own process (a user waits for the whole command, and DuckDB's own COPY gets a process of its
// own too: Node, DuckDB, the file attached read-only). DuckDB's COPY runs with DuckDB's defaults
// (a thread per core, memory_limit 80% of RAM), Spoor's with its own (memory_limit 512MB, row groups
// of 16,384 rows); each one's peak RSS is printed beside its time. The goal: Spoor's ≤ 2× DuckDB's.
//
// The data set is bench:analytics' (analytics-data.mjs: 198,000 agent traces of 25 spans and one
// of 50,000, attributes and all), written by SQL into a store made by Spoor's own schema, and
// cached under /tmp/spoor-bench-export/ (BENCH_REGENERATE=1 writes it anew).
// Then the same once through a server (`spoor export --url`), its time and the server's peak RSS.
// Env: BENCH_TRACES (198,000), BENCH_BIG_SPANS (50,000), BENCH_ROUNDS (3), BENCH_API=0 (no server run).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { generate } from './analytics-data.mjs';
import { mib, peakRssBytes, startSpoor, stopChild } from './lib.mjs';

const VERSION = 'v1';
const traces = Number(process.env.BENCH_TRACES ?? 198_000);
const bigSpans = Number(process.env.BENCH_BIG_SPANS ?? 50_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ROOT = '/tmp/spoor-bench-export';
const CLI = fileURLToPath(new URL('../bin/spoor.js', import.meta.url));

// 1. The data set, generated once.
const dataDir = join(ROOT, `${VERSION}-${traces}x25-${bigSpans}`);
const dbPath = join(dataDir, 'spoor.duckdb');
let params = await readFile(join(dataDir, 'params.json'), 'utf8').then(JSON.parse, () => null);
if (params === null || process.env.BENCH_REGENERATE === '1') {
  const building = `${dataDir}.building`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  console.log(`generating ${traces.toLocaleString('en')} traces of 25 spans and one of ${bigSpans.toLocaleString('en')} spans`);
  const t = performance.now();
  params = await generate({
    path: join(building, 'spoor.duckdb'),
    nowUs: Date.now() * 1000,
    traces,
    bigSpans,
    openStore: (o) => DuckDbStore.open(o),
    log: console.log,
  });
  params.generationS = (performance.now() - t) / 1000;
  await writeFile(join(building, 'params.json'), JSON.stringify(params, null, 2));
  await rm(dataDir, { recursive: true, force: true });
  await rename(building, dataDir);
  console.log(`generated in ${params.generationS.toFixed(0)} s`);
}
const spans = await scalar(`SELECT count(*) FROM read_only.spans`);
const range = await scalar(`SELECT min(start_us) // 1000 || ',' || (max(start_us) // 1000 + 1) FROM read_only.spans`);
const [fromMs, toMs] = String(range).split(',');
console.log(`${Number(spans).toLocaleString('en')} spans in ${dbPath} (${mib((await stat(dbPath)).size)} MiB)`);

// 2. Alternating rounds, each export a process of its own, its peak RSS sampled.
const out = await mkdtemp(join(ROOT, 'out-'));
const REFERENCE = `
  const { DuckDBInstance } = await import(${JSON.stringify(import.meta.resolve('@duckdb/node-api'))});
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run("ATTACH '${dbPath}' AS spoor (READ_ONLY)");
  await c.run('USE spoor');
  const t = performance.now();
  await c.run("COPY (SELECT * FROM spans) TO '${join(out, 'reference.parquet')}' (FORMAT parquet)");
  console.log('copy_ms=' + Math.round(performance.now() - t));`;
const kinds = {
  duckdb: () => run(process.execPath, ['--input-type=module', '-e', REFERENCE]),
  spoor: () =>
    run(process.execPath, [CLI, 'export', '--data', dataDir, '--signals', 'spans', '--format', 'parquet', '--from', fromMs, '--to', toMs, '--out', out]),
};
const results = { duckdb: [], spoor: [] };
for (let round = 1; round <= rounds; round++) {
  for (const kind of round % 2 === 1 ? ['duckdb', 'spoor'] : ['spoor', 'duckdb']) {
    const result = await kinds[kind]();
    const file = kind === 'duckdb' ? join(out, 'reference.parquet') : join(out, 'spans.parquet');
    result.fileMiB = Number(mib((await stat(file)).size));
    results[kind].push(result);
    console.log(
      `round ${round} ${kind.padEnd(6)} ${(result.ms / 1000).toFixed(2).padStart(7)} s   peak RSS ${String(result.peakRssMiB).padStart(5)} MiB   ${result.fileMiB} MiB${result.copyMs === undefined ? '' : `   (COPY itself ${(result.copyMs / 1000).toFixed(2)} s)`}`,
    );
  }
}
const rows = await scalar(`SELECT count(*) FROM read_parquet('${join(out, 'spans.parquet')}')`);
if (String(rows) !== String(spans)) throw new Error(`Spoor's file holds ${rows} spans, not ${spans}`);

// 3. The same through a server (`spoor export --url`, GET /api/export streamed from the database
// thread): not part of the ratio; its time, and the server's peak RSS (its DuckDB at 384MB).
if (process.env.BENCH_API !== '0') {
  const serverDir = join(ROOT, 'server');
  await rm(serverDir, { recursive: true, force: true });
  await mkdir(serverDir, { recursive: true });
  await copyFile(dbPath, join(serverDir, 'spoor.duckdb'));
  const server = await startSpoor(serverDir);
  const idleMiB = mib(peakRssBytes(server.pid));
  const viaApi = await run(process.execPath, [
    CLI,
    'export',
    '--url',
    server.url,
    '--signals',
    'spans',
    '--format',
    'parquet',
    '--from',
    fromMs,
    '--to',
    toMs,
    '--out',
    out,
  ]);
  const serverPeakMiB = mib(peakRssBytes(server.pid));
  await stopChild(server);
  const apiRows = await scalar(`SELECT count(*) FROM read_parquet('${join(out, 'spans.parquet')}')`);
  if (String(apiRows) !== String(spans)) throw new Error(`the API's file holds ${apiRows} spans, not ${spans}`);
  await rm(serverDir, { recursive: true, force: true });
  results.api = { ...viaApi, serverPeakRssMiB: Number(serverPeakMiB), serverIdleRssMiB: Number(idleMiB) };
  console.log(
    `via the API  ${(viaApi.ms / 1000).toFixed(2).padStart(7)} s   server peak RSS ${serverPeakMiB} MiB (${idleMiB} MiB once started), the CLI's ${viaApi.peakRssMiB} MiB`,
  );
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const spoorMs = median(results.spoor.map((r) => r.ms));
const duckdbMs = median(results.duckdb.map((r) => r.ms));
const ratio = spoorMs / duckdbMs;
console.log(
  `\nmedian of ${rounds}: spoor export ${(spoorMs / 1000).toFixed(2)} s, DuckDB's COPY ${(duckdbMs / 1000).toFixed(2)} s (its statement alone ${(median(results.duckdb.map((r) => r.copyMs)) / 1000).toFixed(2)} s)`,
);
console.log(
  `ratio ${ratio.toFixed(2)}× (goal ≤ 2×): ${ratio <= 2 ? 'met' : 'NOT met'}; peak RSS spoor ${Math.max(...results.spoor.map((r) => r.peakRssMiB))} MiB, DuckDB ${Math.max(...results.duckdb.map((r) => r.peakRssMiB))} MiB`,
);
console.log(
  JSON.stringify({ spans: Number(spans), rounds, spoorMs: Math.round(spoorMs), duckdbMs: Math.round(duckdbMs), ratio: Number(ratio.toFixed(3)), results }),
);
await rm(out, { recursive: true, force: true });

/** Runs a process to its end: its wall time, its peak RSS (sampled every 50 ms), and a COPY time it printed. */
function run(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env } });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    let peak = 0;
    const sample = () => {
      try {
        peak = Math.max(peak, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024);
      } catch {
        // Exited between two samples: the last one stands.
      }
    };
    const sampler = setInterval(sample, 50);
    child.on('exit', (code) => {
      clearInterval(sampler);
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.slice(0, 3).join(' ')} exited with ${code}: ${stdout}`));
      const copy = /copy_ms=(\d+)/.exec(stdout);
      resolve({ ms: Math.round(ms), peakRssMiB: Number(mib(peak)), ...(copy === null ? {} : { copyMs: Number(copy[1]) }) });
    });
  });
}

/** One value of a query over the store file, attached read-only. */
async function scalar(sql) {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  await c.run(`ATTACH '${dbPath}' AS read_only (READ_ONLY)`);
  const value = (await c.runAndReadAll(sql)).getRows()[0][0];
  c.closeSync();
  instance.closeSync();
  return value;
}

// The ClickHouse side of bench/analytics.mjs (`--store clickhouse`): the same data set
// as the DuckDB run, copied into ClickHouse by `spoor migrate`, so both stores answer over the
// same rows.
//
// The copy is cached beside the DuckDB file (`<cacheDir>/clickhouse-<hash of the schema's DDL>/`,
// the endpoint's data folder, so a change of the ClickHouse schema makes a new one) and made from an untouched copy of the cached file, so its `migrate:<table>` positions are the
// cached file's last row ids. Each run copies that folder, and `spoor migrate` from the run's
// topped-up DuckDB file then copies only the rows after them: the top-up.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaStatements } from '../dist/store/clickhouse/schema.js';
import { clickHouseBytes, clickHouseSql, startClickHouse, stopChild } from './lib.mjs';

const CLI = process.env.BENCH_SPOOR_CLI ?? fileURLToPath(new URL('../bin/spoor.js', import.meta.url));
const SCHEMA_HASH = createHash('sha256')
  .update(schemaStatements({ database: 'spoor', cluster: null }).join(';'))
  .digest('hex')
  .slice(0, 12);
const CACHED = `clickhouse-${SCHEMA_HASH}`;

/**
 * Makes the cached ClickHouse copy of the data set unless there is one: migrates `dataDir` (a copy
 * of the cached DuckDB file, not yet topped up), merges every table (OPTIMIZE FINAL) and measures
 * it. Resolves with what it measured (`stats.json`).
 */
export async function prepareClickHouseCache(cacheDir, dataDir, log) {
  const statsPath = join(cacheDir, CACHED, 'stats.json');
  const cached = await readFile(statsPath, 'utf8').then(JSON.parse, () => null);
  if (cached !== null) {
    log(`using the ClickHouse copy made in ${cached.migrateS.toFixed(0)} s (+ ${cached.optimizeS.toFixed(0)} s OPTIMIZE FINAL) at ${join(cacheDir, CACHED)}`);
    return cached;
  }
  const building = join(cacheDir, `${CACHED}.building`);
  await rm(building, { recursive: true, force: true });
  const clickhouse = await startClickHouse(join(building, 'data'));
  try {
    log(`copying the data set into ClickHouse (spoor migrate; once, then cached)`);
    let t = performance.now();
    await migrate(dataDir, clickhouse.url, log);
    const migrateS = (performance.now() - t) / 1000;
    const beforeOptimize = await partBytes(clickhouse);
    t = performance.now();
    const bytes = await clickHouseBytes(clickhouse);
    const optimizeS = (performance.now() - t) / 1000;
    const spans = Number(await clickHouseSql(clickhouse, `SELECT count() FROM \`${clickhouse.database}\`.spans FORMAT TSV`));
    const stats = { spans, migrateS, optimizeS, beforeOptimize, bytes };
    await writeFile(join(building, 'stats.json'), JSON.stringify(stats, null, 2));
    log(`copied ${spans.toLocaleString('en')} spans in ${migrateS.toFixed(0)} s; OPTIMIZE FINAL in ${optimizeS.toFixed(0)} s`);
    await stopChild(clickhouse);
    await rm(join(cacheDir, CACHED), { recursive: true, force: true });
    await rename(building, join(cacheDir, CACHED));
    return stats;
  } catch (error) {
    await stopChild(clickhouse);
    throw error;
  }
}

/**
 * This run's ClickHouse: a copy of the cached folder in `runDir`, its endpoint started, and the
 * rows `dataDir` holds beyond the cached ones (the top-up) migrated into it. Waits until no merge
 * runs, so the timings do not share the machine with one. Resolves with the endpoint.
 */
export async function startClickHouseCopy(cacheDir, dataDir, runDir, log) {
  await cp(join(cacheDir, CACHED, 'data'), join(runDir, 'data'), { recursive: true });
  const clickhouse = await startClickHouse(join(runDir, 'data'));
  const t = performance.now();
  await migrate(dataDir, clickhouse.url, () => {});
  log(`migrated the top-up into ClickHouse in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await settle(clickhouse);
  return clickhouse;
}

/** Waits (at most 5 minutes) until ClickHouse runs no merge. */
export async function settle(clickhouse) {
  for (const deadline = performance.now() + 300_000; performance.now() < deadline; ) {
    if (Number(await clickHouseSql(clickhouse, 'SELECT count() FROM system.merges FORMAT TSV')) === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Active parts and their bytes before any OPTIMIZE: what background merges reached on their own. */
async function partBytes(clickhouse) {
  await settle(clickhouse);
  const [all, spans, parts] = (
    await clickHouseSql(
      clickhouse,
      `SELECT sum(bytes_on_disk), sumIf(bytes_on_disk, table = 'spans'), count() FROM system.parts WHERE active AND database = '${clickhouse.database}' FORMAT TSV`,
    )
  )
    .trim()
    .split('\t')
    .map(Number);
  return { all, spans, parts };
}

/** `spoor migrate --from dataDir --to url`; its count table goes to `log`. */
function migrate(dataDir, url, log) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'migrate', '--from', dataDir, '--to', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`spoor migrate exited with ${code}: ${out}\n${err}`));
      log(out.trimEnd());
      resolve();
    });
  });
}

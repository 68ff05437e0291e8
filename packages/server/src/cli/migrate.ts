import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import type { BatchKey, SamplingDecision } from '../store/store.js';
import { COPIED_TABLES, type CopiedTableName } from '../store/tables.js';

/**
 * `spoor migrate --from DATA_DIR --to clickhouse://USER:PASS@HOST:8123/DB`: copies an embedded
 * (DuckDB) store into ClickHouse. Record tables (and `span_stats`, the spans of traces tail
 * sampling left out) go over in chunks of rows, each written as a batch keyed by
 * (`migrate:<table>`, its last row id): the ClickHouse writer makes each chunk whole, so a
 * migration stopped at any point (Ctrl-C, a lost connection) resumes after the last chunk it
 * committed and copies nothing twice. Tail sampling's decisions follow in chunks too, each
 * recorded as a trace's first decision (so a chunk written again adds nothing), then its position.
 * The small tables (keys, prices, rules, alert state and history, silences, masking and sampling
 * policies, the audit log, error group states) follow, each marked done the same way, then
 * evaluator definitions (not their runs), datasets (every version) and experiments (every row of
 * each and of their results). At the end the rows of every record table, `span_stats` and the
 * decisions are counted on both sides.
 */

const CHUNK_ROWS = 50_000;
/**
 * Decisions per chunk at most: a chunk's trace ids go to ClickHouse as one query parameter (to
 * find those decided before), which ClickHouse parses under `max_query_size`, 256 KiB by default:
 * 10,000 ids (35 B each) were refused, 5,000 take 175 KB.
 */
const DECISION_CHUNK_ROWS = 5_000;

class MigrationStopped extends Error {}
/** Record tables in the order they are copied: sources first, as ingest writes them, then the slim spans. */
const RECORD_TABLES = Object.keys(COPIED_TABLES) as CopiedTableName[];
const ALL = { fromUs: null, toUs: null };

export interface MigrateIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether `err` is a terminal (a progress bar redrawn in place) or a log (a line per step). */
  tty: boolean;
  /** Stops the copy between two chunks (Ctrl-C); a later run resumes there. */
  signal?: AbortSignal;
  /** Rows per chunk. Default 50,000. */
  chunkRows?: number;
}

export async function migrateCommand(args: string[], io: MigrateIo): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, cluster: { type: 'string' } }, strict: true });
  if (values.from === undefined || values.to === undefined) {
    io.err('spoor migrate needs --from DATA_DIR (a Spoor data directory) and --to clickhouse://USER:PASS@HOST:8123/DB\n');
    return 2;
  }
  const path = join(resolve(values.from), 'spoor.duckdb');
  try {
    await access(path);
  } catch {
    io.err(`spoor migrate: there is no Spoor store at ${path}\n`);
    return 2;
  }
  let source: DuckDbStore;
  try {
    source = await DuckDbStore.open({ path });
  } catch (error) {
    io.err(`spoor migrate: cannot open ${path} (${(error as Error).message}); stop the Spoor server that uses it first\n`);
    return 1;
  }
  let target: ClickHouseStore;
  try {
    target = await ClickHouseStore.open({ url: values.to, cluster: values.cluster ?? null });
  } catch (error) {
    await source.close();
    io.err(`spoor migrate: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    io.out(`Copying ${path} into ClickHouse at ${target.where}\n`);
    for (const table of RECORD_TABLES) await copyTable(source, target, table, io);
    await copyDecisions(source, target, io);
    await copySmallTables(source, target, io);
    return await compareCounts(source, target, io);
  } catch (error) {
    if (!(error instanceof MigrationStopped)) throw error;
    io.err('\nspoor migrate: stopped; run the same command again to go on where it stopped\n');
    return 130;
  } finally {
    await source.close();
    await target.close();
  }
}

/** Copies a record table's rows after those a previous run committed, each chunk written and its position committed at once. */
function copyTable(source: DuckDbStore, target: ClickHouseStore, table: CopiedTableName, io: MigrateIo): Promise<void> {
  return copyChunks(target, table, io, source.exporter.countRows(table), async (after, limit) => {
    const chunk = await source.exporter.chunk(table, after, limit);
    if (chunk === null) return null;
    const key: BatchKey = { serverId: `migrate:${table}`, position: `1:${chunk.lastRowId}` };
    await target.writer.write({ records: chunk.batch.rows, tables: [chunk.batch] }, key);
    return { rows: chunk.batch.rows, lastRowId: chunk.lastRowId };
  });
}

/**
 * Copies tail sampling's decisions after those a previous run committed. They have no commit
 * column to repair a chunk cut short by; each is recorded as a trace's first decision instead, so
 * a chunk written and not marked (stopped between the two) is written again to no effect.
 */
function copyDecisions(source: DuckDbStore, target: ClickHouseStore, io: MigrateIo): Promise<void> {
  return copyChunks(target, 'sampling_decisions', io, source.exporter.countRows('sampling_decisions'), async (after, limit) => {
    const chunk = await source.exporter.decisionChunk(after, Math.min(limit, DECISION_CHUNK_ROWS));
    if (chunk === null) return null;
    const byProject = new Map<string, SamplingDecision[]>();
    for (const { projectId, decision } of chunk.decisions) {
      const list = byProject.get(projectId);
      if (list === undefined) byProject.set(projectId, [decision]);
      else list.push(decision);
    }
    for (const [projectId, decisions] of byProject) await target.sampling.record(projectId, decisions);
    await target.writer.commit({ serverId: 'migrate:sampling_decisions', position: `1:${chunk.lastRowId}` });
    return { rows: chunk.decisions.length, lastRowId: chunk.lastRowId };
  });
}

/**
 * Runs `copyAfter` from the last row id a previous run committed under `migrate:<name>` until it
 * finds no rows, drawing the progress; it copies a chunk and commits the chunk's last row id.
 */
async function copyChunks(
  target: ClickHouseStore,
  name: string,
  io: MigrateIo,
  counted: Promise<number>,
  copyAfter: (afterRowId: number, limit: number) => Promise<{ rows: number; lastRowId: number } | null>,
): Promise<void> {
  const total = await counted;
  // The last row id a previous run committed (DuckDB's row ids count from 0).
  const resumedAt = Number((await target.writer.readPosition(`migrate:${name}`))?.split(':')[1] ?? -1);
  const bar = progress(io, name, total);
  // Row ids rise with the rows before them, so about `resumedAt + 1` rows were copied before.
  let copied = Math.min(resumedAt + 1, total);
  bar(copied);
  let after = resumedAt;
  for (;;) {
    if (io.signal?.aborted === true) throw new MigrationStopped();
    const chunk = await copyAfter(after, io.chunkRows ?? CHUNK_ROWS);
    if (chunk === null) break;
    after = chunk.lastRowId;
    copied = Math.min(total, copied + chunk.rows);
    bar(copied);
  }
  bar(total, true);
}

/** Runs `copy` unless a previous run marked `name` done, then marks it. */
async function once(target: ClickHouseStore, name: string, io: MigrateIo, copy: () => Promise<number>): Promise<void> {
  const serverId = `migrate:${name}`;
  if ((await target.writer.readPosition(serverId)) !== null) {
    io.out(`  ${name}: copied before\n`);
    return;
  }
  const n = await copy();
  await target.writer.commit({ serverId, position: '1:1' });
  io.out(`  ${name}: ${n}\n`);
}

async function copySmallTables(source: DuckDbStore, target: ClickHouseStore, io: MigrateIo): Promise<void> {
  const projects = await source.exporter.projects();
  const nowUs = Date.now() * 1000;
  await once(target, 'keys', io, async () => {
    const have = new Set((await target.access.listKeys()).map((k) => k.id));
    const keys = (await source.access.listKeys()).filter((k) => !have.has(k.id));
    for (const key of keys) await target.access.putKey(key);
    return keys.length;
  });
  await once(target, 'masking policies', io, async () => {
    const policies = await source.masking.listPolicies();
    for (const p of policies) await target.masking.putPolicy(p.projectId, p.policy, p.updatedUs);
    return policies.length;
  });
  // Decisions were copied before: a policy in force on ClickHouse decides only traces not decided here.
  await once(target, 'sampling policies', io, async () => {
    const policies = await source.sampling.policies.listPolicies();
    for (const p of policies) await target.sampling.policies.putPolicy(p.projectId, p.policy, p.updatedUs);
    return policies.length;
  });
  await once(target, 'error group states', io, async () => {
    const states = await source.exporter.errorGroupStates();
    for (const s of states) await target.errors.setErrorGroupStatus(s.projectId, s.fingerprint, s.status as never, s.updatedUs);
    return states.length;
  });
  for (const projectId of projects) {
    await once(target, `prices of ${projectId}`, io, async () => {
      const prices = await source.prices.listModelPrices(projectId);
      for (const price of prices) await target.prices.putModelPrice(projectId, price, nowUs);
      return prices.length;
    });
    await once(target, `alert rules of ${projectId}`, io, async () => {
      const rules = await source.alerts.listRules(projectId);
      for (const rule of rules) await target.alerts.putRule(projectId, rule.name, rule.spec, rule.updatedUs);
      // Seeded there, seeded here: the target does not seed the defaults again, so a deleted one stays deleted.
      if (await source.alerts.rulesSeeded(projectId)) await target.alerts.seedRules(projectId, [], nowUs);
      return rules.length;
    });
    await once(target, `silences of ${projectId}`, io, async () => {
      const silences = await source.alerts.listSilences(projectId, 0);
      for (const silence of silences) await target.alerts.putSilence(projectId, silence);
      return silences.length;
    });
    await once(target, `alert state and history of ${projectId}`, io, async () => {
      const state = await source.alerts.readState(projectId);
      const history = (await source.alerts.listHistory(projectId, ALL, null, 0, Number.MAX_SAFE_INTEGER)).reverse();
      // The state and its history in one write, as the engine saves them.
      if (state !== null) await target.alerts.saveState(projectId, state, history, nowUs);
      return history.length;
    });
    // Definitions only: runs stay behind, so the counts of scores made start over, and a target
    // judged in the last hour may be judged again after the move, into the same score slot.
    await once(target, `evaluators of ${projectId}`, io, async () => {
      const evaluators = await source.evaluators.listEvaluators(projectId);
      for (const evaluator of evaluators) await target.evaluators.putEvaluator(projectId, evaluator, false);
      return evaluators.length;
    });
    // Every row of every version, so each version reads on ClickHouse as it did.
    await once(target, `datasets of ${projectId}`, io, async () => {
      const rows = await source.datasets.allRows(projectId);
      await target.datasets.appendRows(projectId, rows.datasets, rows.items);
      return rows.datasets.length;
    });
    // Every row, results first: a copy cut short and run again appends rows twice, and a read
    // keeps the newest of an experiment's and of an item's rows, so it reads the same.
    await once(target, `experiments of ${projectId}`, io, async () => {
      const rows = await source.experiments.allRows(projectId);
      await target.experiments.appendRows(projectId, [], rows.results);
      await target.experiments.appendRows(projectId, rows.experiments, []);
      return new Set(rows.experiments.map((e) => e.experimentId)).size;
    });
    // Every row, items and events before the queue's own: a copy cut short and run again appends
    // rows twice, and a read takes an item's first row and a queue's newest, so it reads the same.
    await once(target, `review queues of ${projectId}`, io, async () => {
      const rows = await source.queues.allRows(projectId);
      await target.queues.addItems(projectId, rows.items);
      await target.queues.addEvents(projectId, rows.events);
      for (const queue of rows.queues) await target.queues.putQueue(projectId, queue);
      return new Set(rows.queues.map((q) => q.name)).size;
    });
    // Every row: a copy cut short and run again appends rows twice, and `prompts/` reads a
    // version number once and an event of one time and label once, so it reads the same.
    await once(target, `prompts of ${projectId}`, io, async () => {
      const rows = await source.prompts.allRows(projectId);
      for (const version of rows.versions) await target.prompts.addVersion(projectId, version);
      for (const event of rows.events) await target.prompts.addEvent(projectId, event);
      return new Set(rows.versions.map((v) => v.name)).size;
    });
    // Every row: a copy cut short and run again appends rows twice, and `dashboards/` reads a
    // version number once, so it reads the same.
    await once(target, `dashboards of ${projectId}`, io, async () => {
      const rows = await source.dashboards.allRows(projectId);
      for (const row of rows) await target.dashboards.add(projectId, row);
      return new Set(rows.map((r) => r.name)).size;
    });
    await once(target, `audit log of ${projectId}`, io, async () => {
      const records = (await source.access.listAudit(projectId, ALL, 0, Number.MAX_SAFE_INTEGER)).reverse();
      for (const record of records) await target.access.appendAudit(record);
      return records.length;
    });
  }
}

/** Rows of each record table and of the decisions on both sides; 1 when one differs. */
async function compareCounts(source: DuckDbStore, target: ClickHouseStore, io: MigrateIo): Promise<number> {
  io.out('\n  table              DuckDB      ClickHouse\n');
  let differ = false;
  for (const table of [...RECORD_TABLES, 'sampling_decisions'] as const) {
    const [from, to] = [await source.exporter.countRows(table), await target.countRows(table)];
    differ ||= from !== to;
    io.out(`  ${table.padEnd(18)} ${String(from).padStart(10)}  ${String(to).padStart(10)}${from === to ? '' : '  differs'}\n`);
  }
  io.out(
    differ
      ? '\nThe counts differ: was the ClickHouse database empty, and is no server writing to it?\n'
      : '\nEvery row was copied. Start Spoor with --store clickhouse --clickhouse-url … to use it.\n',
  );
  return differ ? 1 : 0;
}

/** Draws `table [#####-----] 50% 2,500/5,000` in place on a terminal, or a line per tenth otherwise. */
function progress(io: MigrateIo, table: string, total: number): (done: number, last?: boolean) => void {
  let lastTenth = -1;
  return (done, last = false) => {
    const fraction = total === 0 ? 1 : done / total;
    const width = 30;
    const filled = Math.round(fraction * width);
    const text = `${table.padEnd(18)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')}`;
    if (io.tty) io.err(`\r${text}${last ? '\n' : ''}`);
    else if (Math.floor(fraction * 10) !== lastTenth || last) {
      lastTenth = Math.floor(fraction * 10);
      if (!last || fraction < 1 || lastTenth !== 10) io.err(`${text}\n`);
    }
  };
}

import type { DuckDBConnection } from '@duckdb/node-api';
import type { SamplingDecision } from '../ports/sampling.js';
import { SqlSamplingStore, decisionRow } from '../sql/sampling.js';
import type { MoveStatement, SpanStatsLayout } from '../sql/span-stats.js';
import type { DuckDbParams, DuckDbSql } from './dialect.js';
import { duckDbLiveCommits } from './live.js';
import { DuckDbProjectPolicies } from './access.js';
import { KeptLists } from './kept-lists.js';
import { SPAN_STATS } from '../tables.js';
import { factsViews } from './schema.js';
import { clearFactsOfTraces } from './score-facts.js';
import type { Params } from '../sql/dialect.js';
import { inTransaction } from './transaction.js';
import type { OnConnection } from './alerts.js';

/** A slim span's attributes: `{}`, or only its `cache.hit` when it has one (the realtime numbers count it). */
const SLIM_ATTRIBUTES = `CASE WHEN contains(attributes, '"cache.hit"')
  THEN coalesce('{"cache.hit":' || CAST(json_extract(attributes, '/cache.hit') AS VARCHAR) || '}', '{}') ELSE '{}' END`;

/**
 * Tail sampling in the DuckDB file: policies and decisions in their own small tables, and a
 * sampled-out trace's spans moved to `span_stats` in one transaction (DuckDB reuses the space of
 * the rows deleted once a checkpoint has rewritten their row groups).
 */
export class DuckDbSamplingStore extends SqlSamplingStore {
  /** Whether the facts views read `span_stats` yet (`factsViews`): the first move makes them. */
  private factsReadStats = true;

  /**
   * `moved` hears of every move made: what alert windows kept of those spans' attributes is gone.
   * `kept` keeps the list of policies between this store's writes of it (the store's own, which a
   * reattached file forgets).
   */
  constructor(
    private readonly duckdb: DuckDbSql,
    private readonly moved: () => void = () => undefined,
    kept: KeptLists = new KeptLists(),
    /** The policies' writes, one at a time (`WriteLanes`); alone, the store's own runner. */
    writePolicies: OnConnection = (what, fn) => duckdb.on(what, fn),
  ) {
    super(duckdb, duckDbLiveCommits, new DuckDbProjectPolicies((what, fn) => duckdb.on(what, fn), writePolicies, 'sampling_policies', 'sampling', kept));
  }

  /** Makes the facts views for what `span_stats` holds now: at open, after the migrations, on the store's own `connection`. */
  async makeFactsViews(connection: DuckDBConnection): Promise<void> {
    const sampledOut = await connection.runAndReadAll('SELECT EXISTS (SELECT 1 FROM span_stats) AS any');
    this.factsReadStats = sampledOut.getRows()[0]?.[0] === true;
    await connection.run(factsViews(this.factsReadStats));
  }

  async record(projectId: string, decisions: readonly SamplingDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    // One statement for every decision, as one JSON array, appended: the table has no key to check (schema.ts).
    await this.duckdb.on('record sampling decisions', (c) =>
      c.run(
        `INSERT INTO sampling_decisions
         SELECT $1, r.trace_id, r.kept, r.reason, r.start_us, r.end_us, r.decided_us
         FROM (SELECT unnest(from_json($2::JSON, '[{"trace_id":"VARCHAR","kept":"BOOLEAN","reason":"VARCHAR","start_us":"BIGINT","end_us":"BIGINT","decided_us":"BIGINT"}]'), recursive := true)) r`,
        [projectId, JSON.stringify(decisions.map(decisionRow))],
      ),
    );
  }

  async deferVacuum(deferred: boolean): Promise<void> {
    // A checkpoint schedules at most `max_vacuum_tasks` vacuums (DuckDB's default is 100).
    await this.duckdb.on(deferred ? 'put off vacuuming' : 'vacuum again', (c) =>
      c.run(deferred ? 'SET GLOBAL max_vacuum_tasks = 0' : 'RESET GLOBAL max_vacuum_tasks'),
    );
  }

  async reclaim(): Promise<void> {
    // A checkpoint vacuums only tables it writes, so what was put off waits for one: one now
    // (FORCE waits for the transactions running, where a plain one would fail).
    await this.duckdb.on('vacuum what was put off', (c) => c.run('FORCE CHECKPOINT'));
  }

  protected readonly spanStats: SpanStatsLayout = {
    columns: [...SPAN_STATS.map((c) => c.name), 'commit_seq'],
    commitColumn: 'commit_seq',
    slimAttributes: SLIM_ATTRIBUTES,
    deleteTarget: (table) => table,
    insertSettings: '',
  };

  /**
   * The move in one transaction: the spans are in one table or the other, never both or neither,
   * and the first move makes the facts views read `span_stats` in it. The scores of those traces
   * lose their spans' facts in it too: a moved span keeps no id unless it is an LLM call.
   */
  protected async runMove(statements: readonly MoveStatement[], projectId: string, ids: (p: Params) => string): Promise<void> {
    const p = this.duckdb.dialect.params();
    const clear = clearFactsOfTraces(p.add(projectId), ids(p));
    await this.duckdb.on('move sampled-out spans to span_stats', (c) =>
      inTransaction(c, async () => {
        if (!this.factsReadStats) await c.run(factsViews(true));
        await c.run(clear, p.values);
        for (const s of statements) await c.run(s.sql, (s.params as DuckDbParams).values);
      }),
    );
    this.factsReadStats = true;
    this.moved();
  }

  protected async deleteLogsWhere(projectId: string, ids: (p: DuckDbParams) => string): Promise<void> {
    const p = this.duckdb.dialect.params();
    await this.duckdb.on('delete the logs of sampled-out traces', (c) =>
      c.run(`DELETE FROM logs WHERE project_id = ${p.add(projectId)} AND trace_id IN ${ids(p)}`, p.values),
    );
  }
}

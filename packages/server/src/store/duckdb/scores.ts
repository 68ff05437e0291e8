import type { DuckDBConnection } from '@duckdb/node-api';
import type { ScoreRecord } from '@spoor/model';
import { SqlScoreStore } from '../sql/score-store.js';
import { scoreColumns } from '../tables.js';
import type { OnConnection } from './alerts.js';
import { appendBatch } from './chunks.js';
import type { DuckDbSql } from './dialect.js';
import { storedFacts, withFacts } from './score-facts.js';

/**
 * Scores in the `scores` table, appended on a connection of their own (not a writer's open
 * transaction), one batch after another (`lane`): before a batch is appended, each slot it
 * writes again (one stored before, or twice in the batch) goes into `replaced_scores`, so the
 * reads that rank a slot's rows rank those slots only (`score-compare.ts`). In turn, so that two
 * batches writing one slot at once cannot both find it new. A slot marked whose row then failed
 * to append is ranked for nothing; a slot written again and not marked would count twice. Each
 * row gets its span's facts as the spans hold them now (`score-facts.ts`).
 */
export class DuckDbScoreStore extends SqlScoreStore {
  constructor(
    duckdb: DuckDbSql,
    private readonly lane: OnConnection,
  ) {
    super(duckdb);
  }

  protected async append(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void> {
    await this.lane('store scores', async (connection) => {
      await markReplaced(connection, scores);
      // A deletion is never read but to hide its slot: its span's facts would be read for nothing.
      const facts = deleted ? new Map() : await storedFacts(connection, scores);
      const appender = await connection.createAppender('scores');
      try {
        const columns = withFacts(
          scoreColumns(scores, writtenUs, deleted),
          scores.map((s) => s.traceId),
          scores.map((s) => s.spanId),
          facts,
        );
        appendBatch(appender, columns);
      } finally {
        appender.closeSync();
      }
    });
  }
}

/** Records in `replaced_scores` the slots of `scores` that have a row already or come twice. */
async function markReplaced(connection: DuckDBConnection, scores: readonly ScoreRecord[]): Promise<void> {
  const byProject = new Map<string, string[]>();
  for (const s of scores) {
    const ids = byProject.get(s.projectId);
    if (ids === undefined) byProject.set(s.projectId, [s.scoreId]);
    else ids.push(s.scoreId);
  }
  for (const [projectId, ids] of byProject) {
    const seen = new Set<string>();
    const twice = ids.filter((id) => seen.has(id) || (seen.add(id), false));
    const list = `(SELECT unnest(from_json($2::JSON, '["VARCHAR"]')))`;
    await connection.run(
      `INSERT OR IGNORE INTO replaced_scores
       SELECT DISTINCT project_id, score_id FROM scores WHERE project_id = $1 AND score_id IN ${list}
       UNION SELECT $1, unnest(from_json($3::JSON, '["VARCHAR"]'))`,
      [projectId, JSON.stringify([...seen]), JSON.stringify(twice)],
    );
  }
}

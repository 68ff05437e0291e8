import type { DuckDBConnection } from '@duckdb/node-api';
import type { ScoreRecord } from '@spoor/model';
import type { TargetFound } from '../ports/scores.js';
import { SqlScoreStore } from '../sql/score-store.js';
import { scoreColumns } from '../tables.js';
import type { OnConnection } from './alerts.js';
import { appendBatch } from './chunks.js';
import type { DuckDbSql } from './dialect.js';
import { type SpanFacts, factsKey, spanForms, storedFacts, withFacts } from './score-facts.js';

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

  /**
   * The spans `findTarget` found lately, with their facts (`null`: stored in more than one form),
   * by project and `trace/span`: a score sent through the API is checked for its span, then
   * written, and its write takes the facts the check read instead of reading them again. Taken
   * once; a few at most (a check whose score is then refused leaves its span here until the next
   * clear).
   */
  private readonly found = new Map<string, SpanFacts | null>();

  override async findTarget(projectId: string, traceId: string, spanId: string | null): Promise<TargetFound> {
    if (spanId === null) return super.findTarget(projectId, traceId, spanId);
    const forms = await this.lane('find a scored span', (connection) => spanForms(connection, [{ projectId, traceId, spanId }]));
    const k = factsKey(traceId, spanId);
    // Not found: the generic check tells a trace the project lacks from a span its trace lacks.
    if (!forms.has(k)) return super.findTarget(projectId, traceId, spanId);
    if (this.found.size >= FOUND_KEPT) this.found.clear();
    this.found.set(`${projectId}/${k}`, forms.get(k) ?? null);
    return 'found';
  }

  protected async append(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void> {
    await this.lane('store scores', async (connection) => {
      await markReplaced(connection, scores);
      // A deletion is never read but to hide its slot: its span's facts would be read for nothing.
      const facts = deleted ? new Map<string, SpanFacts>() : (this.takeFound(scores) ?? (await storedFacts(connection, scores)));
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

  /** The facts of every span `scores` name, when `findTarget` found them all; `null` when any must be read. */
  private takeFound(scores: readonly ScoreRecord[]): Map<string, SpanFacts> | null {
    const facts = new Map<string, SpanFacts>();
    for (const s of scores) {
      if (s.traceId === null || s.spanId === null) continue;
      const k = factsKey(s.traceId, s.spanId);
      const f = this.found.get(`${s.projectId}/${k}`);
      if (f === undefined) return null;
      if (f !== null) facts.set(k, f);
    }
    for (const s of scores) if (s.traceId !== null && s.spanId !== null) this.found.delete(`${s.projectId}/${factsKey(s.traceId, s.spanId)}`);
    return facts;
  }
}

/** How many spans `findTarget` keeps found for the writes that follow it. */
const FOUND_KEPT = 256;

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

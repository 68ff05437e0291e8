import type { ScoreRecord } from '@spoor/model';
import { SqlScoreStore } from '../sql/score-store.js';
import { scoreColumns } from '../tables.js';
import { appendBatch } from './chunks.js';
import type { DuckDbSql } from './dialect.js';

/** Scores in the `scores` table, appended on a connection of their own (not a writer's open transaction). */
export class DuckDbScoreStore extends SqlScoreStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb);
  }

  protected async append(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void> {
    await this.duckdb.on('store scores', async (connection) => {
      const appender = await connection.createAppender('scores');
      try {
        appendBatch(appender, scoreColumns(scores, writtenUs, deleted));
      } finally {
        appender.closeSync();
      }
    });
  }
}

import type { ScoreRecord } from '@spoor/model';
import { SqlScoreStore } from '../sql/score-store.js';
import { scoreColumns } from '../tables.js';
import type { ClickHouseSql } from './dialect.js';
import { nativeBlocks, nativeColumns } from './native.js';

/**
 * Scores in the `scores` table. Rows added here, outside a write batch, carry `batch_id` 0: no
 * commit owns them, so a commit abandoned after a crash never deletes them.
 */
export class ClickHouseScoreStore extends SqlScoreStore {
  constructor(private readonly clickhouse: ClickHouseSql) {
    super(clickhouse);
  }

  protected async append(scores: readonly ScoreRecord[], writtenUs: number, deleted: boolean): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertNative('store scores', ch.tables.scores, nativeColumns('scores'), nativeBlocks('scores', [scoreColumns(scores, writtenUs, deleted)], '0'));
  }
}

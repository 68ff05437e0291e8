import { SqlRunningSpanStore } from '../sql/running-span-store.js';
import type { DuckDbParams, DuckDbSql } from './dialect.js';

/**
 * Running snapshots in the `running_spans` table; the sweep deletes on a connection of its own,
 * outside the writer's transaction. This process alone writes the file, so the store knows when
 * the table is empty (`SqlRunningSpanStore`): the writes tell it.
 */
export class DuckDbRunningSpanStore extends SqlRunningSpanStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb, true);
  }

  protected async deleteWhere(what: string, condition: string, params: DuckDbParams): Promise<void> {
    await this.duckdb.on(what, async (connection) => {
      await connection.run(`DELETE FROM running_spans WHERE ${condition}`, params.values);
    });
  }
}

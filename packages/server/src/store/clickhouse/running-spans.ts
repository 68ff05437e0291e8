import { SqlRunningSpanStore } from '../sql/running-span-store.js';
import type { ChParams } from './client.js';
import type { ClickHouseSql } from './dialect.js';
import { type SchemaLayout, localName, onCluster } from './schema.js';

/**
 * Running snapshots in the `running_spans` table. The sweep is a lightweight delete: the rows go
 * from reads at once and from disk at the next merge; a few rows every 30 s.
 */
export class ClickHouseRunningSpanStore extends SqlRunningSpanStore {
  constructor(
    private readonly clickhouse: ClickHouseSql,
    private readonly layout: SchemaLayout,
  ) {
    super(clickhouse);
  }

  protected async deleteWhere(what: string, condition: string, params: ChParams): Promise<void> {
    await this.clickhouse.ch.command(what, `DELETE FROM ${localName(this.layout, 'running_spans')}${onCluster(this.layout)} WHERE ${condition}`, params);
  }
}

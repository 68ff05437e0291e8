import type { DashboardRecord } from '../ports/dashboards.js';
import { SqlDashboardStore, dashboardRow } from '../sql/dashboards.js';
import type { ClickHouseSql } from './dialect.js';

/** Dashboards in their `MergeTree` table: rows are only appended. */
export class ClickHouseDashboardStore extends SqlDashboardStore {
  constructor(private readonly clickhouse: ClickHouseSql) {
    super(clickhouse);
  }

  async add(projectId: string, record: DashboardRecord): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows('save a dashboard', ch.tables.dashboards, [{ project_id: projectId, ...dashboardRow(record) }]);
  }
}

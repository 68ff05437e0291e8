import type { DashboardRecord } from '../ports/dashboards.js';
import { SqlDashboardStore } from '../sql/dashboards.js';
import type { DuckDbSql } from './dialect.js';

/** Dashboards in their table, each save one row. */
export class DuckDbDashboardStore extends SqlDashboardStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb);
  }

  async add(projectId: string, r: DashboardRecord): Promise<void> {
    await this.duckdb.on('save a dashboard', (c) =>
      c.run('INSERT INTO dashboards VALUES ($1, $2, $3, $4, $5, $6, $7)', [projectId, r.name, r.version, r.document, r.deleted, r.author ?? '', r.timeUs]),
    );
  }
}

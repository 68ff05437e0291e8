import type { DashboardRecord, DashboardStore } from '../ports/dashboards.js';
import { type Row, num } from '../record-rows.js';
import type { SqlEngine } from './dialect.js';

/** Dashboards' reads for every engine, and the row they are written as; an engine gives only how a row is appended. */

const COLUMNS = 'name, version, document, deleted, author, time_us';

export function dashboardRow(r: DashboardRecord): Record<string, unknown> {
  return { name: r.name, version: r.version, document: r.document, deleted: r.deleted, author: r.author ?? '', time_us: r.timeUs };
}

function recordOf(row: Row): DashboardRecord {
  const author = row.get('author') as string;
  return {
    name: row.get('name') as string,
    version: num(row.get('version')),
    document: row.get('document') as string,
    deleted: row.get('deleted') === true || row.get('deleted') === 1,
    author: author === '' ? null : author,
    timeUs: num(row.get('time_us')),
  };
}

export abstract class SqlDashboardStore implements DashboardStore {
  constructor(protected readonly sql: SqlEngine) {}

  abstract add(projectId: string, record: DashboardRecord): Promise<void>;

  rowsOf(projectId: string, name: string): Promise<DashboardRecord[]> {
    const d = this.sql.dialect;
    const p = d.params();
    return this.sql.rows(
      'read a dashboard',
      `SELECT ${COLUMNS} FROM ${d.tables.dashboards} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} ORDER BY time_us, version`,
      p,
      recordOf,
    );
  }

  newest(projectId: string): Promise<DashboardRecord[]> {
    const d = this.sql.dialect;
    const p = d.params();
    return this.sql.rows(
      'list dashboards',
      `SELECT ${COLUMNS} FROM (
         SELECT ${COLUMNS}, row_number() OVER (PARTITION BY name ORDER BY time_us DESC, version DESC) AS newest_first
         FROM ${d.tables.dashboards} WHERE project_id = ${p.add(projectId)}
       ) AS ranked WHERE newest_first = 1 ORDER BY name`,
      p,
      recordOf,
    );
  }

  allRows(projectId: string): Promise<DashboardRecord[]> {
    const d = this.sql.dialect;
    const p = d.params();
    return this.sql.rows(
      'read dashboards',
      `SELECT ${COLUMNS} FROM ${d.tables.dashboards} WHERE project_id = ${p.add(projectId)} ORDER BY name, time_us, version`,
      p,
      recordOf,
    );
  }
}

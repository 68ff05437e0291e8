import type { TimeRange } from '@spoor/model';
import { num } from '../record-rows.js';
import type { AuditRecord } from '../store.js';
import type { SqlEngine } from './dialect.js';
import { timeFilters } from './filters.js';

/** A page of a project's audit records in the range, newest first. */
export function listAudit(db: SqlEngine, projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]> {
  const d = db.dialect;
  const p = d.params();
  const where = [`project_id = ${p.add(projectId)}`, ...timeFilters(p, 'time_us', range)];
  return db.rows(
    'list the audit log',
    `SELECT time_us, project_id, key_id, action, target, detail FROM ${d.tables.audit_log}
     WHERE ${where.join(' AND ')} ORDER BY time_us DESC, action, target LIMIT ${p.count(limit)} OFFSET ${p.count(offset)}`,
    p,
    (row) => ({
      timeUs: num(row.get('time_us')),
      projectId: row.get('project_id') as string,
      keyId: row.get('key_id') as string,
      action: row.get('action') as string,
      target: row.get('target') as string,
      detail: (row.get('detail') as string | null) ?? null,
    }),
  );
}

import { randomBytes } from 'node:crypto';
import type { TimeRange } from '@spoor/model';
import { type KeyRecord, isRole } from '../../auth/keys.js';
import type { ProjectPolicies, ProjectPolicyRecord } from '../ports/access.js';
import type { AccessStore, AuditRecord } from '../store.js';
import type { OnConnection } from './alerts.js';
import { listAudit } from '../sql/audit.js';
import type { DuckDbSql } from './dialect.js';
import type { KeptLists } from './kept-lists.js';
import { mapRows, num, numOrNull, columnsOf } from './read.js';

/** Keys, the audit log and the session secret, in their own small tables; the keys as last read until this store writes them (`KeptLists`). */
export class DuckDbAccessStore implements AccessStore {
  private readonly on: OnConnection;

  /** `write`: the keys' writes, one at a time (`WriteLanes`): two revocations of one key at once conflict in DuckDB. */
  constructor(
    private readonly sql: DuckDbSql,
    private readonly kept: KeptLists,
    private readonly write: OnConnection = sql.on,
  ) {
    this.on = sql.on;
  }

  listKeys(): Promise<KeyRecord[]> {
    return this.kept.read('api_keys', '', () => this.readKeys());
  }

  private readKeys(): Promise<KeyRecord[]> {
    return this.on('list keys', async (c) => {
      const columns = await columnsOf(c, 'SELECT * FROM api_keys ORDER BY created_us, id', []);
      return mapRows(columns, (row) => {
        const role = row.get('role');
        if (!isRole(role)) throw new Error(`key ${String(row.get('id'))} has an unknown role '${String(role)}'`);
        return {
          id: row.get('id') as string,
          projectId: row.get('project_id') as string,
          role,
          name: row.get('name') as string,
          hash: row.get('hash') as string,
          createdUs: num(row.get('created_us')),
          createdBy: row.get('created_by') as string,
          revokedUs: numOrNull(row.get('revoked_us')),
        };
      });
    });
  }

  async putKey(record: KeyRecord): Promise<void> {
    await this.kept.write('api_keys', () =>
      this.write('save a key', (c) =>
        c.run('INSERT INTO api_keys VALUES ($1, $2, $3, $4, $5, $6::BIGINT, $7, $8::BIGINT)', [
          record.id,
          record.projectId,
          record.role,
          record.name,
          record.hash,
          record.createdUs,
          record.createdBy,
          record.revokedUs,
        ]),
      ),
    );
  }

  revokeKey(id: string, nowUs: number): Promise<boolean> {
    return this.kept.write('api_keys', () =>
      this.write('revoke a key', async (c) => {
        const result = await c.run('UPDATE api_keys SET revoked_us = $2::BIGINT WHERE id = $1 AND revoked_us IS NULL', [id, nowUs]);
        return Number(result.rowsChanged) > 0;
      }),
    );
  }

  sessionSecret(): Promise<string> {
    return this.on('read the session secret', async (c) => {
      // Two servers starting at once may both insert: the first wins and both read it back.
      await c.run(`INSERT INTO spoor_meta VALUES ('session_secret', $1) ON CONFLICT (key) DO NOTHING`, [randomBytes(32).toString('hex')]);
      const columns = await columnsOf(c, `SELECT value FROM spoor_meta WHERE key = 'session_secret'`, []);
      return columns.value![0] as string;
    });
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.on('record an audit entry', (c) =>
      c.run('INSERT INTO audit_log VALUES ($1::BIGINT, $2, $3, $4, $5, $6)', [
        record.timeUs,
        record.projectId,
        record.keyId,
        record.action,
        record.target,
        record.detail,
      ]),
    );
  }

  listAudit(projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]> {
    return listAudit(this.sql, projectId, range, offset, limit);
  }
}

/**
 * The policies of one kind set through the API (`masking_policies`, `sampling_policies`), one per
 * project; the list as last read until this store writes the table (`KeptLists`).
 */
export class DuckDbProjectPolicies implements ProjectPolicies {
  /** `write`: the table's writes, one at a time (`WriteLanes`): two upserts of one project's policy at once conflict in DuckDB. */
  constructor(
    private readonly on: OnConnection,
    private readonly write: OnConnection,
    private readonly table: 'masking_policies' | 'sampling_policies',
    /** What the policies are, as errors name them: `masking`, `sampling`. */
    private readonly kind: string,
    private readonly kept: KeptLists,
  ) {}

  listPolicies(): Promise<ProjectPolicyRecord[]> {
    return this.kept.read(this.table, '', () =>
      this.on(`list ${this.kind} policies`, async (c) => {
        const columns = await columnsOf(c, `SELECT project_id, policy, updated_us FROM ${this.table} ORDER BY project_id`, []);
        return mapRows(columns, (row) => ({
          projectId: row.get('project_id') as string,
          policy: row.get('policy') as string,
          updatedUs: num(row.get('updated_us')),
        }));
      }),
    );
  }

  async putPolicy(projectId: string, policy: string, nowUs: number): Promise<void> {
    await this.kept.write(this.table, () =>
      this.write(`save a ${this.kind} policy`, (c) =>
        c.run(
          `INSERT INTO ${this.table} VALUES ($1, $2, $3::BIGINT)
           ON CONFLICT (project_id) DO UPDATE SET policy = excluded.policy, updated_us = excluded.updated_us`,
          [projectId, policy, nowUs],
        ),
      ),
    );
  }

  deletePolicy(projectId: string): Promise<boolean> {
    return this.kept.write(this.table, () =>
      this.write(
        `delete a ${this.kind} policy`,
        async (c) => Number((await c.run(`DELETE FROM ${this.table} WHERE project_id = $1`, [projectId])).rowsChanged) > 0,
      ),
    );
  }
}

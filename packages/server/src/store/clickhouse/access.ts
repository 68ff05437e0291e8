import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TimeRange } from '@spoor/model';
import { type KeyRecord, isRole } from '../../auth/keys.js';
import type { ProjectPolicies, ProjectPolicyRecord } from '../ports/access.js';
import { type AccessStore, type AuditRecord, StoreError } from '../store.js';
import { listAudit } from '../sql/audit.js';
import type { ChClient } from './client.js';
import type { ClickHouseSql } from './dialect.js';
import { nextVersion } from './small-tables.js';
import { InTurn } from '../../in-turn.js';

interface KeyRow {
  id: string;
  project_id: string;
  role: string;
  name: string;
  hash: string;
  created_us: number;
  created_by: string;
  revoked_us: number | null;
  version: number;
}

const KEY_COLUMNS = 'id, project_id, role, name, hash, created_us, created_by, revoked_us, version';

function keyFromRow(row: KeyRow): KeyRecord {
  if (!isRole(row.role)) throw new StoreError(`key ${row.id} has an unknown role '${row.role}'`);
  return {
    id: row.id,
    projectId: row.project_id,
    role: row.role,
    name: row.name,
    hash: row.hash,
    createdUs: row.created_us,
    createdBy: row.created_by,
    revokedUs: row.revoked_us,
  };
}

/**
 * The session secret's candidates are `spoor_meta` rows under one key, each with a version made
 * from the database's clock at its insert, inverted: `2^44 - milliseconds`, shifted left 20 bits,
 * plus 20 random bits (two candidates of one millisecond still differ). So the earliest candidate
 * has the highest version, and it is the secret: the highest version is what `argMax` reads and
 * also the row `ReplacingMergeTree` keeps when it merges the candidates away, so the answer never
 * changes once chosen. (Reading the lowest version of plain timestamps would be undone by a merge,
 * which keeps the highest.)
 *
 * The clock is the database's, not each server's: servers' clocks may disagree by more than the
 * moments of two starts. One race remains: a candidate stamped earlier may become visible after a
 * later one was read (its insert took longer). A candidate is therefore trusted only once it is
 * `SECRET_SETTLE_MS` old by the database's clock; by then any earlier one's insert has finished
 * (it takes milliseconds), and every server reads the same winner. Only the first start on a new
 * database waits.
 */
const SECRET_KEY = 'session_secret';
const SECRET_SETTLE_MS = 1000;
const SECRET_VERSION = `bitShiftLeft(toUInt64(17592186044416 - toUnixTimestamp64Milli(now64(3))), 20) + rand() % 1048576`;

/** Keys, the audit log and the session secret. */
export class ClickHouseAccessStore implements AccessStore {
  private readonly ch: ChClient;
  /** A key's revocations one at a time: each reads the one before it, so one of several at once revokes. */
  private readonly revoking = new InTurn();

  constructor(private readonly sql: ClickHouseSql) {
    this.ch = sql.ch;
  }

  async listKeys(): Promise<KeyRecord[]> {
    const rows = await this.ch.rows<KeyRow>('list keys', `SELECT ${KEY_COLUMNS} FROM ${this.ch.tables.api_keys} FINAL ORDER BY created_us, id`);
    return rows.map(keyFromRow);
  }

  async putKey(record: KeyRecord): Promise<void> {
    // DuckDB refuses a second key with an id (its primary key); a new version would replace it here.
    if ((await this.latestKey(record.id)) !== null) throw new StoreError(`cannot save a key: a key with id ${record.id} exists`);
    await this.insertKey(record, nextVersion());
  }

  revokeKey(id: string, nowUs: number): Promise<boolean> {
    return this.revoking.run(id, async () => {
      const latest = await this.latestKey(id);
      if (latest === null || latest.revoked_us !== null) return false;
      await this.insertKey({ ...keyFromRow(latest), revokedUs: nowUs }, nextVersion(latest.version));
      return true;
    });
  }

  async sessionSecret(): Promise<string> {
    let found = await this.readSecret();
    if (found === null) {
      await this.ch.command(
        'make the session secret',
        `INSERT INTO ${this.ch.tables.spoor_meta} (key, value, version) SETTINGS insert_distributed_sync = 1
         SELECT {key:String}, {value:String}, ${SECRET_VERSION}`,
        { key: SECRET_KEY, value: randomBytes(32).toString('hex') },
      );
      found = await this.readSecret();
    }
    if (found !== null && found.age_ms < SECRET_SETTLE_MS) {
      await sleep(Math.min(SECRET_SETTLE_MS, SECRET_SETTLE_MS - found.age_ms));
      found = await this.readSecret();
    }
    if (found === null) throw new StoreError('the session secret was written and cannot be read back');
    return found.value;
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await this.ch.insertRows('record an audit entry', this.ch.tables.audit_log, [
      { time_us: record.timeUs, project_id: record.projectId, key_id: record.keyId, action: record.action, target: record.target, detail: record.detail },
    ]);
  }

  listAudit(projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]> {
    return listAudit(this.sql, projectId, range, offset, limit);
  }

  /** The winning candidate (see `SECRET_VERSION`) and its age by the database's clock; `null` when there is none. */
  private async readSecret(): Promise<{ value: string; age_ms: number } | null> {
    const row = await this.ch.row<{ n: number; secret: string; age_ms: number }>(
      'read the session secret',
      `SELECT count() AS n, argMax(value, version) AS secret,
         toUnixTimestamp64Milli(now64(3)) - (17592186044416 - toInt64(bitShiftRight(max(version), 20))) AS age_ms
       FROM ${this.ch.tables.spoor_meta} WHERE key = {key:String}`,
      { key: SECRET_KEY },
    );
    return row === null || row.n === 0 ? null : { value: row.secret, age_ms: row.age_ms };
  }

  private latestKey(id: string): Promise<KeyRow | null> {
    return this.ch.row<KeyRow>('read a key', `SELECT ${KEY_COLUMNS} FROM ${this.ch.tables.api_keys} WHERE id = {id:String} ORDER BY version DESC LIMIT 1`, {
      id,
    });
  }

  private async insertKey(record: KeyRecord, version: number): Promise<void> {
    await this.ch.insertRows('save a key', this.ch.tables.api_keys, [
      {
        id: record.id,
        project_id: record.projectId,
        role: record.role,
        name: record.name,
        hash: record.hash,
        created_us: record.createdUs,
        created_by: record.createdBy,
        revoked_us: record.revokedUs,
        version,
      },
    ]);
  }
}

/**
 * The policies of one kind set through the API (`masking_policies`, `sampling_policies`), one per
 * project: a change is a row with a higher version, a removal a row marked deleted.
 */
export class ClickHouseProjectPolicies implements ProjectPolicies {
  constructor(
    private readonly ch: ChClient,
    private readonly table: 'masking_policies' | 'sampling_policies',
    /** What the policies are, as errors name them: `masking`, `sampling`. */
    private readonly kind: string,
  ) {}

  async listPolicies(): Promise<ProjectPolicyRecord[]> {
    const rows = await this.ch.rows<{ project_id: string; policy: string; updated_us: number }>(
      `list ${this.kind} policies`,
      `SELECT project_id, policy, updated_us FROM ${this.ch.tables[this.table]} FINAL WHERE deleted = 0 ORDER BY project_id`,
    );
    return rows.map((r) => ({ projectId: r.project_id, policy: r.policy, updatedUs: Number(r.updated_us) }));
  }

  async putPolicy(projectId: string, policy: string, nowUs: number): Promise<void> {
    const latest = await this.latest(projectId);
    await this.ch.insertRows(`save a ${this.kind} policy`, this.ch.tables[this.table], [
      { project_id: projectId, policy, updated_us: nowUs, version: nextVersion(latest?.version), deleted: 0 },
    ]);
  }

  async deletePolicy(projectId: string): Promise<boolean> {
    const latest = await this.latest(projectId);
    if (latest === null || Number(latest.deleted) !== 0) return false;
    await this.ch.insertRows(`delete a ${this.kind} policy`, this.ch.tables[this.table], [
      { project_id: projectId, policy: '', updated_us: 0, version: nextVersion(latest.version), deleted: 1 },
    ]);
    return true;
  }

  /** The project's newest version, deleted or not. */
  private latest(projectId: string): Promise<{ version: number; deleted: number } | null> {
    return this.ch.row(
      `read a ${this.kind} policy`,
      `SELECT version, deleted FROM ${this.ch.tables[this.table]} WHERE project_id = {project:String} ORDER BY version DESC LIMIT 1`,
      { project: projectId },
    );
  }
}

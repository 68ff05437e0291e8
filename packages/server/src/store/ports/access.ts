import type { TimeRange } from '@spoor/model';
import type { AuditRecord, KeyRecord } from '../../auth/keys.js';

export type { AuditRecord } from '../../auth/keys.js';

/** Who may do what, and who did what: keys (hashed), the audit log, the secret session cookies are signed with. */
export interface AccessStore {
  /** Every key of every project, revoked ones too. Small: it is read whole and cached by each server. */
  listKeys(): Promise<KeyRecord[]>;
  putKey(record: KeyRecord): Promise<void>;
  /** Marks a key revoked; `false` when there is no such key or it already was. */
  revokeKey(id: string, nowUs: number): Promise<boolean>;
  /** A random secret shared by every server of this store, made on first use. */
  sessionSecret(): Promise<string>;
  appendAudit(record: AuditRecord): Promise<void>;
  /** A project's audit records in the range, newest first. */
  listAudit(projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]>;
}

/** A project's policy set through the API (masking, sampling): JSON text, checked by its service, not by the store. */
export interface ProjectPolicyRecord {
  projectId: string;
  policy: string;
  updatedUs: number;
}

/** Policies of one kind set through the API, one per project at most. */
export interface ProjectPolicies {
  /** Every project's, read whole at start (few and small). */
  listPolicies(): Promise<ProjectPolicyRecord[]>;
  putPolicy(projectId: string, policy: string, nowUs: number): Promise<void>;
  /** `false` when the project had none. */
  deletePolicy(projectId: string): Promise<boolean>;
}

/** A project's masking policy set through the API (checked by `ingest/masking.ts`). */
export type MaskingPolicyRecord = ProjectPolicyRecord;

/** Masking policies set through the API, one per project at most. */
export type MaskingStore = ProjectPolicies;

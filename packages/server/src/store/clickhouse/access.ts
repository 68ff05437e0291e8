import type { TimeRange } from '@spoor/model';
import type { KeyRecord } from '../../auth/keys.js';
import type { AccessStore, AuditRecord, MaskingPolicyRecord, MaskingStore } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Keys, the audit log and the session secret. */
export class ClickHouseAccessStore implements AccessStore {
  constructor(private readonly ch: ChClient) {}

  listKeys(): Promise<KeyRecord[]> {
    return notYet('listKeys', this.ch);
  }

  putKey(record: KeyRecord): Promise<void> {
    return notYet('putKey', this.ch, record);
  }

  revokeKey(id: string, nowUs: number): Promise<boolean> {
    return notYet('revokeKey', this.ch, id, nowUs);
  }

  sessionSecret(): Promise<string> {
    return notYet('sessionSecret', this.ch);
  }

  appendAudit(record: AuditRecord): Promise<void> {
    return notYet('appendAudit', this.ch, record);
  }

  listAudit(projectId: string, range: TimeRange, offset: number, limit: number): Promise<AuditRecord[]> {
    return notYet('listAudit', this.ch, projectId, range, offset, limit);
  }
}

/** Masking policies set through the API, one per project at most. */
export class ClickHouseMaskingStore implements MaskingStore {
  constructor(private readonly ch: ChClient) {}

  listPolicies(): Promise<MaskingPolicyRecord[]> {
    return notYet('listPolicies', this.ch);
  }

  putPolicy(projectId: string, policy: string, nowUs: number): Promise<void> {
    return notYet('putPolicy', this.ch, projectId, policy, nowUs);
  }

  deletePolicy(projectId: string): Promise<boolean> {
    return notYet('deletePolicy', this.ch, projectId);
  }
}

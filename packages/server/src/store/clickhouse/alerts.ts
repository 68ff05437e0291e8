import type { TimeRange } from '@spoor/model';
import type { AlertHistoryRecord, AlertRuleRecord, AlertStore, SilenceRecord } from '../store.js';
import { type ChClient, notYet } from './client.js';

/** Alert rules, the engine's state, its history and silences. */
export class ClickHouseAlertStore implements AlertStore {
  constructor(private readonly ch: ChClient) {}

  listRules(projectId: string): Promise<AlertRuleRecord[]> {
    return notYet('listRules', this.ch, projectId);
  }

  putRule(projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'> {
    return notYet('putRule', this.ch, projectId, name, spec, nowUs);
  }

  deleteRule(projectId: string, name: string): Promise<boolean> {
    return notYet('deleteRule', this.ch, projectId, name);
  }

  readState(projectId: string): Promise<string | null> {
    return notYet('readState', this.ch, projectId);
  }

  saveState(projectId: string, state: string, history: readonly AlertHistoryRecord[], nowUs: number): Promise<void> {
    return notYet('saveState', this.ch, projectId, state, history, nowUs);
  }

  listHistory(projectId: string, range: TimeRange, rule: string | null, offset: number, limit: number): Promise<AlertHistoryRecord[]> {
    return notYet('listHistory', this.ch, projectId, range, rule, offset, limit);
  }

  listSilences(projectId: string, endedAfterUs: number): Promise<SilenceRecord[]> {
    return notYet('listSilences', this.ch, projectId, endedAfterUs);
  }

  putSilence(projectId: string, silence: SilenceRecord): Promise<void> {
    return notYet('putSilence', this.ch, projectId, silence);
  }
}

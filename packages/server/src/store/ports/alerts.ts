import type { AlertHistoryEntry, AlertSeverity, LabelMatcher, TimeRange } from '@spoor/model';

/** A rule as stored: its spec as JSON text (checked by `alerting/`, not by the store). */
export interface AlertRuleRecord {
  name: string;
  spec: string;
  createdUs: number;
  updatedUs: number;
}

export interface AlertHistoryRecord {
  timeUs: number;
  rule: string;
  labels: Record<string, string>;
  kind: AlertHistoryEntry['kind'];
  severity: AlertSeverity;
  value: number | null;
  receiver: string | null;
  detail: string | null;
}

export interface SilenceRecord {
  id: string;
  matchers: LabelMatcher[];
  startsUs: number;
  endsUs: number;
  createdBy: string;
  comment: string;
}

/** What the alert engine keeps: rules made through the API, its memory, its history, silences. */
export interface AlertStore {
  /** By name. */
  listRules(projectId: string): Promise<AlertRuleRecord[]>;
  putRule(projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'>;
  deleteRule(projectId: string, name: string): Promise<boolean>;
  /**
   * Seeds a project's default rules, once: records the project as seeded and saves each rule
   * whose name no rule of the project has (a rule of that name, made before or since, is left as
   * it is, and a seeded rule edited or deleted since stays so).
   * Whether this call seeded; `false` once the project was seeded, by this server or another
   * sharing the store (of two seeding at the same moment on ClickHouse, both may say `true`, and
   * the rules are saved once). Seeding no rules only records the project as seeded.
   */
  seedRules(projectId: string, rules: ReadonlyArray<Pick<AlertRuleRecord, 'name' | 'spec'>>, nowUs: number): Promise<boolean>;
  /** Whether the project's default rules were seeded. */
  rulesSeeded(projectId: string): Promise<boolean>;
  /** The engine's memory as the last `saveState` left it, or `null`. */
  readState(projectId: string): Promise<string | null>;
  /** Replaces the memory and appends history in one transaction: a restart sees both or neither. */
  saveState(projectId: string, state: string, history: readonly AlertHistoryRecord[], nowUs: number): Promise<void>;
  /** Newest first. */
  listHistory(projectId: string, range: TimeRange, rule: string | null, offset: number, limit: number): Promise<AlertHistoryRecord[]>;
  /** Silences ending after `endedAfterUs`, by start. */
  listSilences(projectId: string, endedAfterUs: number): Promise<SilenceRecord[]>;
  /** Adds or replaces (by id): expiring a silence is saving it with an end of now. Retention drops it. */
  putSilence(projectId: string, silence: SilenceRecord): Promise<void>;
}

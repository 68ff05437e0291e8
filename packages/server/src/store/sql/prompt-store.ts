import type { PromptEventRecord, PromptStore, PromptVersionRecord } from '../ports/prompts.js';
import type { SqlEngine } from './dialect.js';
import * as sql from './prompts.js';

/** The prompt port over the queries written once: an engine gives only how rows are appended. */
export abstract class SqlPromptStore implements PromptStore {
  constructor(protected readonly sql: SqlEngine) {}

  abstract addVersion(projectId: string, record: PromptVersionRecord): Promise<void>;
  abstract addEvent(projectId: string, event: PromptEventRecord): Promise<void>;

  listVersions(projectId: string, name: string, sinceUs: number): Promise<PromptVersionRecord[]> {
    return sql.listVersions(this.sql, projectId, name, sinceUs);
  }

  listEvents(projectId: string, name: string): Promise<PromptEventRecord[]> {
    return sql.listEvents(this.sql, projectId, name);
  }

  allRows(projectId: string): Promise<{ versions: PromptVersionRecord[]; events: PromptEventRecord[] }> {
    return sql.allRows(this.sql, projectId);
  }
}

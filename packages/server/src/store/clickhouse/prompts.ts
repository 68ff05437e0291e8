import type { PromptEventRecord, PromptVersionRecord } from '../ports/prompts.js';
import { SqlPromptStore } from '../sql/prompt-store.js';
import { eventRow, versionRow } from '../sql/prompts.js';
import type { ClickHouseSql } from './dialect.js';

/** Prompts in their two `MergeTree` tables: rows are only appended. */
export class ClickHousePromptStore extends SqlPromptStore {
  constructor(private readonly clickhouse: ClickHouseSql) {
    super(clickhouse);
  }

  async addVersion(projectId: string, record: PromptVersionRecord): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows('save a prompt version', ch.tables.prompt_versions, [{ project_id: projectId, ...versionRow(record) }]);
  }

  async addEvent(projectId: string, event: PromptEventRecord): Promise<void> {
    const ch = this.clickhouse.ch;
    await ch.insertRows('move a prompt label', ch.tables.prompt_events, [{ project_id: projectId, ...eventRow(event) }]);
  }
}

import type { PromptEventRecord, PromptVersionRecord } from '../ports/prompts.js';
import { SqlPromptStore } from '../sql/prompt-store.js';
import type { DuckDbSql } from './dialect.js';

/** Prompts in their two tables, each write one row. */
export class DuckDbPromptStore extends SqlPromptStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb);
  }

  async addVersion(projectId: string, v: PromptVersionRecord): Promise<void> {
    await this.duckdb.on('save a prompt version', (c) =>
      c.run('INSERT INTO prompt_versions VALUES ($1, $2, $3, $4, $5, $6)', [projectId, v.name, v.version, v.body, v.createdBy, v.createdUs]),
    );
  }

  async addEvent(projectId: string, e: PromptEventRecord): Promise<void> {
    await this.duckdb.on('move a prompt label', (c) =>
      c.run('INSERT INTO prompt_events VALUES ($1, $2, $3, $4, $5, $6, $7)', [projectId, e.name, e.kind, e.label, e.split, e.actor, e.timeUs]),
    );
  }
}

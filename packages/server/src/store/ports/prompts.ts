/** A version of a prompt as stored: its body (kind, template, config, message) as JSON text, checked by `prompts/`. */
export interface PromptVersionRecord {
  name: string;
  version: number;
  body: string;
  createdBy: string;
  createdUs: number;
}

/** A label set or moved (`move`, its split as JSON text), or the prompt deleted (`delete`, label and split ''). */
export interface PromptEventRecord {
  name: string;
  kind: 'move' | 'delete';
  label: string;
  split: string;
  actor: string;
  timeUs: number;
}

/**
 * Prompts, append-only: each version a row never rewritten, and each label move or deletion an
 * event. A prompt is what follows its last deletion; its labels are its newest moves. The version
 * numbers and event times are decided by `prompts/`, one call of a prompt at a time.
 */
export interface PromptStore {
  addVersion(projectId: string, record: PromptVersionRecord): Promise<void>;
  /** The prompt's versions created at or after `sinceUs`, by version. */
  listVersions(projectId: string, name: string, sinceUs: number): Promise<PromptVersionRecord[]>;
  addEvent(projectId: string, event: PromptEventRecord): Promise<void>;
  /** The prompt's events, deletions included, in time order. */
  listEvents(projectId: string, name: string): Promise<PromptEventRecord[]>;
  /** Every row of the project's prompts, each table in the order written (the list, and `spoor migrate`). */
  allRows(projectId: string): Promise<{ versions: PromptVersionRecord[]; events: PromptEventRecord[] }>;
}

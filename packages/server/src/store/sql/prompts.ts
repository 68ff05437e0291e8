import type { PromptEventRecord, PromptVersionRecord } from '../ports/prompts.js';
import { type Row, num } from '../record-rows.js';
import type { SqlEngine } from './dialect.js';

/**
 * Prompts' reads for every engine, and the rows they are written as. Both tables are appended:
 * versions by number, events in time order (the service spaces a prompt's events so none tie).
 */

const VERSION_COLUMNS = 'name, version, body, created_by, created_us';
const EVENT_COLUMNS = 'name, kind, label, split, actor, time_us';

export function versionRow(v: PromptVersionRecord): Record<string, unknown> {
  return { name: v.name, version: v.version, body: v.body, created_by: v.createdBy, created_us: v.createdUs };
}

export function eventRow(e: PromptEventRecord): Record<string, unknown> {
  return { name: e.name, kind: e.kind, label: e.label, split: e.split, actor: e.actor, time_us: e.timeUs };
}

function versionOf(row: Row): PromptVersionRecord {
  return {
    name: row.get('name') as string,
    version: num(row.get('version')),
    body: row.get('body') as string,
    createdBy: row.get('created_by') as string,
    createdUs: num(row.get('created_us')),
  };
}

function eventOf(row: Row): PromptEventRecord {
  return {
    name: row.get('name') as string,
    kind: row.get('kind') as PromptEventRecord['kind'],
    label: row.get('label') as string,
    split: row.get('split') as string,
    actor: row.get('actor') as string,
    timeUs: num(row.get('time_us')),
  };
}

export function listVersions(db: SqlEngine, projectId: string, name: string, sinceUs: number): Promise<PromptVersionRecord[]> {
  const d = db.dialect;
  const p = d.params();
  return db.rows(
    'list prompt versions',
    `SELECT ${VERSION_COLUMNS} FROM ${d.tables.prompt_versions}
     WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} AND created_us >= ${p.int(sinceUs)} ORDER BY version, created_us`,
    p,
    versionOf,
  );
}

export function listEvents(db: SqlEngine, projectId: string, name: string): Promise<PromptEventRecord[]> {
  const d = db.dialect;
  const p = d.params();
  return db.rows(
    'list prompt label moves',
    `SELECT ${EVENT_COLUMNS} FROM ${d.tables.prompt_events} WHERE project_id = ${p.add(projectId)} AND name = ${p.add(name)} ORDER BY time_us, label`,
    p,
    eventOf,
  );
}

export async function allRows(db: SqlEngine, projectId: string): Promise<{ versions: PromptVersionRecord[]; events: PromptEventRecord[] }> {
  const d = db.dialect;
  const read = <T>(what: string, columns: string, table: string, order: string, convert: (row: Row) => T): Promise<T[]> => {
    const p = d.params();
    return db.rows(what, `SELECT ${columns} FROM ${table} WHERE project_id = ${p.add(projectId)} ORDER BY ${order}`, p, convert);
  };
  return {
    versions: await read('read prompt versions', VERSION_COLUMNS, d.tables.prompt_versions, 'name, created_us, version', versionOf),
    events: await read('read prompt label moves', EVENT_COLUMNS, d.tables.prompt_events, 'name, time_us, label', eventOf),
  };
}

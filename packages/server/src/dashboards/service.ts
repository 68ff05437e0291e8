import type { Dashboard, DashboardDocument, DashboardSummary, DashboardVersion } from '@spoor/model';
import { AppError } from '../errors.js';
import { InTurn } from '../in-turn.js';
import type { DashboardRecord, DashboardStore } from '../store/ports/dashboards.js';
import { READY_DASHBOARDS } from './ready.js';

/**
 * Dashboards on the database thread: saved (each save the next version, never rewritten), read,
 * listed, deleted. Every change of one dashboard runs in turn (`InTurn`), reading its rows and
 * appending what it decided, so two saves sent at once get two numbers, and a save that expected
 * another version than the newest is refused (409) rather than lost. A dashboard is its rows
 * since its last deletion; a ready one (`ready.ts`) stands for its name until one is saved.
 */

const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

/** A ready dashboard's version: none saved. */
const READY_VERSION = 0;

function saved(rows: readonly DashboardRecord[]): DashboardRecord[] {
  const lastDeletion = rows.findLastIndex((r) => r.deleted);
  return rows.slice(lastDeletion + 1);
}

function answerOf(record: DashboardRecord): Dashboard {
  return {
    ...(JSON.parse(record.document) as DashboardDocument),
    version: record.version,
    ready: false,
    updatedAt: iso(record.timeUs),
    updatedBy: record.author,
  };
}

function readyAnswer(doc: DashboardDocument): Dashboard {
  return { ...doc, version: READY_VERSION, ready: true, updatedAt: iso(0), updatedBy: null };
}

export class DashboardService {
  private readonly turns = new InTurn();

  constructor(private readonly store: { readonly dashboards: DashboardStore }) {}

  /** The saved dashboards, then the ready ones no saved one replaced, by name. */
  async list(projectId: string): Promise<DashboardSummary[]> {
    const newest = (await this.store.dashboards.newest(projectId)).filter((r) => !r.deleted);
    const names = new Set(newest.map((r) => r.name));
    const all = [...newest.map(answerOf), ...[...READY_DASHBOARDS.values()].filter((d) => !names.has(d.name)).map(readyAnswer)];
    return all
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((d) => ({
        name: d.name,
        title: d.title,
        ...(d.description === undefined ? {} : { description: d.description }),
        ready: d.ready,
        version: d.version,
        panels: d.panels.length,
        updatedAt: d.updatedAt,
      }));
  }

  /** The newest version, or `version`; a ready dashboard when none is saved of its name; 404 else. */
  async get(projectId: string, name: string, version: number | null): Promise<Dashboard> {
    const rows = saved(await this.store.dashboards.rowsOf(projectId, name));
    if (rows.length === 0) {
      const ready = READY_DASHBOARDS.get(name);
      if (ready !== undefined && (version === null || version === READY_VERSION)) return readyAnswer(ready);
      throw new AppError('ERR_NOT_FOUND', `dashboard ${name} was not found`);
    }
    const row = version === null ? rows.at(-1)! : rows.find((r) => r.version === version);
    if (row === undefined) throw new AppError('ERR_NOT_FOUND', `dashboard ${name} has no version ${version} (its newest is ${rows.at(-1)!.version})`);
    return answerOf(row);
  }

  /** Every saved version, newest first; none for a ready dashboard. */
  async versions(projectId: string, name: string): Promise<DashboardVersion[]> {
    const rows = saved(await this.store.dashboards.rowsOf(projectId, name));
    if (rows.length === 0 && !READY_DASHBOARDS.has(name)) throw new AppError('ERR_NOT_FOUND', `dashboard ${name} was not found`);
    return rows.reverse().map((r) => ({ version: r.version, createdAt: iso(r.timeUs), author: r.author }));
  }

  /**
   * Saves `doc` as the next version. `expectedVersion`: the version the editor started from (0 for
   * a new or ready dashboard); another newest version since refuses the save (409), so an edit is
   * never lost under another's.
   */
  save(projectId: string, doc: DashboardDocument, expectedVersion: number | null, author: string | null, nowUs: number): Promise<Dashboard> {
    return this.turns.run(`${projectId}\0${doc.name}`, async () => {
      const rows = await this.store.dashboards.rowsOf(projectId, doc.name);
      const current = saved(rows).at(-1)?.version ?? 0;
      if (expectedVersion !== null && expectedVersion !== current) {
        throw new AppError(
          'ERR_CONFLICT',
          `dashboard ${doc.name} is at version ${current}, not ${expectedVersion}: someone saved it since it was read; reload it and apply the changes again`,
        );
      }
      const record: DashboardRecord = {
        name: doc.name,
        version: current + 1,
        document: JSON.stringify(doc),
        deleted: false,
        author,
        timeUs: Math.max(nowUs, (rows.at(-1)?.timeUs ?? 0) + 1),
      };
      await this.store.dashboards.add(projectId, record);
      return answerOf(record);
    });
  }

  /** Deletes a saved dashboard: its versions are no longer read (a ready one of its name comes back); the name starts again at 1. */
  delete(projectId: string, name: string, author: string | null, nowUs: number): Promise<void> {
    return this.turns.run(`${projectId}\0${name}`, async () => {
      const rows = await this.store.dashboards.rowsOf(projectId, name);
      if (saved(rows).length === 0) {
        throw READY_DASHBOARDS.has(name)
          ? new AppError('ERR_CONFLICT', `dashboard ${name} is one Spoor ships: save a copy under another name to change it`)
          : new AppError('ERR_NOT_FOUND', `dashboard ${name} was not found`);
      }
      const timeUs = Math.max(nowUs, rows.at(-1)!.timeUs + 1);
      await this.store.dashboards.add(projectId, { name, version: 0, document: '', deleted: true, author, timeUs });
    });
  }
}

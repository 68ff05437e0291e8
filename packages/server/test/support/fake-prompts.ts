import type { PromptEventRecord, PromptStore, PromptVersionRecord } from '../../src/store/ports/prompts.js';

type Owned<T> = T & { projectId: string };

const strip = <T extends { projectId: string }>({ projectId: _, ...rest }: T): Omit<T, 'projectId'> => rest;

/** Prompts in memory, read as the engines read them (`store/sql/prompts.ts`). */
export class FakePromptStore implements PromptStore {
  readonly versions: Owned<PromptVersionRecord>[] = [];
  readonly events: Owned<PromptEventRecord>[] = [];

  addVersion(projectId: string, record: PromptVersionRecord): Promise<void> {
    this.versions.push({ ...record, projectId });
    return Promise.resolve();
  }

  listVersions(projectId: string, name: string, sinceUs: number): Promise<PromptVersionRecord[]> {
    return Promise.resolve(
      this.versions
        .filter((v) => v.projectId === projectId && v.name === name && v.createdUs >= sinceUs)
        .map(strip)
        .sort((a, b) => a.version - b.version || a.createdUs - b.createdUs),
    );
  }

  addEvent(projectId: string, event: PromptEventRecord): Promise<void> {
    this.events.push({ ...event, projectId });
    return Promise.resolve();
  }

  listEvents(projectId: string, name: string): Promise<PromptEventRecord[]> {
    return Promise.resolve(
      this.events
        .filter((e) => e.projectId === projectId && e.name === name)
        .map(strip)
        .sort((a, b) => a.timeUs - b.timeUs || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)),
    );
  }

  allRows(projectId: string): Promise<{ versions: PromptVersionRecord[]; events: PromptEventRecord[] }> {
    const byName =
      <T extends { name: string }>(key: (r: T) => number) =>
      (a: T, b: T) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : key(a) - key(b);
    return Promise.resolve({
      versions: this.versions
        .filter((v) => v.projectId === projectId)
        .map(strip)
        .sort(byName((v) => v.createdUs * 1000 + v.version)),
      events: this.events
        .filter((e) => e.projectId === projectId)
        .map(strip)
        .sort(byName((e) => e.timeUs)),
    });
  }
}

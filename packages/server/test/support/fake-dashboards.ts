import type { DashboardRecord, DashboardStore } from '../../src/store/ports/dashboards.js';

/** Dashboards in memory, read as the engines read them (`store/sql/dashboards.ts`). */
export class FakeDashboardStore implements DashboardStore {
  readonly rows: Array<DashboardRecord & { projectId: string }> = [];

  add(projectId: string, record: DashboardRecord): Promise<void> {
    this.rows.push({ ...record, projectId });
    return Promise.resolve();
  }

  rowsOf(projectId: string, name: string): Promise<DashboardRecord[]> {
    return Promise.resolve(this.of(projectId).filter((r) => r.name === name));
  }

  newest(projectId: string): Promise<DashboardRecord[]> {
    const newest = new Map<string, DashboardRecord>();
    for (const r of this.of(projectId)) newest.set(r.name, r);
    return Promise.resolve([...newest.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }

  allRows(projectId: string): Promise<DashboardRecord[]> {
    return Promise.resolve(this.of(projectId).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.timeUs - b.timeUs || a.version - b.version));
  }

  /** The project's rows without their project, by time then version. */
  private of(projectId: string): DashboardRecord[] {
    return this.rows
      .filter((r) => r.projectId === projectId)
      .map(({ projectId: _, ...r }) => r)
      .sort((a, b) => a.timeUs - b.timeUs || a.version - b.version);
  }
}

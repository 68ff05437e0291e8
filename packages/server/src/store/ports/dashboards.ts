/** A saved version of a dashboard (its document as JSON text), or its deletion (`deleted`, document ''). */
export interface DashboardRecord {
  name: string;
  version: number;
  document: string;
  deleted: boolean;
  author: string | null;
  timeUs: number;
}

/**
 * Dashboards, append-only: each save a row never rewritten, a deletion a row marked deleted. A
 * dashboard is its rows since its last deletion; the version numbers are decided by `dashboards/`,
 * one change of a dashboard at a time.
 */
export interface DashboardStore {
  add(projectId: string, record: DashboardRecord): Promise<void>;
  /** A dashboard's rows, deletions included, oldest first. */
  rowsOf(projectId: string, name: string): Promise<DashboardRecord[]>;
  /** Each dashboard's newest row (a deletion included), by name. */
  newest(projectId: string): Promise<DashboardRecord[]>;
  /** Every row of the project's dashboards, in the order written (`spoor migrate`). */
  allRows(projectId: string): Promise<DashboardRecord[]>;
}

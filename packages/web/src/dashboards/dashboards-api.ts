import { apiGet, apiSend, apiUrl } from '../api';
import type { DashboardDoc, StoredDashboard } from './document';

/** The dashboards' REST routes (`/api/dashboards`), as the page calls them. */

export interface DashboardSummary {
  name: string;
  title: string;
  description?: string;
  ready?: boolean;
  version?: number;
  updatedAt?: string;
  panels?: number;
}

export interface DashboardVersion {
  version: number;
  savedAt?: string;
  createdAt?: string;
  author?: string | null;
}

type Listed = { dashboards?: DashboardSummary[] } | DashboardSummary[];

export const listUrl = '/api/dashboards';

export function dashboardsOf(answer: Listed | undefined): DashboardSummary[] | undefined {
  if (answer === undefined) return undefined;
  return Array.isArray(answer) ? answer : (answer.dashboards ?? []);
}

export const dashboardUrl = (name: string, version: string | null = null): string => apiUrl(`/api/dashboards/${encodeURIComponent(name)}`, { version });

export const versionsUrl = (name: string): string => `/api/dashboards/${encodeURIComponent(name)}/versions`;

type Got = StoredDashboard | { dashboard: DashboardDoc; version?: number; ready?: boolean; updatedAt?: string };

/** The GET's answer as one object: the document with its version. */
export function storedOf(answer: Got): StoredDashboard {
  if ('dashboard' in answer && typeof answer.dashboard === 'object') {
    const { dashboard, ...meta } = answer;
    return { ...dashboard, ...meta };
  }
  return answer as StoredDashboard;
}

export function versionsOf(answer: { versions?: DashboardVersion[] } | DashboardVersion[] | undefined): DashboardVersion[] | undefined {
  if (answer === undefined) return undefined;
  return Array.isArray(answer) ? answer : (answer.versions ?? []);
}

/** Saves a new version; `expectedVersion` refuses it (409) when someone saved another since. */
export async function saveDashboard(doc: DashboardDoc, expectedVersion: number | null): Promise<StoredDashboard> {
  const path = apiUrl(`/api/dashboards/${encodeURIComponent(doc.name)}`, { expectedVersion });
  return storedOf(await apiSend<Got>('PUT', path, doc));
}

export const deleteDashboard = (name: string): Promise<void> => apiSend('DELETE', `/api/dashboards/${encodeURIComponent(name)}`);

export const fetchDashboard = async (name: string): Promise<StoredDashboard> => storedOf(await apiGet<Got>(dashboardUrl(name)));

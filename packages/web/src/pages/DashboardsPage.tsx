import { DashboardList } from '../dashboards/DashboardList';
import { DashboardView } from '../dashboards/DashboardView';
import '../dashboards/dashboards.css';

/** `/dashboards`: the list; `/dashboards/:name`: one dashboard, its variables and range in the URL. */
export function DashboardsPage({ name, search }: { name: string | null; search: URLSearchParams }) {
  return name === null ? <DashboardList search={search} /> : <DashboardView name={name} search={search} />;
}

import type { Store } from '../store/store.js';
import { callGroup } from '../threads/groups.js';
import { DashboardService } from './service.js';

/** Dashboards' calls on the database thread (`db.dashboards.save(…)`): one service per thread, so each dashboard's changes run in turn there. */
export const dashboardCalls = callGroup(({ store }: { store: Pick<Store, 'dashboards'> }) => {
  const dashboards = new DashboardService(store);
  return {
    list: dashboards.list.bind(dashboards),
    get: dashboards.get.bind(dashboards),
    versions: dashboards.versions.bind(dashboards),
    save: dashboards.save.bind(dashboards),
    delete: dashboards.delete.bind(dashboards),
  };
});

import { describe, expect, it } from 'vitest';
import { dashboardUrl, dashboardsOf, storedOf, versionsOf, versionsUrl } from './dashboards-api';

const doc = { name: 'llm-cost', title: 'LLM cost', variables: [], panels: [] };

describe("the dashboards API's answers as the page reads them", () => {
  it('reads a list as an array or under `dashboards`', () => {
    expect(dashboardsOf([{ name: 'a', title: 'A' }])).toEqual([{ name: 'a', title: 'A' }]);
    expect(dashboardsOf({ dashboards: [{ name: 'a', title: 'A', ready: true }] })).toEqual([{ name: 'a', title: 'A', ready: true }]);
    expect(dashboardsOf(undefined)).toBeUndefined();
  });

  it('reads a dashboard flat or wrapped with its version', () => {
    expect(storedOf({ ...doc, version: 3 })).toEqual({ ...doc, version: 3 });
    expect(storedOf({ dashboard: doc, version: 3, ready: false })).toEqual({ ...doc, version: 3, ready: false });
  });

  it('reads versions as an array or under `versions`', () => {
    expect(versionsOf({ versions: [{ version: 1 }] })).toEqual([{ version: 1 }]);
    expect(versionsOf([{ version: 2 }])).toEqual([{ version: 2 }]);
  });

  it('addresses a dashboard, an older version and the versions, escaping the name', () => {
    expect(dashboardUrl('llm-cost')).toBe('/api/dashboards/llm-cost');
    expect(dashboardUrl('llm-cost', '2')).toBe('/api/dashboards/llm-cost?version=2');
    expect(versionsUrl('a/b')).toBe('/api/dashboards/a%2Fb/versions');
  });
});

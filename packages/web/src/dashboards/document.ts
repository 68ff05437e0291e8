/**
 * A dashboard as the API stores it (`/api/dashboards`): a named, versioned JSON document of
 * panels on a 12-column grid, each panel one or more expressions of the alert language, and
 * variables that fill the expressions' label matchers. Import reads a file into this shape
 * before the server validates it fully on save.
 */

export const PANEL_KINDS = ['timeseries', 'stat', 'table', 'bars'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];

export const UNITS = ['', 'usd', 'ms', 'percent', 'tokens', 'count'] as const;
export type Unit = (typeof UNITS)[number];

export interface GridPlace {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelQuery {
  expr: string;
  /** `{{model}}` is replaced by the series' label. */
  legend?: string;
}

export interface Panel {
  id: string;
  title: string;
  kind: PanelKind;
  grid: GridPlace;
  queries: PanelQuery[];
  unit?: Unit;
}

export interface Variable {
  name: string;
  /** The alert language's label whose values the picker offers. */
  label: string;
  default?: string;
}

export interface DashboardDoc {
  name: string;
  title: string;
  description?: string;
  variables: Variable[];
  panels: Panel[];
}

/** A dashboard as the list and the GET answer it: the document and what the store knows of it. */
export interface StoredDashboard extends DashboardDoc {
  version?: number;
  ready?: boolean;
  updatedAt?: string;
}

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The document of an imported file, or the first thing wrong with it, naming its path
 * (`panels[2].grid.w`); the server checks the expressions when it is saved.
 */
export function readDashboard(value: unknown): { doc: DashboardDoc } | { error: string } {
  if (!isObject(value)) return { error: 'the file is not a JSON object' };
  if (typeof value['name'] !== 'string' || !NAME_PATTERN.test(value['name'])) return { error: 'name: expected lower-case letters, digits and dashes' };
  if (typeof value['title'] !== 'string') return { error: 'title: expected a string' };
  const variables = value['variables'] ?? [];
  if (!Array.isArray(variables)) return { error: 'variables: expected an array' };
  for (const [i, v] of variables.entries()) {
    if (!isObject(v) || typeof v['name'] !== 'string' || typeof v['label'] !== 'string') return { error: `variables[${i}]: expected a name and a label` };
  }
  if (!Array.isArray(value['panels'])) return { error: 'panels: expected an array' };
  for (const [i, p] of value['panels'].entries()) {
    const at = `panels[${i}]`;
    if (!isObject(p)) return { error: `${at}: expected an object` };
    if (typeof p['id'] !== 'string' || p['id'] === '') return { error: `${at}.id: expected a string` };
    if (!PANEL_KINDS.includes(p['kind'] as PanelKind)) return { error: `${at}.kind: expected one of ${PANEL_KINDS.join(', ')}` };
    const grid = p['grid'];
    if (!isObject(grid)) return { error: `${at}.grid: expected { x, y, w, h }` };
    for (const key of ['x', 'y', 'w', 'h']) {
      if (!Number.isInteger(grid[key])) return { error: `${at}.grid.${key}: expected a whole number` };
    }
    if (!Array.isArray(p['queries']) || p['queries'].length === 0) return { error: `${at}.queries: expected at least one query` };
    for (const [j, q] of p['queries'].entries()) {
      if (!isObject(q) || typeof q['expr'] !== 'string') return { error: `${at}.queries[${j}].expr: expected a string` };
    }
  }
  return { doc: value as unknown as DashboardDoc };
}

/** The document alone, without what the store adds: what export writes and save sends. */
export function documentOf(stored: StoredDashboard): DashboardDoc {
  const { name, title, description, variables, panels } = stored;
  return { name, title, ...(description === undefined ? {} : { description }), variables, panels };
}

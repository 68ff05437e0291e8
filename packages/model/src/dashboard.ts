/**
 * Dashboards: a named, versioned JSON document of panels on a 12-column grid, each panel one or
 * more expressions of the alert language drawn as a time series, a single number, a table or bars
 * by label; variables fill the expressions' label matchers from pickers (`$name` in an
 * expression, `.*` when a picker says All), and `$__interval` is the page's step.
 */

export const DASHBOARD_PANEL_KINDS = ['timeseries', 'stat', 'table', 'bars'] as const;
export type DashboardPanelKind = (typeof DASHBOARD_PANEL_KINDS)[number];
export const DASHBOARD_UNITS = ['', 'usd', 'ms', 'percent', 'tokens', 'count'] as const;
export type DashboardUnit = (typeof DASHBOARD_UNITS)[number];
/** A dashboard's name: its id in the project and its URL. */
export const DASHBOARD_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Columns of the grid panels are placed on. */
export const DASHBOARD_COLUMNS = 12;

export interface DashboardVariable {
  /** `$name` in an expression. */
  name: string;
  /** The alert language's label whose values the picker offers. */
  label: string;
  /** The picked value when none is given; '' (All) by default. */
  default?: string;
}

export interface DashboardQuery {
  expr: string;
  /** A series' name on the chart: `{{model}}` is its `model` label. */
  legend?: string;
}

export interface DashboardPanel {
  id: string;
  title: string;
  kind: DashboardPanelKind;
  grid: { x: number; y: number; w: number; h: number };
  queries: DashboardQuery[];
  unit?: DashboardUnit;
}

/** The document a user writes, exports and imports. */
export interface DashboardDocument {
  name: string;
  title: string;
  description?: string;
  variables: DashboardVariable[];
  panels: DashboardPanel[];
}

/** A dashboard as the API answers it: the document, its version, who saved it and when; `ready` for one Spoor ships. */
export interface Dashboard extends DashboardDocument {
  version: number;
  ready: boolean;
  updatedAt: string;
  updatedBy: string | null;
}

/** A dashboard in the list. */
export interface DashboardSummary {
  name: string;
  title: string;
  description?: string;
  ready: boolean;
  version: number;
  panels: number;
  updatedAt: string;
}

/** One saved version of a dashboard. */
export interface DashboardVersion {
  version: number;
  createdAt: string;
  author: string | null;
}

/** A variable in an expression: `$name` or `${name}`. */
const VARIABLE_USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
// Only the characters that are special outside a class: `\-` or `\/` would be refused under the `u` flag.
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** `expr` with each `$name`/`${name}` replaced by `fill(name)`; a name it gives `undefined` for stays as written. */
export function replaceDashboardVariables(expr: string, fill: (name: string) => string | undefined): string {
  return expr.replace(VARIABLE_USE, (whole, braced?: string, bare?: string) => fill(braced ?? bare ?? '') ?? whole);
}

/**
 * A picked value as it goes into a matcher's quoted string: escaped for a regular expression (a
 * picker gives a value, not a pattern: `gpt-4.1` is `gpt-4\.1`), then for the string it sits in;
 * All (`''`) is `.*`, so `service=~"$service"` matches every service.
 */
export function pickedValue(picked: string): string {
  if (picked === '') return '.*';
  return picked.replace(REGEX_SPECIAL, '\\$&').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'");
}

/** `$__interval` in the language's units: whole seconds, at least one. */
export function intervalText(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}

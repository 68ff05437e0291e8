import {
  DASHBOARD_COLUMNS,
  DASHBOARD_NAME,
  DASHBOARD_PANEL_KINDS,
  DASHBOARD_UNITS,
  type DashboardDocument,
  type DashboardPanel,
  type DashboardVariable,
  replaceDashboardVariables,
} from '@spoor/model';
import { ExprError, parseExpr } from '../alerting/expr/parser.js';
import { AppError } from '../errors.js';

/**
 * A dashboard document as sent to `PUT /api/dashboards/:name` (or imported), checked whole: every
 * problem is a 400 naming its path (`panels[2].queries[0].expr`), an expression's with the alert
 * language's own message and column, as a rule's. Variables are `$name`, `$__interval` the step.
 */

const FIELDS = ['name', 'title', 'description', 'variables', 'panels'];
const PANEL_FIELDS = ['id', 'title', 'kind', 'grid', 'queries', 'unit'];
const MAX_PANELS = 60;
const MAX_QUERIES = 10;
const MAX_TEXT = 4096;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const bad = (message: string): AppError => new AppError('ERR_BAD_REQUEST', message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(value: unknown, at: string, { max = MAX_TEXT, optional = false } = {}): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.length > max) throw bad(`${at}: a string of at most ${max} characters`);
  return value;
}

function extraField(value: Record<string, unknown>, fields: readonly string[], at: string): void {
  const extra = Object.keys(value).find((k) => !fields.includes(k));
  if (extra !== undefined) throw bad(`${at}${extra}: not a field (${fields.join(', ')})`);
}

/**
 * An expression as the server evaluates it once the page filled it: each variable `$name` by a
 * value (`.*`, All, at save), `$__interval` by the step (`1m` at save). Refused when it names a
 * variable the dashboard lacks.
 */
export function filledExpression(expr: string, values: Readonly<Record<string, string>>, interval: string, at: string): string {
  return replaceDashboardVariables(expr, (name) => {
    if (name === '__interval') return interval;
    const value = values[name];
    if (value === undefined) throw bad(`${at}: $${name} is not a variable of the dashboard`);
    return value;
  });
}

function checkVariables(value: unknown): DashboardVariable[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 20) throw bad('variables: a list of at most 20 variables');
  const seen = new Set<string>();
  return value.map((v, i) => {
    const at = `variables[${i}]`;
    if (!isObject(v)) throw bad(`${at}: an object { name, label, default? }`);
    extraField(v, ['name', 'label', 'default'], `${at}.`);
    if (typeof v.name !== 'string' || !VARIABLE_NAME.test(v.name) || v.name.startsWith('__'))
      throw bad(`${at}.name: letters, digits and _, not starting with a digit or __`);
    if (seen.has(v.name)) throw bad(`${at}.name: ${v.name} is given twice`);
    seen.add(v.name);
    const label = text(v.label, `${at}.label`, { max: 200 })!;
    if (label === '') throw bad(`${at}.label: the label whose values the picker offers`);
    const fallback = text(v.default, `${at}.default`, { max: 1000, optional: true });
    return { name: v.name, label, ...(fallback === undefined ? {} : { default: fallback }) };
  });
}

function checkGrid(value: unknown, at: string): DashboardPanel['grid'] {
  if (!isObject(value)) throw bad(`${at}: { x, y, w, h } on a ${DASHBOARD_COLUMNS}-column grid`);
  extraField(value, ['x', 'y', 'w', 'h'], `${at}.`);
  const whole = (key: 'x' | 'y' | 'w' | 'h', min: number, max: number): number => {
    const n = value[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw bad(`${at}.${key}: a whole number from ${min} to ${max}`);
    return n;
  };
  const grid = { x: whole('x', 0, DASHBOARD_COLUMNS - 1), y: whole('y', 0, 1000), w: whole('w', 1, DASHBOARD_COLUMNS), h: whole('h', 1, 50) };
  if (grid.x + grid.w > DASHBOARD_COLUMNS) throw bad(`${at}: x + w is ${grid.x + grid.w}, past the grid's ${DASHBOARD_COLUMNS} columns`);
  return grid;
}

function checkPanel(value: unknown, i: number, variables: Readonly<Record<string, string>>): DashboardPanel {
  const at = `panels[${i}]`;
  if (!isObject(value)) throw bad(`${at}: an object { id, title, kind, grid, queries, unit? }`);
  extraField(value, PANEL_FIELDS, `${at}.`);
  const id = text(value.id, `${at}.id`, { max: 64 })!;
  if (id === '') throw bad(`${at}.id: a name for the panel, unique in the dashboard`);
  const title = text(value.title, `${at}.title`, { max: 200 })!;
  if (!DASHBOARD_PANEL_KINDS.includes(value.kind as never)) throw bad(`${at}.kind: one of ${DASHBOARD_PANEL_KINDS.join(', ')}`);
  if (value.unit !== undefined && !DASHBOARD_UNITS.includes(value.unit as never))
    throw bad(`${at}.unit: one of ${DASHBOARD_UNITS.map((u) => (u === '' ? "''" : u)).join(', ')}`);
  if (!Array.isArray(value.queries) || value.queries.length === 0 || value.queries.length > MAX_QUERIES)
    throw bad(`${at}.queries: a list of 1 to ${MAX_QUERIES} queries { expr, legend? }`);
  const queries = value.queries.map((q, k) => {
    const where = `${at}.queries[${k}]`;
    if (!isObject(q)) throw bad(`${where}: an object { expr, legend? }`);
    extraField(q, ['expr', 'legend'], `${where}.`);
    const expr = text(q.expr, `${where}.expr`)!;
    try {
      parseExpr(filledExpression(expr, variables, '1m', `${where}.expr`));
    } catch (error) {
      if (error instanceof ExprError) throw bad(`${where}.expr: ${error.message} (column ${error.column})`);
      throw error;
    }
    const legend = text(q.legend, `${where}.legend`, { max: 200, optional: true });
    return { expr, ...(legend === undefined ? {} : { legend }) };
  });
  return {
    id,
    title,
    kind: value.kind as DashboardPanel['kind'],
    grid: checkGrid(value.grid, `${at}.grid`),
    queries,
    ...(value.unit === undefined ? {} : { unit: value.unit as DashboardPanel['unit'] }),
  };
}

/** The document sent for `name` (the path's), checked whole. */
export function checkDocument(body: unknown, name: string): DashboardDocument {
  if (!isObject(body)) throw bad('the body must be a dashboard: an object with a name, a title and panels');
  extraField(body, FIELDS, '');
  if (!DASHBOARD_NAME.test(name)) throw bad('name: 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit');
  if (body.name !== undefined && body.name !== name) throw bad(`name: ${String(body.name)} is not the name in the path (${name})`);
  const title = text(body.title, 'title', { max: 200 })!;
  const description = text(body.description, 'description', { optional: true });
  const variables = checkVariables(body.variables);
  if (!Array.isArray(body.panels) || body.panels.length > MAX_PANELS) throw bad(`panels: a list of at most ${MAX_PANELS} panels`);
  const all = Object.fromEntries(variables.map((v) => [v.name, '.*']));
  const panels = body.panels.map((p, i) => checkPanel(p, i, all));
  const ids = new Set<string>();
  for (const [i, p] of panels.entries()) {
    if (ids.has(p.id)) throw bad(`panels[${i}].id: ${p.id} is given twice`);
    ids.add(p.id);
  }
  return { name, title, ...(description === undefined ? {} : { description }), variables, panels };
}

export function checkDashboardName(name: string): string {
  if (!DASHBOARD_NAME.test(name)) throw bad('name: 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit');
  return name;
}

export interface PreviewRequest {
  queries: Array<{ expr: string; legend?: string }>;
  variables: Record<string, string>;
  startS: number;
  endS: number;
  stepS: number;
}

/** `POST /api/dashboards/preview`'s body: `{ queries, variables?, start, end, step }`, times in Unix seconds, step in seconds. */
export function checkPreview(body: unknown): PreviewRequest {
  if (!isObject(body)) throw bad('the body must be { queries: [{ expr, legend? }], variables?: { name: value }, start, end, step }');
  extraField(body, ['queries', 'variables', 'start', 'end', 'step'], '');
  if (!Array.isArray(body.queries) || body.queries.length === 0 || body.queries.length > MAX_QUERIES)
    throw bad(`queries: a list of 1 to ${MAX_QUERIES} queries { expr, legend? }`);
  const queries = body.queries.map((q, k) => {
    if (!isObject(q)) throw bad(`queries[${k}]: an object { expr, legend? }`);
    extraField(q, ['expr', 'legend'], `queries[${k}].`);
    const legend = text(q.legend, `queries[${k}].legend`, { max: 200, optional: true });
    return { expr: text(q.expr, `queries[${k}].expr`)!, ...(legend === undefined ? {} : { legend }) };
  });
  const variables: Record<string, string> = {};
  if (body.variables !== undefined) {
    if (!isObject(body.variables)) throw bad('variables: an object of picked values { name: value }');
    for (const [name, value] of Object.entries(body.variables)) variables[name] = text(value, `variables.${name}`, { max: 1000 })!;
  }
  const seconds = (key: 'start' | 'end' | 'step'): number => {
    const n = body[key];
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw bad(`${key}: a number of seconds${key === 'step' ? '' : ' since 1970'}`);
    return n;
  };
  const request = { queries, variables, startS: seconds('start'), endS: seconds('end'), stepS: seconds('step') };
  if (request.stepS <= 0) throw bad('step: a number of seconds above 0');
  if (request.endS < request.startS) throw bad('end: not before start');
  return request;
}

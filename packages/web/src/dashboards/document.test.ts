import { describe, expect, it } from 'vitest';
import { documentOf, readDashboard } from './document';

const good = {
  name: 'llm-cost',
  title: 'LLM cost',
  variables: [{ name: 'service', label: 'service', default: '' }],
  panels: [{ id: 'cost', title: 'Cost', kind: 'stat', grid: { x: 0, y: 0, w: 6, h: 4 }, queries: [{ expr: 'cost(spans)[1h]' }], unit: 'usd' }],
};

describe('reading an imported dashboard', () => {
  it('takes a whole document', () => expect(readDashboard(good)).toEqual({ doc: good }));

  it.each([
    [[], 'the file is not a JSON object'],
    [{ ...good, name: 'LLM Cost' }, 'name: expected lower-case letters, digits and dashes'],
    [{ ...good, panels: 'x' }, 'panels: expected an array'],
    [{ ...good, variables: [{ name: 'x' }] }, 'variables[0]: expected a name and a label'],
    [{ ...good, panels: [{ ...good.panels[0], kind: 'pie' }] }, 'panels[0].kind: expected one of timeseries, stat, table, bars'],
    [{ ...good, panels: [{ ...good.panels[0], grid: { x: 0, y: 0, w: 'six', h: 4 } }] }, 'panels[0].grid.w: expected a whole number'],
    [{ ...good, panels: [{ ...good.panels[0], queries: [] }] }, 'panels[0].queries: expected at least one query'],
    [{ ...good, panels: [{ ...good.panels[0], queries: [{ legend: 'x' }] }] }, 'panels[0].queries[0].expr: expected a string'],
  ])('refuses %o naming the field: %s', (value, error) => expect(readDashboard(value)).toEqual({ error }));

  it('exports the document without what the store adds', () => {
    expect(documentOf({ ...good, version: 3, ready: false, updatedAt: 'x' } as never)).toEqual(good);
  });
});

import { describe, expect, it } from 'vitest';
import type { Panel } from './document';
import { panelReadUrls } from './panel-reads';

const window = { startS: 1000, endS: 4600, stepS: 60 };
const panel = (kind: Panel['kind']): Panel => ({
  id: 'p',
  title: 'p',
  kind,
  grid: { x: 0, y: 0, w: 6, h: 4 },
  queries: [{ expr: 'cost(spans{service=~"$service"})[$__interval] by (model)' }],
});
const read = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

describe("a panel's reads", () => {
  it('reads a time series over the range at the step, the step its window', () => {
    const urls = panelReadUrls(panel('timeseries'), { service: 'a.b' }, window);
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/^\/api\/v1\/query_range\?/);
    expect(read(urls[0]!)).toEqual({ query: 'cost(spans{service=~"a\\\\.b"})[60s] by (model)', start: '1000', end: '4600', step: '60' });
  });

  it('reads a single number over the whole range, and over the range before it', () => {
    const urls = panelReadUrls(panel('stat'), { service: '' }, window);
    expect(urls.map(read)).toEqual([
      { query: 'cost(spans{service=~".*"})[3600s] by (model)', time: '4600' },
      { query: 'cost(spans{service=~".*"})[3600s] by (model)', time: '1000' },
    ]);
  });

  it('reads a table or bars once, over the whole range', () => {
    for (const kind of ['table', 'bars'] as const) {
      expect(panelReadUrls(panel(kind), { service: '' }, window).map(read)).toEqual([{ query: 'cost(spans{service=~".*"})[3600s] by (model)', time: '4600' }]);
    }
  });
});

import { memo, type ReactNode, useMemo } from 'react';
import { ErrorBox } from '../components/ErrorBox';
import { LineChart } from '../components/LineChart';
import { BarsPanel } from './BarsPanel';
import type { Panel } from './document';
import { gridStyle } from './grid';
import { chartFromMatrices, type MatrixSeries, statRows, tableRows, type VectorSample } from './panel-data';
import { panelReadUrls } from './panel-reads';
import { usePromReads } from './prom-api';
import { StatPanel } from './StatPanel';
import { TablePanel } from './TablePanel';
import { unitFormat } from './units';
import type { ReadWindow } from './url-state';

export interface DashboardPanelProps {
  panel: Panel;
  values: Readonly<Record<string, string>>;
  window: ReadWindow;
  /** The editor's buttons, when editing. */
  controls?: ReactNode;
}

/** A series with no labels and no legend: the panel's title when it has one query, else its expression. */
const unlabelledName = (panel: Panel, expr: string): string => (panel.queries.length === 1 ? panel.title : expr);

/** Pixels of one grid row. */
export const ROW_PX = 64;

/**
 * One panel in its grid cell: it reads on its own (a slow panel holds no other) and shows its own
 * error. Memoised, and its reads keyed on their URLs, so nothing but a change of its expressions,
 * the variables' values or the range reads again.
 */
export const DashboardPanel = memo(function DashboardPanel({ panel, values, window, controls }: DashboardPanelProps) {
  const urls = useMemo(() => panelReadUrls(panel, values, window), [panel, values, window]);
  const reads = usePromReads<{ result: unknown[] }>(urls);
  const format = unitFormat(panel.unit);
  const height = Math.max(80, panel.grid.h * ROW_PX - 70);
  const chart = useMemo(() => {
    if (panel.kind !== 'timeseries' || reads.data === undefined) return null;
    return chartFromMatrices(
      panel.queries.map((q, i) => ({ ...q, expr: unlabelledName(panel, q.expr), result: (reads.data![i]?.result ?? []) as MatrixSeries[] })),
      window,
    );
  }, [panel, reads.data, window]);
  const rows = useMemo(() => {
    if (panel.kind === 'timeseries' || reads.data === undefined) return [];
    const per = panel.kind === 'stat' ? 2 : 1;
    return panel.queries.map((q, i) => {
      const current = (reads.data![i * per]?.result ?? []) as VectorSample[];
      const previous = per === 2 ? ((reads.data![i * per + 1]?.result ?? []) as VectorSample[]) : [];
      return statRows(current, previous, q.legend, unlabelledName(panel, q.expr));
    });
  }, [panel, reads.data]);
  const headers = panel.queries.map((q) => q.legend || (panel.queries.length === 1 ? 'Value' : q.expr));

  let body: ReactNode;
  if (panel.kind === 'timeseries') {
    body = (
      <LineChart
        title={panel.title}
        times={chart?.times ?? []}
        series={chart?.series ?? []}
        stepMs={window.stepS * 1000}
        formatValue={format.value}
        formatTick={format.tick}
        loading={reads.loading}
        error={reads.error}
        height={height}
        controls={controls}
      />
    );
  } else {
    body = (
      <figure className={`panel dash-panel${reads.loading ? ' chart-loading' : ''}`} aria-busy={reads.loading}>
        <figcaption className="chart-title">{panel.title}</figcaption>
        {controls !== undefined && <div className="chart-controls">{controls}</div>}
        <div className="dash-panel-body" style={{ height }}>
          {reads.error !== undefined ? (
            <ErrorBox error={reads.error} />
          ) : reads.data === undefined ? (
            <div className="chart-empty">Loading…</div>
          ) : panel.kind === 'stat' ? (
            <StatPanel rows={rows.flat()} format={format} />
          ) : panel.kind === 'table' ? (
            <TablePanel table={tableRows(rows, headers)} format={format} />
          ) : (
            <BarsPanel rows={rows.flat()} format={format} />
          )}
        </div>
      </figure>
    );
  }
  return (
    <section className="dash-cell" style={gridStyle(panel.grid)} data-panel-id={panel.id} aria-label={panel.title} data-loading={reads.loading}>
      {body}
    </section>
  );
});

import { useMemo, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { ChartLegend } from '../charts/ChartLegend';
import { ChartTooltip } from '../charts/ChartTooltip';
import { chartSummary, isEmptyChart, lineChartModel, type ChartSeries } from '../charts/line-chart-model';
import { nearestIndex } from '../charts/scale';
import { useElementWidth } from '../charts/use-element-width';
import { formatTime } from '../format';
import { ErrorBox } from './ErrorBox';
import './charts.css';

export type { ChartSeries } from '../charts/line-chart-model';

export interface LineChartProps {
  /** The figure's caption and the start of the SVG's accessible name. */
  title: string;
  /** Epoch ms of each value, ascending. */
  times: readonly number[];
  series: readonly ChartSeries[];
  /** Bucket width in ms; default a minute. */
  stepMs?: number;
  /** A value as the tooltip shows it, with its unit. */
  formatValue: (value: number) => string;
  /** A y-axis label, given the tick step; default `formatValue`. */
  formatTick?: (value: number, step: number) => string;
  /** Shown beside the title: a "by" switch, say. */
  controls?: ReactNode;
  /** A line under the title: what is counted, a total. */
  note?: ReactNode;
  loading?: boolean;
  error?: Error;
  emptyText?: string;
  /** Keep 0 on the y axis when all values are positive. Default true. */
  zeroBased?: boolean;
  /** Height of the plot area in px. Default 200. */
  height?: number;
}

const isoOf = (ms: number): string => new Date(ms).toISOString();

/**
 * A time-series line chart in SVG: several series, gaps where a value is `null`, axes with
 * clock-aligned time ticks and nice y ticks, a legend that switches series off, and a tooltip
 * with a guide line that follows the pointer or the arrow keys. Paths are built once per data or
 * size change; a pointer move only moves the guide.
 */
export function LineChart(props: LineChartProps) {
  const { title, times, series, formatValue, controls, note, loading = false, error, emptyText = 'No data in this range', height = 200 } = props;
  const stepMs = props.stepMs ?? 60_000;
  const formatTick = props.formatTick ?? formatValue;
  const zeroBased = props.zeroBased ?? true;
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  // By name, so switching from "by service" to "by model" does not hide the new third line.
  const [hiddenNames, setHiddenNames] = useState<ReadonlySet<string>>(() => new Set());
  const hidden = useMemo(() => new Set(series.flatMap((s, i) => (hiddenNames.has(s.name) ? [i] : []))), [series, hiddenNames]);
  const [hover, setHover] = useState<number | null>(null);

  const empty = isEmptyChart(series);
  const model = useMemo(
    () => (empty || width === 0 ? null : lineChartModel({ times, series, hidden, width, height, stepMs, formatTick, zeroBased })),
    [empty, times, series, hidden, width, height, stepMs, formatTick, zeroBased],
  );
  const summary = useMemo(() => chartSummary(title, times, series, formatValue, (ms) => formatTime(isoOf(ms))), [title, times, series, formatValue]);

  // Rebuilt only with the model, so moving the pointer re-renders the guide, not the lines.
  const lines = useMemo(
    () =>
      model === null ? null : (
        <g className="series-layer">
          {model.lines.map((line) => (
            <g key={line.index} className={`series-${line.colour}`}>
              <path className="series" d={line.d} strokeDasharray={line.dash} />
              {line.dots.map(([x, y]) => (
                <circle key={`${x},${y}`} className="series-dot" cx={x} cy={y} r={3} />
              ))}
            </g>
          ))}
        </g>
      ),
    [model],
  );

  const index = hover !== null && hover < times.length ? hover : null;
  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (model === null) return;
    const x = event.clientX - event.currentTarget.getBoundingClientRect().left;
    setHover(nearestIndex(times, model.timeAt(x)));
  };
  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    const last = times.length - 1;
    if (event.key === 'ArrowLeft') setHover((h) => Math.max(0, (h ?? last + 1) - 1));
    else if (event.key === 'ArrowRight') setHover((h) => Math.min(last, (h ?? -1) + 1));
    else if (event.key === 'Home') setHover(0);
    else if (event.key === 'End') setHover(last);
    else if (event.key === 'Escape') setHover(null);
    else return;
    event.preventDefault();
  };
  const toggle = (i: number) => {
    const name = series[i]?.name;
    if (name === undefined) return;
    setHiddenNames((old) => {
      const next = new Set(old);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  };

  let body: ReactNode;
  if (error !== undefined) body = <ErrorBox error={error} />;
  else if (empty) body = <div className="chart-empty">{loading ? 'Loading…' : emptyText}</div>;
  else if (model !== null) {
    const { plot } = model;
    const bottom = plot.top + plot.height;
    const guide = index === null ? null : { i: index, x: model.xs[index] ?? plot.left };
    body = (
      <>
        <svg
          role="img"
          aria-label={summary}
          width={width}
          height={height}
          tabIndex={0}
          onPointerMove={onPointerMove}
          onPointerLeave={() => setHover(null)}
          onKeyDown={onKeyDown}
          onBlur={() => setHover(null)}
        >
          <g className="axis axis-y" aria-hidden="true">
            {model.yTicks.map((tick) => (
              <g key={tick.label}>
                <line className="grid" x1={plot.left} x2={plot.left + plot.width} y1={tick.y} y2={tick.y} />
                <text x={plot.left - 6} y={tick.y} dy="0.32em" textAnchor="end">
                  {tick.label}
                </text>
              </g>
            ))}
          </g>
          <g className="axis axis-x" aria-hidden="true">
            <line className="baseline" x1={plot.left} x2={plot.left + plot.width} y1={bottom} y2={bottom} />
            {model.xTicks.map((tick) => (
              <g key={tick.x}>
                <line x1={tick.x} x2={tick.x} y1={bottom} y2={bottom + 4} />
                <text x={tick.x} y={bottom + 16} textAnchor="middle">
                  {tick.label}
                </text>
              </g>
            ))}
          </g>
          {lines}
          {guide !== null && (
            <g className="guide" aria-hidden="true">
              <line x1={guide.x} x2={guide.x} y1={plot.top} y2={bottom} />
              {model.lines.map((line) => {
                const v = series[line.index]?.values[guide.i];
                if (v === null || v === undefined || !Number.isFinite(v)) return null;
                return <circle key={line.index} className={`guide-dot series-${line.colour}`} cx={guide.x} cy={model.yOf(v)} r={3.5} />;
              })}
            </g>
          )}
        </svg>
        {guide !== null && (
          <ChartTooltip
            x={guide.x}
            width={width}
            time={formatTime(isoOf(times[guide.i]!))}
            lines={model.lines}
            series={series}
            index={guide.i}
            formatValue={formatValue}
          />
        )}
      </>
    );
  }

  return (
    <figure className={`chart panel${loading ? ' chart-loading' : ''}`} aria-busy={loading}>
      <figcaption className="chart-title">{title}</figcaption>
      {controls !== undefined && <div className="chart-controls">{controls}</div>}
      {note !== undefined && <div className="chart-note">{note}</div>}
      <div className="chart-body" ref={wrapRef} style={{ height }}>
        {body}
      </div>
      {!empty && error === undefined && <ChartLegend series={series} hidden={hidden} onToggle={toggle} />}
    </figure>
  );
}

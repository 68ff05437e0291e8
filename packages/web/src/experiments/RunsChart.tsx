import { useMemo, useState } from 'react';
import type { Experiment } from '@spoor/model';
import { ChartLegend } from '../charts/ChartLegend';
import { formatTickNumber } from '../charts/axis-format';
import { useElementWidth } from '../charts/use-element-width';
import { scoreNumberText } from '../scores/score-view';
import { runChartModel, scoreSeries } from './run-chart';
import '../components/charts.css';

const HEIGHT_PX = 200;

/**
 * Each score's mean per run of a dataset's experiments, runs in the order made (`#1` first). Each
 * point names its run and mean in its tooltip; the legend switches a score's line off.
 */
export function RunsChart({ runs }: { runs: readonly Experiment[] }) {
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const [hidden, setHidden] = useState<ReadonlySet<number>>(() => new Set());
  const series = useMemo(() => scoreSeries(runs), [runs]);
  const labels = useMemo(() => runs.map((_, i) => `#${i + 1}`), [runs]);
  const model = useMemo(
    () => (series.length === 0 || width === 0 ? null : runChartModel({ series, labels, hidden, width, height: HEIGHT_PX, formatTick: formatTickNumber })),
    [series, labels, hidden, width],
  );
  const summary =
    series.length === 0
      ? 'Score means per run: no scores'
      : `Score means per run, #1 to #${runs.length}: ${series.map((s) => `${s.name} ${s.values.map((v) => (v === null ? '–' : scoreNumberText(v))).join(', ')}`).join('; ')}`;
  const toggle = (i: number) =>
    setHidden((old) => {
      const next = new Set(old);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });
  const bottom = model === null ? 0 : model.plot.top + model.plot.height;
  return (
    <figure className="chart panel runs-chart">
      <figcaption className="chart-title">Score means per run</figcaption>
      <div className="chart-body" ref={wrapRef} style={{ height: HEIGHT_PX }}>
        {series.length === 0 && <div className="chart-empty">No run has a score yet.</div>}
        {model !== null && (
          <svg role="img" aria-label={summary} width={width} height={HEIGHT_PX}>
            <g className="axis axis-y" aria-hidden="true">
              {model.yTicks.map((tick) => (
                <g key={tick.label}>
                  <line className="grid" x1={model.plot.left} x2={model.plot.left + model.plot.width} y1={tick.y} y2={tick.y} />
                  <text x={model.plot.left - 6} y={tick.y} dy="0.32em" textAnchor="end">
                    {tick.label}
                  </text>
                </g>
              ))}
            </g>
            <g className="axis axis-x" aria-hidden="true">
              <line className="baseline" x1={model.plot.left} x2={model.plot.left + model.plot.width} y1={bottom} y2={bottom} />
              {model.xTicks.map((tick) => (
                <text key={tick.x} x={tick.x} y={bottom + 16} textAnchor="middle">
                  {tick.label}
                </text>
              ))}
            </g>
            {model.lines.map((line) => (
              <g key={line.index} className={`series-${line.colour}`}>
                <path className="series" d={line.d} strokeDasharray={line.dash} />
                {line.points.map((p) => (
                  <circle key={p.run} className="series-dot" cx={p.x} cy={p.y} r={3.5}>
                    <title>{`#${p.run + 1} ${runs[p.run]?.name ?? ''}: ${line.name} ${scoreNumberText(p.value)}`}</title>
                  </circle>
                ))}
              </g>
            ))}
          </svg>
        )}
      </div>
      {series.length > 0 && <ChartLegend series={series} hidden={hidden} onToggle={toggle} />}
    </figure>
  );
}

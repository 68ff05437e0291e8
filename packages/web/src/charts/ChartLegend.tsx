import type { ChartSeries } from './line-chart-model';
import { seriesStyle } from './palette';

export interface ChartLegendProps {
  series: readonly ChartSeries[];
  hidden: ReadonlySet<number>;
  onToggle: (index: number) => void;
}

/** Series names with their colour and dash; each one a toggle that hides or shows its line. */
export function ChartLegend({ series, hidden, onToggle }: ChartLegendProps) {
  return (
    <ul className="chart-legend" aria-label="Legend">
      {series.map((s, i) => {
        const style = seriesStyle(i, series.length);
        const off = hidden.has(i);
        return (
          <li key={`${i}:${s.name}`}>
            <button
              type="button"
              className={off ? 'off' : undefined}
              aria-pressed={!off}
              title={off ? `Show ${s.name}` : `Hide ${s.name}`}
              onClick={() => onToggle(i)}
            >
              <svg className={`swatch series-${style.colour}`} width="18" height="8" aria-hidden="true">
                <line x1="1" x2="17" y1="4" y2="4" strokeDasharray={style.dash} />
              </svg>
              {s.name}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

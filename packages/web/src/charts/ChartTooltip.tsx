import type { ChartLine, ChartSeries } from './line-chart-model';

export interface ChartTooltipProps {
  /** Pixel x of the guide line, within a chart `width` wide. */
  x: number;
  width: number;
  /** The hovered time, formatted. */
  time: string;
  lines: readonly ChartLine[];
  series: readonly ChartSeries[];
  index: number;
  formatValue: (value: number) => string;
}

/** The values of every shown series at one time, beside the guide line (on its left past the middle). */
export function ChartTooltip({ x, width, time, lines, series, index, formatValue }: ChartTooltipProps) {
  const onLeft = x > width / 2;
  const style = onLeft ? { right: width - x + 10 } : { left: x + 10 };
  return (
    <div className="chart-tooltip" style={style}>
      <div className="chart-tooltip-time">{time}</div>
      <table>
        <tbody>
          {lines.map((line) => {
            const v = series[line.index]?.values[index];
            return (
              <tr key={line.index}>
                <td>
                  <svg className={`swatch series-${line.colour}`} width="18" height="8" aria-hidden="true">
                    <line x1="1" x2="17" y1="4" y2="4" strokeDasharray={line.dash} />
                  </svg>
                  {line.name}
                </td>
                <td className="num">{v === null || v === undefined || !Number.isFinite(v) ? '–' : formatValue(v)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import { sparkBars, sparkLine, sparkSummary } from '../charts/sparkline';
import './charts.css';

export interface SparklineProps {
  values: readonly number[];
  /** What the values are, for the accessible summary: `Occurrences per hour`. */
  label: string;
  width?: number;
  height?: number;
  /** Bars (counts per bucket) or a line; by default bars up to 48 values, a line beyond. */
  kind?: 'bars' | 'line';
  format?: (value: number) => string;
}

/** A word-sized chart without axes; its `aria-label` says the total, the peak and the latest value. */
export function Sparkline({ values, label, width = 120, height = 24, kind, format }: SparklineProps) {
  const summary = sparkSummary(label, values, format);
  const asBars = (kind ?? (values.length <= 48 ? 'bars' : 'line')) === 'bars';
  return (
    <svg className="sparkline" role="img" aria-label={summary} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
      <title>{summary}</title>
      <line className="sparkline-base" x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} />
      {asBars ? (
        sparkBars(values, width, height).map((bar, i) => (bar.height > 0 ? <rect key={i} x={bar.x} y={bar.y} width={bar.width} height={bar.height} /> : null))
      ) : (
        <path d={sparkLine(values, width, height)} />
      )}
    </svg>
  );
}

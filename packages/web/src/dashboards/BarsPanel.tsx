import { barRows, type StatRow } from './panel-data';
import type { UnitFormat } from './units';

/** Bars by label, largest first, each as long as its share of the largest. */
export function BarsPanel({ rows, format }: { rows: readonly StatRow[]; format: UnitFormat }) {
  const bars = barRows(rows);
  if (bars.length === 0) return <div className="chart-empty">No data in this range</div>;
  return (
    <ul className="dash-bars">
      {bars.map((bar) => (
        <li key={bar.name + JSON.stringify(bar.labels)} title={`${bar.name}: ${format.value(bar.value)}`}>
          <span className="dash-bar-name">{bar.name}</span>
          <span className="dash-bar-track">
            <span className="dash-bar" style={{ width: `${(bar.fraction * 100).toFixed(1)}%` }} />
          </span>
          <span className="dash-bar-value" data-value={bar.value}>
            {format.value(bar.value)}
          </span>
        </li>
      ))}
    </ul>
  );
}

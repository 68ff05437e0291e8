import { formatChange, formatPercent } from '../format';
import { relativeChange, type StatRow } from './panel-data';
import type { UnitFormat } from './units';

/** Single numbers, each with its change against the previous range of the same length. */
export function StatPanel({ rows, format }: { rows: readonly StatRow[]; format: UnitFormat }) {
  if (rows.length === 0) return <div className="chart-empty">No data in this range</div>;
  return (
    <div className="dash-stats">
      {rows.map((row) => {
        const change = row.previous === null ? null : row.value - row.previous;
        const ratio = relativeChange(row.value, row.previous);
        return (
          <div key={row.name} className="dash-stat" data-testid="stat">
            {rows.length > 1 && <div className="dash-stat-name">{row.name}</div>}
            <div className="dash-stat-value" data-value={row.value}>
              {format.value(row.value)}
            </div>
            <div className={`dash-stat-change${change === null || change === 0 ? '' : change > 0 ? ' up' : ' down'}`}>
              {change === null
                ? 'nothing in the previous range'
                : `${formatChange(change, format.value)}${ratio === null ? '' : ` (${formatChange(ratio, formatPercent)})`} vs previous`}
            </div>
          </div>
        );
      })}
    </div>
  );
}

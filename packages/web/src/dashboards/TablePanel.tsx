import { labelColumns, type StatRow } from './panel-data';
import type { UnitFormat } from './units';

/** One row per series: its labels, and its value over the range. */
export function TablePanel({ rows, format }: { rows: readonly StatRow[]; format: UnitFormat }) {
  if (rows.length === 0) return <div className="chart-empty">No data in this range</div>;
  const columns = labelColumns(rows);
  return (
    <div className="dash-table-wrap">
      <table className="list dash-table">
        <thead>
          <tr>
            {columns.length === 0 && <th>Series</th>}
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th className="num">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name + JSON.stringify(row.labels)}>
              {columns.length === 0 && <td>{row.name}</td>}
              {columns.map((c) => (
                <td key={c}>{row.labels[c] ?? ''}</td>
              ))}
              <td className="num" data-value={row.value}>
                {format.value(row.value)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { TableRows } from './panel-data';
import type { UnitFormat } from './units';

/** One row per label set: its labels, and each query's value over the range. */
export function TablePanel({ table, format }: { table: TableRows; format: UnitFormat }) {
  if (table.rows.length === 0) return <div className="chart-empty">No data in this range</div>;
  return (
    <div className="dash-table-wrap">
      <table className="list dash-table">
        <thead>
          <tr>
            {table.labels.map((c) => (
              <th key={c}>{c}</th>
            ))}
            {table.valueHeaders.map((h, i) => (
              // Two queries may share a header: their place tells them apart, as a value's column is its place.
              <th key={i} className="num" title={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={JSON.stringify(row.labels)}>
              {table.labels.map((c) => (
                <td key={c}>{row.labels[c] ?? ''}</td>
              ))}
              {row.values.map((value, i) => (
                <td key={i} className="num" data-value={value ?? ''}>
                  {value === null ? '–' : format.value(value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

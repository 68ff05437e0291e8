import { apiUrl } from '../api';
import { setSearch } from '../router';
import type { Variable } from './document';
import { usePromReads } from './prom-api';
import type { ReadWindow } from './url-state';
import { variableChange } from './url-state';

/** A variable's picker: All, then the label's values in the range (`/api/v1/label/:name/values`). */
export function VariablePicker({ variable, value, window }: { variable: Variable; value: string; window: ReadWindow }) {
  const url = apiUrl(`/api/v1/label/${encodeURIComponent(variable.label)}/values`, { start: window.startS, end: window.endS });
  const found = usePromReads<string[]>([url]);
  const options = found.data?.[0] ?? [];
  // A value from a shared link stays pickable even when the range no longer has it.
  const shown = value === '' || options.includes(value) ? options : [value, ...options];
  return (
    <label title={found.error?.message}>
      {variable.name}
      <select aria-label={`Variable ${variable.name}`} value={value} onChange={(e) => setSearch(variableChange(variable, e.target.value), { replace: false })}>
        <option value="">All</option>
        {shown.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

import type { ServiceListResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { setSearch } from '../router';
import { useApi } from '../use-api';

/**
 * A service filter kept in the URL's `service` parameter, listing the services seen in the range.
 * A service from a shared link stays selectable even when the range has none of its spans.
 */
export function ServiceSelect({ value, from, to }: { value: string | null; from: string | null; to: string | null }) {
  const { data } = useApi<ServiceListResponse>(apiUrl('/api/services', { from, to }));
  const names = (data?.services ?? []).map((s) => s.name);
  if (value !== null && !names.includes(value)) names.unshift(value);
  return (
    <label>
      Service
      <select aria-label="Service" value={value ?? ''} onChange={(e) => setSearch({ service: e.target.value, cursor: null })}>
        <option value="">All services</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

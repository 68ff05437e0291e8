import type { ServiceListResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { setSearch } from '../router';
import { useApi } from '../use-api';

/**
 * A service filter kept in the URL's `service` parameter, listing the services that sent spans,
 * logs or metric points in the range. A service from a shared link stays selectable even when the
 * range has nothing of it.
 */
export function ServiceSelect({ value, from, to }: { value: string | null; from: string | null; to: string | null }) {
  const { data } = useApi<ServiceListResponse>(apiUrl('/api/services', { from, to }));
  const known = new Set((data?.services ?? []).map((s) => s.name));
  if (value !== null) known.add(value);
  known.delete('');
  const names = [...known].sort();
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

import type { ServiceListResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { RangePicker } from '../components/RangePicker';
import { setSearch } from '../router';
import type { ResolvedRange } from '../time-range';
import { useApi } from '../use-api';
import { LogTextSearch } from './LogTextSearch';
import type { LogFilter } from './log-filter';
import { MIN_SEVERITIES } from './log-severity';

/**
 * The logs page's search: every field is in the URL; selects apply at once, text on Enter.
 * `/api/services` knows services by their spans, so those seen on loaded records are offered too.
 */
export function LogFilters({ filter, range, seenServices }: { filter: LogFilter; range: ResolvedRange; seenServices: readonly string[] }) {
  const services = useApi<ServiceListResponse>(apiUrl('/api/services', { from: range.from, to: range.to }));
  const known = new Set([...(services.data?.services ?? []).map((s) => s.name), ...seenServices]);
  if (filter.service !== null) known.add(filter.service);
  known.delete('');
  const names = [...known].sort();

  return (
    <div className="toolbar logs-toolbar">
      <RangePicker range={range} />
      <label>
        Severity
        <select aria-label="Minimum severity" value={filter.severity ?? ''} onChange={(e) => setSearch({ severity: e.target.value })}>
          <option value="">any</option>
          {MIN_SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s} and above
            </option>
          ))}
        </select>
      </label>
      <label>
        Service
        <select aria-label="Service" value={filter.service ?? ''} onChange={(e) => setSearch({ service: e.target.value })}>
          <option value="">all services</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {/* Keyed on the URL's values so going back shows what is searched for, not what was typed. */}
      <LogTextSearch key={`${filter.text ?? ''}\u0000${filter.traceId ?? ''}`} text={filter.text ?? ''} traceId={filter.traceId ?? ''} />
      <label className="logs-live">
        <input type="checkbox" checked={filter.live} onChange={(e) => setSearch({ live: e.target.checked ? '1' : null })} />
        Live
        {filter.live && <span className="logs-live-dot" aria-hidden="true" />}
      </label>
    </div>
  );
}

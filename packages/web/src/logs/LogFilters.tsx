import { RangePicker } from '../components/RangePicker';
import { ServiceSelect } from '../components/ServiceSelect';
import { setSearch } from '../router';
import type { ResolvedRange } from '../time-range';
import { LogTextSearch } from './LogTextSearch';
import type { LogFilter } from './log-filter';
import { MIN_SEVERITIES } from './log-severity';

/**
 * The logs page's search: every field is in the URL; selects apply at once, text on Enter.
 */
export function LogFilters({ filter, range }: { filter: LogFilter; range: ResolvedRange }) {
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
      <ServiceSelect value={filter.service} from={range.from} to={range.to} />
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

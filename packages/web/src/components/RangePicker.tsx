import { setSearch } from '../router';
import { RANGE_PRESETS, type ResolvedRange } from '../time-range';
import { formatTime } from '../format';

/** Picks a preset range (a list's page cursor starts over); a fixed range from a shared link shows as such and can be cleared. */
/** `allowAll` adds "All time" (no bounds), for lists whose newest entries may be old. */
export function RangePicker({ range, allowAll = false }: { range: ResolvedRange; allowAll?: boolean }) {
  if (range.preset === null && (range.from !== null || range.to !== null)) {
    return (
      <span className="toolbar-range">
        {formatTime(range.from)} → {range.to === null ? 'now' : formatTime(range.to)}{' '}
        <button type="button" onClick={() => setSearch({ from: null, to: null, cursor: null })} title="Back to a moving range">
          ✕
        </button>
      </span>
    );
  }
  return (
    <label>
      Range
      <select aria-label="Time range" value={range.preset ?? 'all'} onChange={(e) => setSearch({ range: e.target.value, cursor: null })}>
        {allowAll && <option value="all">All time</option>}
        {RANGE_PRESETS.map((p) => (
          <option key={p.key} value={p.key}>
            {p.label}
          </option>
        ))}
      </select>
    </label>
  );
}

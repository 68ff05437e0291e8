import { navigate } from '../router';
import './compare.css';
import { tracesComparePath } from './trace-picks';
import type { TracePicks } from './use-trace-picks';

/** The trace list's Compare button: opens the two picked runs side by side, the earlier as A. */
export function CompareTraces({ picks }: { picks: TracePicks }) {
  const path = tracesComparePath(picks.picked);
  return (
    <span className="compare-traces">
      <button type="button" disabled={path === null} onClick={() => path !== null && navigate(path)} title="Tick two rows to compare their runs span by span">
        Compare
      </button>{' '}
      <span className="muted" data-testid="compare-picks">
        {picks.picked.length} of 2 picked
      </span>
    </span>
  );
}

import type { TraceSummary } from '@spoor/model';
import type { TracePicks } from './use-trace-picks';

/** A trace row's checkbox to pick it for a comparison; a click on it does not open the trace. */
export function TracePickCell({ picks, trace }: { picks: TracePicks; trace: Pick<TraceSummary, 'traceId' | 'startTime' | 'rootName'> }) {
  return (
    <td className="trace-pick" onClick={(e) => e.stopPropagation()}>
      <input
        type="checkbox"
        checked={picks.isPicked(trace.traceId)}
        onChange={() => picks.toggle(trace)}
        aria-label={`Pick ${trace.rootName} ${trace.traceId} to compare`}
      />
    </td>
  );
}

import type { SessionRun } from '@spoor/model';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatCostOf, formatCount, formatDuration, formatTime } from '../format';
import { navigate } from '../router';
import { ScoreCells } from '../scores/ScoreCells';
import { scoreColumnNames } from '../scores/score-view';
import { totalTokens } from './session-view';

/** A session's runs, one trace each, in the order given, with a column per score name; a row opens its trace. */
export function SessionRunsTable({ runs }: { runs: readonly SessionRun[] }) {
  const scoreNames = scoreColumnNames(runs);
  return (
    <table className="list session-runs">
      <thead>
        <tr>
          <th className="num">#</th>
          <th>Started</th>
          <th>Run</th>
          <th>Service</th>
          <th className="num">Duration</th>
          <th>Status</th>
          <th className="num">Spans</th>
          <th className="num">Tokens</th>
          <th className="num">Cost</th>
          {scoreNames.map((name) => (
            <th key={name} className="num score-column" title={`The run's ${name} scores: their mean, or the most frequent label`}>
              {name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {runs.map((run, i) => {
          const to = `/traces/${run.traceId}`;
          const tokens = totalTokens(run);
          return (
            <tr key={run.traceId} className="clickable" onClick={() => navigate(to)}>
              <td className="num muted">{i + 1}</td>
              <td>{formatTime(run.startTime)}</td>
              <td>
                <Link to={to} title={`Trace ${run.traceId}`} onClick={(e) => e.stopPropagation()}>
                  {run.name}
                </Link>
              </td>
              <td>{run.serviceName}</td>
              <td className="num">{formatDuration(run.durationMs)}</td>
              <td>
                {run.status === 'error' ? <Status kind="error">error</Status> : <Status kind="ok">ok</Status>}
                {run.errorCount > 0 && (
                  <span className="muted run-errors">
                    {' '}
                    {run.errorCount} error span{run.errorCount === 1 ? '' : 's'}
                  </span>
                )}
              </td>
              <td className="num">{formatCount(run.spanCount)}</td>
              <td className="num" title={tokens === null ? undefined : `${run.inputTokens ?? 0} in, ${run.outputTokens ?? 0} out`}>
                {formatCount(tokens)}
              </td>
              <td className="num">{formatCostOf(run.costUsd, run.unpricedCalls)}</td>
              <ScoreCells names={scoreNames} scores={run.scores} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

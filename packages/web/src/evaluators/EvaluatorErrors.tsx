import { useState } from 'react';
import type { EvaluatorErrorsResponse } from '@spoor/model';
import { apiSend, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatTime, shortId } from '../format';
import { useApi } from '../use-api';
import { type RetryOutcome, errorTargetPath, retryOutcomeText } from './evaluator-jobs';

/** The newest failures shown at once; a retry takes the rest too. */
const ERRORS_SHOWN = 50;

/**
 * The targets whose last judging by an evaluator failed (the provider's error, an answer that
 * could not be read), each opening its trace or span, and a retry of them all for an admin.
 */
export function EvaluatorErrors({ name, errorCount, mayRetry, onRetried }: { name: string; errorCount: number; mayRetry: boolean; onRetried: () => void }) {
  const path = `/api/evaluators/${encodeURIComponent(name)}`;
  const errors = useApi<EvaluatorErrorsResponse>(apiUrl(`${path}/errors`, { limit: ERRORS_SHOWN }));
  const [retrying, setRetrying] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const retry = () => {
    setRetrying(true);
    setOutcome(null);
    setFailure(undefined);
    apiSend<RetryOutcome>('POST', `${path}/retry`, {}).then(
      (answer) => {
        setRetrying(false);
        setOutcome(retryOutcomeText(answer));
        errors.reload();
        onRetried();
      },
      (error: Error) => {
        setRetrying(false);
        setFailure(error);
      },
    );
  };
  const list = errors.data?.errors ?? [];
  return (
    <section className="evaluator-errors" aria-label={`Errors of ${name}`}>
      <div className="form-actions">
        <strong>Targets whose last judging failed</strong>
        {errorCount > list.length && list.length > 0 && (
          <span className="muted">
            the newest {list.length} of {errorCount}
          </span>
        )}
        {mayRetry && (
          <button type="button" onClick={retry} disabled={retrying}>
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
        )}
        {outcome !== null && (
          <span role="status" data-testid="retry-outcome">
            {outcome}
          </span>
        )}
      </div>
      <ErrorBox error={errors.error ?? failure} />
      {errors.data !== undefined && list.length === 0 && <p className="muted">No target’s last judging failed.</p>}
      {list.length > 0 && (
        <table className="list evaluator-errors-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Target</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <tr key={`${e.traceId}/${e.spanId ?? ''}`}>
                <td>{formatTime(e.time)}</td>
                <td className="mono">
                  <Link to={errorTargetPath(e)} title={e.spanId === null ? `Trace ${e.traceId}` : `Span ${e.spanId} of trace ${e.traceId}`}>
                    {e.spanId === null ? `trace ${shortId(e.traceId, 12)}` : `span ${e.spanId}`}
                  </Link>
                </td>
                <td className="evaluator-error-text">{e.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

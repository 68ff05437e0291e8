import type { TraceDiff } from '@spoor/model';
import { apiUrl } from '../api';
import { TraceDiffView } from '../compare/TraceDiffView';
import { ErrorBox } from '../components/ErrorBox';
import { useApi } from '../use-api';

/** Two runs side by side, span by span, differences marked: `/compare?a=TRACE&b=TRACE`. */
export function ComparePage({ search }: { search: URLSearchParams }) {
  const a = search.get('a');
  const b = search.get('b');
  const { data, error, loading } = useApi<TraceDiff>(a === null || b === null ? null : apiUrl(`/api/traces/${a}/diff/${b}`));
  if (a === null || b === null) return <div className="empty">Name two traces to compare: /compare?a=TRACE_ID&amp;b=TRACE_ID</div>;
  return (
    <div className="compare-page">
      <h1>Compare runs</h1>
      <ErrorBox error={error} />
      {data === undefined && loading && <p className="muted">Comparing…</p>}
      {data !== undefined && <TraceDiffView diff={data} />}
    </div>
  );
}

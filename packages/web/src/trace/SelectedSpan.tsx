import type { SpanDetail } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { useApi } from '../use-api';
import { SpanPanel } from './SpanPanel';

/** The selected span's details, read on selection: the waterfall holds only what it draws. */
export function SelectedSpan({ traceId, spanId, onClose }: { traceId: string; spanId: string; onClose: () => void }) {
  const { data, error } = useApi<SpanDetail>(apiUrl(`/api/traces/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`));
  if (data !== undefined) return <SpanPanel span={data.span} logs={data.logs} onClose={onClose} />;
  return (
    <aside className="span-panel" aria-label="Span details" aria-busy={error === undefined}>
      <ErrorBox error={error} />
      {error === undefined && <p className="muted">Loading span {spanId}…</p>}
    </aside>
  );
}

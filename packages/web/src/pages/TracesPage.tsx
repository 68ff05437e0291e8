import type { FormEvent } from 'react';
import type { ServiceListResponse, TraceListResponse, TraceSummary } from '@spoor/model';
import { apiGet, apiUrl } from '../api';
import { AddToDataset } from '../datasets/AddToDataset';
import { CompareTraces } from '../compare/CompareTraces';
import { TracePickCell } from '../compare/TracePickCell';
import { useTracePicks } from '../compare/use-trace-picks';
import { itemsFromTraces } from '../datasets/dataset-view';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { OriginSelect } from '../components/OriginSelect';
import { RangePicker } from '../components/RangePicker';
import { Status } from '../components/Status';
import { formatAgo, formatCostOf, formatCount, formatDuration, formatInteger, formatListTime, formatTime } from '../format';
import { navigate, setSearch } from '../router';
import { ScoreCells } from '../scores/ScoreCells';
import { scoreColumnNames, scoreFiltersOf } from '../scores/score-view';
import { resolveRange } from '../time-range';
import { useApi } from '../use-api';
import { useNow } from '../use-now';
import { usePages } from '../use-pages';
import './traces.css';
import { LoadMore } from '../components/LoadMore';
import { useLiveTraces } from '../live/use-live-traces';
import { samplingNote } from './sampling-note';

/** How often a live list's "ago" column moves when no trace changes. */
const LIVE_CLOCK_MS = 15_000;
/** Traces "Add to dataset" takes from a filtered list at most: one page of `GET /api/traces` at its largest limit. */
const ADD_MAX_TRACES = 1000;

const pickTraces = (page: TraceListResponse) => ({ items: page.traces, nextCursor: page.nextCursor });
const traceKey = (trace: TraceSummary) => trace.traceId;

/** The filters of `GET /api/traces`, kept in the URL under the API's own names. */
const TEXT_FILTERS = [
  ['text', 'Span name contains', 'research'],
  ['name', 'Span name is', 'chat gpt-4o'],
  ['model', 'Model', 'gpt-4o-mini'],
  ['sessionId', 'Session', 'session id'],
  ['minDurationMs', 'Min ms', '0'],
  ['maxDurationMs', 'Max ms', ''],
] as const;

/** The home page: find traces with every filter the API has; newest first; live if asked. */
export function TracesPage({ search }: { search: URLSearchParams }) {
  const live = search.get('live') === '1';
  const query = search.toString();
  // "Now" moves with the address only: live mode applies the stream's changes to the rows loaded
  // instead, so pages loaded with "Load more" stay and an open range keeps showing the newest traces.
  const now = useNow(null, query);
  const range = resolveRange(search, now, null);
  const filters = {
    from: range.from,
    to: range.to,
    service: search.get('service'),
    status: search.get('status'),
    text: search.get('text'),
    name: search.get('name'),
    model: search.get('model'),
    sessionId: search.get('sessionId'),
    minDurationMs: search.get('minDurationMs'),
    maxDurationMs: search.get('maxDurationMs'),
    attr: search.getAll('attr'),
    score: search.getAll('score'),
    origin: search.get('origin'),
  };
  const params = { ...filters, limit: 50 };
  const list = usePages('/api/traces', params, pickTraces, traceKey);
  const traces = useLiveTraces(filters, live, list);
  // A live list's new rows start after the page opened: their age counts from when one comes on top.
  const agoNow = useNow(live ? LIVE_CLOCK_MS : null, live ? (traces[0]?.traceId ?? null) : null);
  const scoreNames = scoreColumnNames(traces);
  const services = useApi<ServiceListResponse>(apiUrl('/api/services'));
  const picks = useTracePicks();

  // The filter's matches when the button is pressed, not just the rows loaded so far.
  const matchingItems = () =>
    apiGet<TraceListResponse>(apiUrl('/api/traces', { ...params, limit: ADD_MAX_TRACES })).then((page) => itemsFromTraces(page.traces.map((t) => t.traceId)));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of ['range', 'from', 'to', 'live'] as const) {
      const value = search.get(key);
      if (value !== null) next.set(key, value);
    }
    for (const [key, value] of form) {
      if (typeof value !== 'string' || value.trim() === '') continue;
      if (key === 'attr') for (const pair of value.trim().split(/\s+/)) next.append('attr', pair);
      else if (key === 'score') for (const filter of scoreFiltersOf(value)) next.append('score', filter);
      else next.set(key, value.trim());
    }
    const q = next.toString();
    navigate(q === '' ? '/' : `/?${q}`);
  };

  const filtered = [...search.keys()].some((k) => !['range', 'live'].includes(k));
  // The linked service is an option from the first render (the list comes later, and may not
  // name it in this range): otherwise the picker shows "Any" beside a list it filters.
  const linkedService = search.get('service');
  const serviceNames = [...new Set([...(linkedService ? [linkedService] : []), ...(services.data?.services.map((s) => s.name) ?? [])])].sort();
  return (
    <div>
      <h1>Traces</h1>
      <form className="trace-filters" onSubmit={submit} key={query}>
        <div className="toolbar">
          <RangePicker range={range} allowAll />
          <label>
            Service
            <select name="service" defaultValue={search.get('service') ?? ''} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
              <option value="">Any</option>
              {serviceNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select name="status" defaultValue={search.get('status') ?? ''} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
              <option value="">Any</option>
              <option value="error">Errors</option>
              <option value="ok">No errors</option>
            </select>
          </label>
          <OriginSelect value={search.get('origin')} service={search.get('service')} />
          <label className="live-toggle">
            <input type="checkbox" checked={live} onChange={(e) => setSearch({ live: e.target.checked ? '1' : null })} />
            Live
            {live && <span className="live-dot" aria-label="updated as traces are committed" />}
          </label>
        </div>
        <div className="toolbar">
          {TEXT_FILTERS.map(([key, label, placeholder]) => (
            <label key={key}>
              {label}
              <input
                name={key}
                defaultValue={search.get(key) ?? ''}
                placeholder={placeholder}
                size={key.endsWith('Ms') ? 6 : 14}
                inputMode={key.endsWith('Ms') ? 'decimal' : undefined}
              />
            </label>
          ))}
          <label>
            Attributes
            <input name="attr" defaultValue={search.getAll('attr').join(' ')} placeholder="key=value key2=value2" size={22} />
          </label>
          <label>
            Scores
            <input name="score" defaultValue={search.getAll('score').join(' ')} placeholder="faithfulness<0.7 thumbs=down" size={22} />
          </label>
          <button type="submit" className="primary">
            Search
          </button>
          {filtered && (
            <button type="button" onClick={() => navigate(search.get('range') === null ? '/' : `/?range=${search.get('range')}`)}>
              Clear
            </button>
          )}
        </div>
      </form>
      <ErrorBox error={list.error} />
      {samplingNote(list.first?.sampling) !== null && (
        <p className="sampling-note muted" data-testid="sampling-note">
          {samplingNote(list.first?.sampling)}
        </p>
      )}
      {traces.length > 1 && <CompareTraces picks={picks} />}
      {traces.length > 0 && <AddToDataset what={`the traces this filter matches (up to ${formatInteger(ADD_MAX_TRACES)})`} items={matchingItems} />}
      <table className="list traces-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Root span</th>
            <th>Service</th>
            <th>Session / user</th>
            <th className="num">Duration</th>
            <th className="num">Spans</th>
            <th className="num">Errors</th>
            <th className="num">Tokens (in / out)</th>
            <th className="num">Cost</th>
            {scoreNames.map((name) => (
              <th key={name} className="num score-column" title={`The trace's ${name} scores: their mean, or the most frequent label`}>
                {name}
              </th>
            ))}
            <th className="trace-pick" aria-label="Pick to compare" title="Tick two runs, then Compare" />
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.traceId} className="clickable" onClick={() => navigate(`/traces/${t.traceId}`)}>
              <td title={formatTime(t.startTime)} className="trace-time">
                {formatListTime(t.startTime, now)}
                <span className="muted">{formatAgo(t.startTime, live ? agoNow : now)}</span>
              </td>
              <td>
                <Link to={`/traces/${t.traceId}`} onClick={(e) => e.stopPropagation()} title={`${t.rootName} (${t.serviceName})`}>
                  {t.rootName}
                </Link>
                {t.running === true && (
                  <>
                    {' '}
                    <Status kind="info">running</Status>
                  </>
                )}
                {t.sampledOut === true && (
                  <span className="muted" title="Tail sampling did not keep this trace: its spans count in statistics, their content and logs are not kept">
                    {' '}
                    sampled out
                  </span>
                )}
              </td>
              <td>{t.serviceName}</td>
              <td className="trace-session">
                {t.sessionId === null ? (
                  <span className="muted">–</span>
                ) : (
                  <Link to={`/sessions/${encodeURIComponent(t.sessionId)}`} onClick={(e) => e.stopPropagation()} title={`Open session ${t.sessionId}`}>
                    {t.sessionId}
                  </Link>
                )}
                {t.userId !== null && (
                  <span className="muted trace-user">
                    <span className="trace-user-dot"> · </span>
                    {t.userId}
                  </span>
                )}
              </td>
              <td className="num">{formatDuration(t.durationMs)}</td>
              <td className="num">{formatCount(t.spanCount)}</td>
              <td className="num">{t.errorCount > 0 ? <Status kind="error">{t.errorCount}</Status> : <span className="muted">0</span>}</td>
              <td className="num">
                {t.inputTokens === null && t.outputTokens === null ? '–' : `${formatCount(t.inputTokens ?? 0)} / ${formatCount(t.outputTokens ?? 0)}`}
              </td>
              <td className="num">{formatCostOf(t.costUsd, t.unpricedCalls)}</td>
              <ScoreCells names={scoreNames} scores={t.scores} />
              <TracePickCell picks={picks} trace={t} />
            </tr>
          ))}
        </tbody>
      </table>
      {list.loaded && traces.length === 0 && (
        <div className="empty">
          {filtered || range.from !== null
            ? 'No trace matches these filters.'
            : 'No traces yet. Send some with `npx spoor demo`, or point an OpenTelemetry exporter at this server.'}
        </div>
      )}
      {!list.loaded && list.loading && <div className="empty">Loading…</div>}
      <LoadMore pages={list} />
    </div>
  );
}

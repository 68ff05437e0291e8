import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type CriticalPath, isoFromMicros, type Score } from '@spoor/model';
import { apiGet, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatCostOf, formatCountOf, formatDuration, formatInteger, formatTime } from '../format';
import { setSearch } from '../router';
import { TargetScores } from '../scores/TargetScores';
import { withScore } from '../scores/score-view';
import { type TraceScores, TraceScoresContext } from '../scores/trace-scores';
import { type CompactCriticalPath, compactCriticalPath, criticalPathDisplay } from '../trace/critical-path';
import { nameAt, originUsOf, rowOfSpan, spanIdAt, totalMsOf, totalsOf, type SpanTree } from '../trace/span-tree';
import { SelectedSpan } from '../trace/SelectedSpan';
import { TraceLogs } from '../trace/TraceLogs';
import { useLiveTrace } from '../trace/use-live-trace';
import { createThrottle } from '../live/throttle';
import { LiveDuration } from '../trace/LiveDuration';
import { collapseBelow, revealRows, toggleRow } from '../trace/visible-rows';
import { Waterfall } from '../trace/Waterfall';
import { AddToDataset } from '../datasets/AddToDataset';
import { itemsFromTraces } from '../datasets/dataset-view';
import '../trace/trace.css';

/** While the trace changes, its critical path is asked for again at most this often (a read of the whole trace on the server). */
const LIVE_PATH_INTERVAL_MS = 2000;

/**
 * One trace: summary, waterfall, the selected span's details, and the trace's logs; growing while
 * the trace runs. Keyed by trace id (`App`): another trace is a new page, with its state fresh.
 */
export function TracePage({ traceId, search }: { traceId: string; search: URLSearchParams }) {
  // The tree comes as a stream: the waterfall draws its first rows before a big trace is all in;
  // then the trace's live stream keeps it up to date while it runs.
  const load = useLiveTrace(traceId);
  const { tree, error } = load;
  const [path, setPath] = useState<CompactCriticalPath | null>(null);
  // Folded spans, by span index in the tree's columns: they stay folded as more rows arrive.
  const [collapsed, setCollapsed] = useState<Uint8Array>(() => new Uint8Array(0));
  // Scores stored from this page (votes), over those the tree's stream ended with.
  const [stored, setStored] = useState<readonly Score[]>([]);
  // The critical path comes apart, once the tree is in: it is JSON parsed on the page's thread (10 MB
  // for a 200,000-span agent trace), which would hold up the rows still arriving. The waterfall
  // draws without it and marks it when it arrives.
  const { done, version } = load;
  // While the trace changes the path is asked again, at most every LIVE_PATH_INTERVAL_MS.
  const [pathAsked, setPathAsked] = useState(0);
  const pathThrottle = useMemo(() => createThrottle(() => setPathAsked((n) => n + 1), LIVE_PATH_INTERVAL_MS), []);
  useEffect(() => () => pathThrottle.cancel(), [pathThrottle]);
  useEffect(() => {
    if (version > 0) pathThrottle.signal();
  }, [version, pathThrottle]);
  useEffect(() => {
    if (!done) return;
    const controller = new AbortController();
    apiGet<CriticalPath>(apiUrl(`/api/traces/${encodeURIComponent(traceId)}/critical-path`), controller.signal).then(
      (found) => {
        // The benchmark waits for this mark before it measures the page further.
        performance.mark('spoor:critical-path');
        setPath(compactCriticalPath(found));
      },
      () => {
        // A trace still arriving may have no path yet; the waterfall simply shows none.
      },
    );
    return () => controller.abort();
  }, [traceId, done, pathAsked]);

  // The benchmark and anyone curious can read this mark: the whole tree is in and drawn.
  useEffect(() => {
    if (!load.done || tree === null) return;
    requestAnimationFrame(() => setTimeout(() => performance.mark('spoor:trace-loaded'), 0));
  }, [load.done, tree]);

  const selectedId = search.get('span');
  const found = tree !== null && selectedId !== null ? rowOfSpan(tree, selectedId) : -1;
  const selectedRow = found === -1 ? null : found;

  // A span named in the URL (a shared link, a log's jump) is revealed if a collapsed parent hides it.
  useEffect(() => {
    if (tree === null || selectedRow === null) return;
    setCollapsed((c) => revealRows(tree, c, [selectedRow]));
  }, [tree, selectedRow]);

  // Walks the spans until it has six services: once per tree, not per render.
  const services = useMemo(() => (tree === null ? [] : serviceNames(tree)), [tree]);
  const critical = useMemo(() => (tree !== null && path !== null ? criticalPathDisplay(tree, path) : null), [tree, path]);
  // Rows are memoized on these callbacks, so they never change; they read the tree through a ref.
  const treeRef = useRef<SpanTree | null>(null);
  treeRef.current = tree;
  const onSelect = useCallback((row: number) => {
    const t = treeRef.current;
    if (t !== null && row >= 0 && row < t.count) setSearch({ span: spanIdAt(t, row) });
  }, []);
  const spanName = useCallback((spanId: string) => {
    const t = treeRef.current;
    const row = t === null ? -1 : rowOfSpan(t, spanId);
    return t === null || row === -1 ? null : nameAt(t, row);
  }, []);
  const jumpToSpan = useCallback((spanId: string) => {
    setSearch({ span: spanId });
    document.querySelector('[data-testid="waterfall-scroll"]')?.scrollIntoView({ block: 'nearest' });
  }, []);
  // Made in the same render as the tree's last scores: a vote box drawn once they are in starts from them.
  const scores = useMemo(() => stored.reduce<readonly Score[]>((held, score) => withScore(held, score), load.scores), [stored, load.scores]);
  const onScored = useCallback((score: Score) => setStored((held) => [...held, score]), []);
  const traceScores = useMemo<TraceScores>(() => ({ traceId, scores, onScored }), [traceId, scores, onScored]);
  const runItems = useCallback(() => Promise.resolve(itemsFromTraces([traceId])), [traceId]);
  const onToggle = useCallback((row: number) => {
    const t = treeRef.current;
    if (t !== null) setCollapsed((c) => toggleRow(t, c, row));
  }, []);

  if (error !== undefined) {
    return (
      <div>
        <h1>Trace {traceId}</h1>
        <ErrorBox error={error} />
        <Link to="/">Back to traces</Link>
      </div>
    );
  }
  if (tree === null) return <div className="empty">Loading trace {traceId}…</div>;

  const selected = selectedRow === null ? null : spanIdAt(tree, selectedRow);
  const totals = totalsOf(tree);
  const spans = tree.spans;
  return (
    // The scores come at the end of the tree's stream: until then no score or vote is shown (a vote
    // box drawn before would start empty and keep a stored comment out).
    <TraceScoresContext.Provider value={load.done ? traceScores : null}>
      <div className="trace-page">
        <header className="trace-head">
          <h1>
            {tree.count > 0 ? nameAt(tree, 0) : 'Trace'} <span className="muted mono trace-id">{traceId}</span>
          </h1>
          <div className="trace-facts">
            <span>{formatTime(isoFromMicros(originUsOf(tree)))}</span>
            {load.running ? (
              <Status kind="info">
                running <LiveDuration tree={tree} />
              </Status>
            ) : (
              <span data-testid="trace-duration">{formatDuration(totalMsOf(tree))}</span>
            )}
            <span data-testid="trace-span-count">
              {formatCountOf(spans.count, 'span')}
              {load.done ? '' : ' so far…'}
            </span>
            <span>{services.slice(0, 5).join(', ')}</span>
            {spans.errorCount > 0 ? <Status kind="error">{formatCountOf(spans.errorCount, 'error')}</Status> : <Status kind="ok">no errors</Status>}
            {totals.llmCalls > 0 && (
              <span>
                {formatCountOf(totals.llmCalls, 'LLM call')} · {formatInteger(totals.inputTokens)} in / {formatInteger(totals.outputTokens)} out tokens ·{' '}
                {formatCostOf(totals.costUsd, totals.unpricedCalls)}
              </span>
            )}
            {spans.sessionId !== null && <Link to={`/sessions/${encodeURIComponent(spans.sessionId)}`}>session {spans.sessionId}</Link>}
            <a href="#trace-logs">{load.done ? formatCountOf(load.logs.length, 'log') : 'logs'}</a>
          </div>
          {load.sampledOut && (
            <p className="sampled-out-note" data-testid="sampled-out">
              <Status kind="info">sampled out</Status> Tail sampling did not keep this trace: its spans count in statistics (times, status, tokens and cost),
              their content and logs are not kept.
            </p>
          )}
          <TargetScores spanId={null} />
          <AddToDataset what="this run" items={runItems} />
        </header>
        <div className={selected === null ? 'trace-body' : 'trace-body with-panel'}>
          <Waterfall
            tree={tree}
            collapsed={collapsed}
            onCollapsedChange={setCollapsed}
            onToggle={onToggle}
            selectedRow={selectedRow}
            onSelect={onSelect}
            critical={critical}
            onCollapseAll={() => setCollapsed(collapseBelow(tree, 1))}
            onExpandAll={() => setCollapsed(new Uint8Array(0))}
            running={load.running}
          />
          {selected !== null && <SelectedSpan key={selected} traceId={traceId} spanId={selected} onClose={() => setSearch({ span: null })} />}
        </div>
        <section id="trace-logs" className="trace-logs-section">
          <h2>Logs</h2>
          <TraceLogs logs={load.logs} spanName={spanName} onJump={jumpToSpan} />
        </section>
      </div>
    </TraceScoresContext.Provider>
  );
}

/** The trace's distinct services, in the order they first came. */
function serviceNames(tree: SpanTree): string[] {
  const seen = new Set<number>();
  const { service, count } = tree.spans;
  for (let i = 0; i < count && seen.size < 6; i++) seen.add(service[i]!);
  return [...seen].map((s) => tree.spans.strings[s]!);
}

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CriticalPath, Score, TraceTree } from '@spoor/model';
import { apiGet, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { Status } from '../components/Status';
import { formatCost, formatDuration, formatInteger, formatTime } from '../format';
import { setSearch } from '../router';
import { TargetScores } from '../scores/TargetScores';
import { withScore } from '../scores/score-view';
import { type TraceScores, TraceScoresContext } from '../scores/trace-scores';
import { criticalPathDisplay } from '../trace/critical-path';
import { buildSpanTree, type SpanTree } from '../trace/span-tree';
import { SelectedSpan } from '../trace/SelectedSpan';
import { TraceLogs } from '../trace/TraceLogs';
import { collapseBelow, revealRows, toggleRow } from '../trace/visible-rows';
import { Waterfall } from '../trace/Waterfall';
import { AddToDataset } from '../datasets/AddToDataset';
import { itemsFromTraces } from '../datasets/dataset-view';
import '../trace/trace.css';

interface Loaded {
  trace: TraceTree;
  tree: SpanTree;
}

/** One trace: summary, waterfall, the selected span's details, and the trace's logs. */
export function TracePage({ traceId, search }: { traceId: string; search: URLSearchParams }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [path, setPath] = useState<CriticalPath | null>(null);
  const [collapsed, setCollapsed] = useState<Uint8Array>(() => new Uint8Array(0));
  const [scores, setScores] = useState<readonly Score[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    // The tree, not the whole trace: what the waterfall draws of each span, as columns. A span's
    // attributes, events and LLM call are read when it is selected (SelectedSpan).
    apiGet<TraceTree>(apiUrl(`/api/traces/${encodeURIComponent(traceId)}/tree`), controller.signal).then(
      (trace) => {
        // The benchmark measures from here: the data has arrived and is parsed.
        performance.mark('spoor:trace-data');
        const tree = buildSpanTree(trace);
        setCollapsed(new Uint8Array(tree.count));
        setScores(trace.scores);
        setLoaded({ trace, tree });
      },
      (e: Error) => controller.signal.aborted || setError(e),
    );
    // The critical path comes second: the waterfall draws without it and marks it when it arrives.
    apiGet<CriticalPath>(apiUrl(`/api/traces/${encodeURIComponent(traceId)}/critical-path`), controller.signal).then(setPath, () => {
      // A trace still arriving may have no path yet; the waterfall simply shows none.
    });
    return () => controller.abort();
  }, [traceId]);

  const tree = loaded?.tree ?? null;
  const selectedId = search.get('span');
  const selectedRow = tree !== null && selectedId !== null ? (tree.rowOfSpan.get(selectedId) ?? null) : null;

  // A span named in the URL (a shared link, a log's jump) is revealed if a collapsed parent hides it.
  useEffect(() => {
    if (tree === null || selectedRow === null) return;
    setCollapsed((c) => (c.length === tree.count ? revealRows(tree, c, [selectedRow]) : c));
  }, [tree, selectedRow]);

  const critical = useMemo(() => (tree !== null && path !== null ? criticalPathDisplay(tree, path) : null), [tree, path]);
  // Rows are memoized on these callbacks, so they never change; they read the tree through a ref.
  const treeRef = useRef<SpanTree | null>(null);
  treeRef.current = tree;
  const onSelect = useCallback((row: number) => {
    const spanId = treeRef.current?.spanIds[row];
    if (spanId !== undefined) setSearch({ span: spanId });
  }, []);
  const spanName = useCallback((spanId: string) => {
    const t = treeRef.current;
    const row = t?.rowOfSpan.get(spanId);
    return t === null || t === undefined || row === undefined ? null : t.names[row]!;
  }, []);
  const jumpToSpan = useCallback((spanId: string) => {
    setSearch({ span: spanId });
    document.querySelector('[data-testid="waterfall-scroll"]')?.scrollIntoView({ block: 'nearest' });
  }, []);
  const onScored = useCallback((score: Score) => setScores((held) => withScore(held, score)), []);
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
  if (loaded === null || tree === null) return <div className="empty">Loading trace {traceId}…</div>;

  const { trace } = loaded;
  const selected = selectedRow === null ? null : tree.spanIds[selectedRow]!;
  const totals = tree.totals;
  return (
    <TraceScoresContext.Provider value={traceScores}>
      <div className="trace-page">
        <header className="trace-head">
          <h1>
            {tree.names[0] ?? 'Trace'} <span className="muted mono trace-id">{traceId}</span>
          </h1>
          <div className="trace-facts">
            <span>{formatTime(trace.startTime)}</span>
            <span>{formatDuration(tree.totalMs)}</span>
            <span>{formatInteger(tree.count)} spans</span>
            <span>{tree.serviceNames.slice(0, 5).join(', ')}</span>
            {tree.errorCount > 0 ? <Status kind="error">{tree.errorCount} errors</Status> : <Status kind="ok">no errors</Status>}
            {totals.llmCalls > 0 && (
              <span>
                {totals.llmCalls} LLM calls · {formatInteger(totals.inputTokens)} in / {formatInteger(totals.outputTokens)} out tokens · {formatCost(totals.costUsd)}
              </span>
            )}
            {tree.sessionId !== null && <Link to={`/sessions/${encodeURIComponent(tree.sessionId)}`}>session {tree.sessionId}</Link>}
            <a href="#trace-logs">{trace.logs.length} logs</a>
          </div>
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
            onExpandAll={() => setCollapsed(new Uint8Array(tree.count))}
          />
          {selected !== null && <SelectedSpan key={selected} traceId={traceId} spanId={selected} onClose={() => setSearch({ span: null })} />}
        </div>
        <section id="trace-logs" className="trace-logs-section">
          <h2>Logs</h2>
          <TraceLogs logs={trace.logs} spanName={spanName} onJump={jumpToSpan} />
        </section>
      </div>
    </TraceScoresContext.Provider>
  );
}

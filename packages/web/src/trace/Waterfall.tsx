import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CriticalPathDisplay } from './critical-path';
import { fullView, panView, viewAround, zoomView, type TimeView } from './layout';
import type { TraceSearchResponse } from '@spoor/model';
import { apiGet, apiUrl } from '../api';
import { attributeSearchText, mergeMatches, searchSpans } from './span-search';
import {
  categoryAt,
  durationMsAt,
  eventsAt,
  isErrorAt,
  nameAt,
  originUsOf,
  rowNote,
  serviceAt,
  spanIdAt,
  startMsAt,
  totalMsOf,
  type SpanTree,
} from './span-tree';
import { formatCountOf } from '../format';
import { TimeAxis } from './TimeAxis';
import { anchoredScrollTop, indexOfRow, isCollapsed, revealRows, rowWindow, scrollMap, type ShownRows, visibleRows } from './visible-rows';
import { ROW_HEIGHT, WaterfallRow } from './WaterfallRow';

/** Rows drawn beyond each edge of the view, so a small scroll shows rows already laid out. */
const OVERSCAN = 12;
/**
 * The same on a scaled canvas (`scrollMap`), where a scrolled pixel moves more than a row pixel
 * and a drag or a wheel step moves past any overscan: every row in the window is laid out anew
 * each frame, so each row drawn ahead is layout and garbage for nothing. A million rows scrolled
 * with 12 had frames of 45-100 ms, nearly all of it layout and style of the window's rows.
 */
const SCALED_OVERSCAN = 3;
const overscanFor = (ratio: number): number => (ratio === 1 ? OVERSCAN : SCALED_OVERSCAN);
const SEARCH_DELAY_MS = 120;
/** How far apart the bases rows are placed from lie, when the canvas is scaled. */
const BASE_BLOCK_PX = 1_000_000;
/**
 * While a span runs, the time axis reaches this much past now (at least a second more), and is
 * pushed on again when now gets there: the axis moves in steps of a quarter, not every frame, so a
 * frame redraws only the running rows.
 */
const LIVE_HEADROOM = 1.25;
const MIN_LIVE_HEADROOM_MS = 1000;

export interface WaterfallProps {
  tree: SpanTree;
  collapsed: Uint8Array;
  onCollapsedChange: (next: Uint8Array) => void;
  onToggle: (row: number) => void;
  selectedRow: number | null;
  onSelect: (row: number) => void;
  critical: CriticalPathDisplay | null;
  onCollapseAll: () => void;
  onExpandAll: () => void;
  /** Whether a span runs: the axis then reaches past now, and running bars are drawn to it. */
  running?: boolean;
}

/**
 * The trace waterfall: a virtualized tree of rows (only those in view are in the DOM), a time axis
 * with zoom and pan, search within the trace, and the critical path. Driven from the keyboard:
 * ↑/↓ move, ←/→ collapse and expand (or go to parent / first child), Enter toggles, `z` zooms to
 * the span, `0` shows the whole trace, `+`/`-` zoom, `/` searches.
 */
export function Waterfall({
  tree,
  collapsed,
  onCollapsedChange,
  onToggle,
  selectedRow,
  onSelect,
  critical,
  onCollapseAll,
  onExpandAll,
  running = false,
}: WaterfallProps) {
  const visible = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const traceStartMs = originUsOf(tree) / 1000;
  const [liveEndMs, setLiveEndMs] = useState(0);
  useEffect(() => {
    if (!running) return;
    let timer: number | undefined;
    const extend = (): void => {
      const nowMs = Date.now() - traceStartMs;
      const endMs = Math.max(nowMs * LIVE_HEADROOM, nowMs + MIN_LIVE_HEADROOM_MS);
      setLiveEndMs(endMs);
      timer = window.setTimeout(extend, endMs - nowMs);
    };
    extend();
    return () => window.clearTimeout(timer);
  }, [running, traceStartMs]);
  const totalMs = Math.max(totalMsOf(tree), running ? liveEndMs : 0);
  const [view, setView] = useState<TimeView>(() => fullView(totalMs));
  // A view showing the whole trace keeps showing it as the trace grows (or as a run ends and the
  // axis comes back from past now to its end); one the user zoomed stays.
  const shownTotalMs = useRef(totalMs);
  useLayoutEffect(() => {
    const beforeMs = shownTotalMs.current;
    shownTotalMs.current = totalMs;
    if (beforeMs !== totalMs) setView((v) => (v.startMs <= 0 && v.endMs >= beforeMs ? fullView(totalMs) : v));
  }, [totalMs]);
  const [showCritical, setShowCritical] = useState(true);
  const scrollRef = useRef<HTMLDivElement>(null);
  // The rows in the DOM follow from the scroll position and the viewport's height, kept as state
  // and read only in the scroll handler and a ResizeObserver: folding rows re-renders from them
  // without making the browser lay the page out again first.
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  // A trace too tall for a browser's biggest element scrolls a shorter canvas, scaled (`scrollMap`):
  // `rowsTop` is the offset into the rows at the top of the view.
  const map = scrollMap(visible.length, ROW_HEIGHT, viewport.height);
  const rowsTop = viewport.top * map.ratio;
  const win = rowWindow(visible.length, rowsTop, viewport.height, ROW_HEIGHT, overscanFor(map.ratio));
  const rendered = useRef(win);
  rendered.current = win;
  const countRef = useRef(visible.length);
  countRef.current = visible.length;
  const heightRef = useRef(viewport.height);
  heightRef.current = viewport.height;
  const mapRef = useRef(map);
  mapRef.current = map;

  // A scroll re-renders only when it moves the window of rows (or, scaled, moves every row).
  const scrollEnd = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (el === null) return;
    // While the view scrolls its rows take no pointer events (trace.css), until 150 ms after the
    // last scroll: the mouse move Chromium sends after each scroll step hit-tested the new rows,
    // the long tasks (40-92 ms) of bench:web's scroll through 50,000 spans (BENCHMARKS.md).
    el.classList.add('scrolling');
    if (scrollEnd.current !== null) clearTimeout(scrollEnd.current);
    scrollEnd.current = setTimeout(() => el.classList.remove('scrolling'), 150);
    const top = el.scrollTop;
    const { ratio } = mapRef.current;
    const next = rowWindow(countRef.current, top * ratio, heightRef.current, ROW_HEIGHT, overscanFor(ratio));
    if (ratio !== 1 || next.first !== rendered.current.first || next.last !== rendered.current.last) setViewport((v) => ({ top, height: v.height }));
  }, []);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const observer = new ResizeObserver(() => setViewport({ top: el.scrollTop, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // More rows came (a bigger tree of the same trace): the row at the top of the view stays where it
  // is, whatever was inserted above it (the time view follows the trace's total, above).
  const shown = useRef<ShownRows | null>(null);
  useLayoutEffect(() => {
    const before = shown.current;
    shown.current = { tree, visible, ratio: map.ratio };
    const el = scrollRef.current;
    if (before === null || before.tree === tree || before.tree.spans !== tree.spans || el === null) return;
    const top = anchoredScrollTop(before, shown.current, el.scrollTop, ROW_HEIGHT);
    if (top === null) return;
    el.scrollTop = top;
    setViewport((v) => ({ top: el.scrollTop, height: v.height }));
  }, [tree, visible, map.ratio]);

  // The benchmark and anyone curious can read this mark: the first rows are on screen.
  const painted = useRef(false);
  useEffect(() => {
    if (painted.current || tree.count === 0) return;
    painted.current = true;
    requestAnimationFrame(() => setTimeout(() => performance.mark('spoor:waterfall-painted'), 0));
  }, [tree]);

  // Search: debounced, matches highlighted, Enter steps through them revealing each.
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<Int32Array>(() => new Int32Array(0));
  const [matchAt, setMatchAt] = useState(-1);
  // The server answers at most 1,000 matches; "+" says there are more.
  const [truncated, setTruncated] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      const local = searchSpans(tree, query);
      setMatches(local);
      setMatchAt(-1);
      setTruncated(false);
      // Attribute values stay on the server; its matches join the local ones when they come.
      const text = attributeSearchText(query);
      if (text === null) return;
      apiGet<TraceSearchResponse>(apiUrl(`/api/traces/${tree.traceId}/search`, { q: text }), controller.signal).then(
        (found) => {
          setMatches(mergeMatches(tree, local, found.spanIds));
          setTruncated(found.truncated);
        },
        () => {
          // Aborted by the next keystroke, or the server failed: the local matches stand.
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [tree, query]);
  const matchFlags = useMemo(() => {
    const flags = new Uint8Array(tree.count);
    for (const row of matches) flags[row] = 1;
    return flags;
  }, [tree, matches]);

  const scrollToRow = useCallback((row: number, rows: Int32Array) => {
    const el = scrollRef.current;
    const index = indexOfRow(rows, row);
    if (el === null || index === -1) return false;
    // In row pixels; the canvas may be scaled (`scrollMap`).
    const { ratio } = mapRef.current;
    const top = index * ROW_HEIGHT;
    const viewTop = el.scrollTop * ratio;
    if (top < viewTop) el.scrollTop = top / ratio;
    else if (top + ROW_HEIGHT > viewTop + el.clientHeight) el.scrollTop = (top + ROW_HEIGHT - el.clientHeight) / ratio;
    return true;
  }, []);

  // Bring the selected row into view when the selection changes (keys, a search step, a log's
  // "jump to span", the URL); folding rows elsewhere, or rows arriving above it, must not pull the
  // view back to it: the selection is remembered by span, not by row.
  const shownSelection = useRef<number | null>(null);
  useEffect(() => {
    const span = selectedRow === null ? null : tree.order[selectedRow]!;
    if (selectedRow === null || span === shownSelection.current) return;
    // A row still hidden under a collapsed parent is shown once it is revealed.
    if (scrollToRow(selectedRow, visible)) shownSelection.current = span!;
  }, [tree, selectedRow, visible, scrollToRow]);

  const stepMatch = (delta: number) => {
    if (matches.length === 0) return;
    // The first step goes to the first match, or back to the last.
    const next = matchAt === -1 ? (delta > 0 ? 0 : matches.length - 1) : (matchAt + delta + matches.length) % matches.length;
    const row = matches[next]!;
    setMatchAt(next);
    const revealed = revealRows(tree, collapsed, [row]);
    if (revealed !== collapsed) onCollapsedChange(revealed);
    onSelect(row);
  };

  const zoomBy = (factor: number, anchorMs?: number) => setView((v) => zoomView(v, factor, anchorMs ?? (v.startMs + v.endMs) / 2, totalMs));

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const index = selectedRow === null ? -1 : indexOfRow(visible, selectedRow);
    const pageRows = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 1);
    const moveTo = (i: number) => {
      const row = visible[Math.min(visible.length - 1, Math.max(0, i))];
      if (row !== undefined) onSelect(row);
    };
    const row = selectedRow;
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
        moveTo(index === -1 ? 0 : index - 1);
        break;
      case 'PageDown':
        moveTo(index + pageRows);
        break;
      case 'PageUp':
        moveTo(index - pageRows);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(visible.length - 1);
        break;
      case 'ArrowRight':
        if (row === null) break;
        if (tree.childCount[row]! > 0 && isCollapsed(tree, collapsed, row)) onToggle(row);
        else if (tree.childCount[row]! > 0) onSelect(row + 1);
        break;
      case 'ArrowLeft':
        if (row === null) break;
        if (tree.childCount[row]! > 0 && !isCollapsed(tree, collapsed, row)) onToggle(row);
        else if (tree.parent[row] !== -1) onSelect(tree.parent[row]!);
        break;
      case 'Enter':
      case ' ':
        if (row !== null) onToggle(row);
        break;
      case 'z':
        if (row !== null) setView(viewAround(startMsAt(tree, row), startMsAt(tree, row) + durationMsAt(tree, row), totalMs));
        break;
      case '0':
        setView(fullView(totalMs));
        break;
      case '+':
      case '=':
        zoomBy(0.5);
        break;
      case '-':
        zoomBy(2);
        break;
      case '/':
        document.getElementById('wf-search')?.focus();
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  // Ctrl/⌘ + wheel zooms around the pointer; shift + wheel (or a sideways wheel) pans. A native
  // listener, because React's wheel listener is passive and could not stop the browser's own zoom.
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = rootRef.current;
    if (root === null) return;
    const onWheel = (event: WheelEvent) => {
      const timeline = (event.target as HTMLElement).closest('.wf-timeline, .wf-axis');
      if (timeline === null) return;
      const box = timeline.getBoundingClientRect();
      const at = (event.clientX - box.left) / box.width;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        const factor = event.deltaY > 0 ? 1.25 : 0.8;
        setView((v) => zoomView(v, factor, v.startMs + at * (v.endMs - v.startMs), totalMs));
      } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
        event.preventDefault();
        // Chromium reports shift + wheel as a sideways wheel on some systems, as deltaY on others.
        const delta = (event.deltaX !== 0 ? event.deltaX : event.deltaY) / box.width;
        setView((v) => panView(v, delta * (v.endMs - v.startMs), totalMs));
      }
    };
    root.addEventListener('wheel', onWheel, { passive: false });
    return () => root.removeEventListener('wheel', onWheel);
  }, [totalMs]);

  const onPath = showCritical && critical !== null ? critical.onPath : null;
  // Rows are keyed by their slot in the window, not by span: a row scrolled out is reused for the
  // row scrolled in, so scrolling updates a few props and texts instead of creating and dropping
  // DOM nodes and fibers (whose garbage, on a 50,000-span heap, shows up as long GC pauses).
  // Unscaled, the slot is the row's index modulo the slots, so a row scrolled by keeps its slot and
  // its props. Scaled, where a frame's step moves past the window, the slot is the place in the
  // window: every row changes anyway, and modulo slots React would also move half of the rows'
  // nodes to keep the DOM in order (26 moves a frame, each laid out again).
  // Scaled, the rows in view are drawn where the view is: at their offset into the rows, less the
  // difference between that and the scroll position. The rows are placed from a base that moves
  // every million pixels, and the difference is one transform on the rows' holder: a scroll moves
  // the holder and leaves the rows' props as they were (and their coordinates small).
  const base = map.ratio === 1 ? 0 : Math.floor(rowsTop / BASE_BLOCK_PX) * BASE_BLOCK_PX;
  const holderTop = base - (rowsTop - viewport.top);
  const slots = map.ratio === 1 ? Math.max(Math.ceil(viewport.height / ROW_HEIGHT) + 2 * OVERSCAN + 2, win.last - win.first) : 0;
  const rows = [];
  for (let i = win.first; i < Math.min(win.last, visible.length); i++) {
    const row = visible[i]!;
    rows.push(
      <WaterfallRow
        key={slots === 0 ? i - win.first : i % slots}
        row={row}
        topPx={i * ROW_HEIGHT - base}
        spanId={spanIdAt(tree, row)}
        name={nameAt(tree, row)}
        service={serviceAt(tree, row)}
        category={categoryAt(tree, row)}
        isError={isErrorAt(tree, row)}
        note={rowNote(tree, row)}
        depth={tree.depth[row]!}
        posInSet={tree.posInSet[row]!}
        setSize={tree.parent[row] === -1 ? tree.rootCount : tree.childCount[tree.parent[row]!]!}
        startMs={startMsAt(tree, row)}
        durationMs={durationMsAt(tree, row)}
        state={tree.spans.state[tree.order[row]!]!}
        traceStartMs={traceStartMs}
        events={eventsAt(tree, row)}
        hasChildren={tree.childCount[row]! > 0}
        expanded={!isCollapsed(tree, collapsed, row)}
        selected={row === selectedRow}
        match={matchFlags[row] === 1}
        currentMatch={matchAt !== -1 && matches[matchAt] === row}
        onPath={onPath !== null && onPath[row] === 1}
        segments={onPath !== null ? critical!.segments.get(row) : undefined}
        view={view}
        onToggle={onToggle}
        onSelect={onSelect}
      />,
    );
  }

  const zoomed = view.startMs > 0 || view.endMs < totalMs;
  // Only a row in the DOM can be the active descendant; a selection scrolled away names none.
  const selectedIndex = selectedRow === null ? -1 : indexOfRow(visible, selectedRow);
  return (
    <div ref={rootRef} className="waterfall" data-testid="waterfall">
      <div className="wf-toolbar">
        <input
          id="wf-search"
          type="search"
          placeholder="Search spans: name, attribute text, status:error, category:llm, model:…"
          aria-label="Search spans in this trace"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              stepMatch(e.shiftKey ? -1 : 1);
            } else if (e.key === 'Escape') {
              setQuery('');
              scrollRef.current?.focus();
            }
          }}
        />
        {query !== '' && (
          <span className="muted" aria-live="polite">
            {matches.length === 0 ? 'no match' : `${matchAt === -1 ? '–' : matchAt + 1} / ${matches.length}${truncated ? '+' : ''}`}
          </span>
        )}
        <button type="button" onClick={() => stepMatch(-1)} disabled={matches.length === 0} aria-label="Previous match">
          ↑
        </button>
        <button type="button" onClick={() => stepMatch(1)} disabled={matches.length === 0} aria-label="Next match">
          ↓
        </button>
        <span className="wf-sep" />
        <button type="button" data-testid="collapse-all" onClick={onCollapseAll}>
          Collapse all
        </button>
        <button type="button" data-testid="expand-all" onClick={onExpandAll}>
          Expand all
        </button>
        <label className="wf-check">
          <input type="checkbox" checked={showCritical} onChange={(e) => setShowCritical(e.target.checked)} disabled={critical === null} />
          Critical path{critical !== null ? ` (${formatCountOf(critical.rows.length, 'span')})` : ''}
        </label>
        <span className="wf-sep" />
        <button type="button" onClick={() => zoomBy(0.5)} aria-label="Zoom in" title="Zoom in (+, or Ctrl + wheel)">
          +
        </button>
        <button type="button" onClick={() => zoomBy(2)} aria-label="Zoom out" title="Zoom out (-)">
          −
        </button>
        <button type="button" onClick={() => setView(fullView(totalMs))} disabled={!zoomed} title="Show the whole trace (0)">
          Fit
        </button>
      </div>
      <div className="wf-header">
        <div className="wf-name-head">
          {visible.length.toLocaleString('en-US')} of {tree.count.toLocaleString('en-US')} spans
        </div>
        <TimeAxis view={view} totalMs={totalMs} onView={setView} />
      </div>
      <div
        ref={scrollRef}
        className="wf-scroll"
        data-testid="waterfall-scroll"
        role="tree"
        aria-label="Spans of the trace"
        aria-activedescendant={selectedIndex >= win.first && selectedIndex < win.last ? `wf-row-${selectedRow}` : undefined}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
      >
        <div className="wf-canvas" style={{ height: map.canvasPx }}>
          <div className="wf-rows" style={holderTop === 0 ? undefined : { transform: `translateY(${holderTop}px)` }}>
            {rows}
          </div>
        </div>
      </div>
    </div>
  );
}

import { memo } from 'react';
import type { SpanCategory } from '@spoor/model';
import { formatDuration } from '../format';
import { useFrameClock } from '../live/frame-clock';
import { drawnSegments } from './critical-path';
import { barBox, type TimeView } from './layout';
import { ABANDONED, RUNNING } from './span-columns';

export const ROW_HEIGHT = 26;
const INDENT_PX = 14;
/** Past this depth rows stop indenting further, so a deep chain keeps its names readable. */
const MAX_INDENT_DEPTH = 24;
/** Each category's letter in its coloured badge, so categories do not differ by colour alone. */
const CATEGORY_LETTERS: Readonly<Record<SpanCategory, string>> = {
  workflow: 'W',
  agent: 'A',
  step: 'S',
  llm: 'L',
  tool: 'T',
  retriever: 'R',
  embedding: 'E',
  other: '·',
};

export interface WaterfallRowProps {
  row: number;
  /** Where the row is drawn in the scrolled canvas, px from its top. */
  topPx: number;
  spanId: string;
  name: string;
  service: string;
  category: SpanCategory;
  isError: boolean;
  /** A mark for a span not placed as it says (`rowNote`), or `null`. */
  note: string | null;
  depth: number;
  /** Position among its siblings and how many there are, for screen readers: only some rows are in the DOM. */
  posInSet: number;
  setSize: number;
  startMs: number;
  /** Of a running span, the time so far when its snapshot came: its bar is drawn on to now. */
  durationMs: number;
  /** Index into `SPAN_STATES`: ended, running (drawn to now, every frame) or abandoned. */
  state: number;
  /** Epoch ms of trace time 0, where "now" is measured from for a running span. */
  traceStartMs: number;
  /** [offset ms, name] of the span's events, trace time. */
  events: readonly (readonly [number, string])[] | undefined;
  hasChildren: boolean;
  expanded: boolean;
  selected: boolean;
  match: boolean;
  currentMatch: boolean;
  onPath: boolean;
  /** Flat [startMs, endMs] pairs of the critical path within this span, or `undefined`. */
  segments: readonly number[] | undefined;
  view: TimeView;
  onToggle: (row: number) => void;
  onSelect: (row: number) => void;
}

/**
 * One row: the span's name in the tree on the left, its bar on the timeline on the right. Memoized
 * on its props, so scrolling or selecting re-renders only the rows that changed.
 */
export const WaterfallRow = memo(function WaterfallRow(props: WaterfallRowProps) {
  const {
    row,
    topPx,
    spanId,
    name,
    service,
    category,
    isError,
    note,
    depth,
    posInSet,
    setSize,
    startMs,
    state,
    traceStartMs,
    events,
    hasChildren,
    expanded,
    selected,
    match,
    currentMatch,
    onPath,
    segments,
    view,
  } = props;
  // A running span's row alone re-renders each frame: its bar's end and its duration move with the clock.
  const running = state === RUNNING;
  const nowMs = useFrameClock(running);
  const durationMs = running ? Math.max(props.durationMs, nowMs - traceStartMs - startMs) : props.durationMs;
  const box = barBox(startMs, durationMs, view);
  const stateClass = running ? 'running' : state === ABANDONED ? 'abandoned' : null;
  const className = ['wf-row', selected && 'selected', match && 'match', currentMatch && 'current-match', isError && 'error', onPath && 'on-path', stateClass]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      id={`wf-row-${row}`}
      className={className}
      role="treeitem"
      aria-level={depth + 1}
      aria-posinset={posInSet}
      aria-setsize={setSize}
      aria-expanded={hasChildren ? expanded : undefined}
      aria-selected={selected}
      data-span-id={spanId}
      data-state={stateClass ?? 'ended'}
      style={{ transform: `translateY(${topPx}px)` }}
      onClick={() => props.onSelect(row)}
    >
      <div className="wf-name" style={{ paddingLeft: Math.min(depth, MAX_INDENT_DEPTH) * INDENT_PX + 4 }} title={`${name} (${service})`}>
        {hasChildren ? (
          <button
            type="button"
            className="wf-toggle"
            data-testid="toggle"
            tabIndex={-1}
            aria-label={expanded ? `Collapse ${name}` : `Expand ${name}`}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(row);
            }}
          >
            {expanded ? '▾' : '▸'}
          </button>
        ) : (
          <span className="wf-toggle-space" />
        )}
        <span className={`wf-cat cat-${category}`} title={category} role="img" aria-label={category}>
          {CATEGORY_LETTERS[category]}
        </span>
        {isError && (
          <span className="wf-error-mark" role="img" aria-label="error">
            ✕
          </span>
        )}
        {running && <span className="wf-state-mark running" role="img" aria-label="running" title="Running: drawn to now" />}
        {state === ABANDONED && (
          <span
            className="wf-state-mark abandoned"
            role="img"
            aria-label="abandoned"
            title="Abandoned: its trace went quiet before it ended (its process went away)"
          />
        )}
        {/* A search match is marked in the text too (underlined, and a <mark> for screen readers), not only by the row's tint. */}
        {match ? <mark className="wf-span-name">{name}</mark> : <span className="wf-span-name">{name}</span>}
        <span className="wf-service">{service}</span>
        {note !== null && <span className="wf-note">({note})</span>}
      </div>
      <div className={events !== undefined && box !== null ? 'wf-timeline has-events' : 'wf-timeline'}>
        {box !== null && (
          <div className={`wf-bar cat-${category}`} style={{ marginLeft: `${box.left * 100}%`, width: `${box.width * 100}%` }}>
            {segments !== undefined && segmentBoxes(drawnSegments(segments, view), startMs, durationMs)}
          </div>
        )}
        {box !== null && <span className="wf-duration">{running ? `${formatDuration(durationMs)}…` : formatDuration(durationMs)}</span>}
        {events !== undefined && box !== null && eventMarks(events, view)}
      </div>
    </div>
  );
});

/** The critical path inside a bar, as fractions of the bar (the bar is the span). */
function segmentBoxes(segments: readonly number[], startMs: number, durationMs: number) {
  const out = [];
  const width = Math.max(durationMs, 1e-9);
  for (let i = 0; i < segments.length; i += 2) {
    const left = Math.max(0, (segments[i]! - startMs) / width);
    const right = Math.min(1, (segments[i + 1]! - startMs) / width);
    out.push(<span key={i} className="wf-critical" style={{ left: `${left * 100}%`, width: `${Math.max(right - left, 0) * 100}%` }} />);
  }
  return out;
}

/** Ticks for span events (exceptions in the error colour); at most 20 so a chatty span stays cheap. */
function eventMarks(events: readonly (readonly [number, string])[], view: TimeView) {
  const viewSpan = view.endMs - view.startMs;
  return events.slice(0, 20).map(([atMs, name], i) => {
    const at = (atMs - view.startMs) / viewSpan;
    if (!(at >= 0 && at <= 1)) return null;
    return <span key={i} className={name === 'exception' ? 'wf-event wf-event-exception' : 'wf-event'} style={{ left: `${at * 100}%` }} title={name} />;
  });
}

import { useRef, useState, type PointerEvent } from 'react';
import { timeAt, timeTicks, viewAround, type TimeView } from './layout';

/**
 * Tick labels over the timeline; dragging across it zooms to the dragged stretch, and the
 * overview strip under it shows where the view sits in the whole trace.
 */
export function TimeAxis({ view, totalMs, onView }: { view: TimeView; totalMs: number; onView: (view: TimeView) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const ticks = timeTicks(view, 8);
  const xOf = (event: PointerEvent) => {
    const box = ref.current!.getBoundingClientRect();
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
  };
  const total = Math.max(totalMs, 1e-9);
  return (
    <div
      ref={ref}
      className="wf-axis"
      title="Drag to zoom into a stretch of time"
      onPointerDown={(e) => {
        e.currentTarget.setPointerCapture(e.pointerId);
        const x = xOf(e);
        setDrag({ from: x, to: x });
      }}
      onPointerMove={(e) => drag !== null && setDrag({ from: drag.from, to: xOf(e) })}
      onPointerCancel={() => setDrag(null)}
      onPointerUp={() => {
        if (drag !== null && Math.abs(drag.to - drag.from) > 0.005) {
          const [a, b] = drag.from < drag.to ? [drag.from, drag.to] : [drag.to, drag.from];
          onView(viewAround(timeAt(view, a, 1), timeAt(view, b, 1), totalMs, 0));
        }
        setDrag(null);
      }}
    >
      {ticks.map((tick) => (
        <span key={tick.label + tick.at} className="wf-tick" style={{ left: `${tick.at * 100}%` }}>
          {tick.label}
        </span>
      ))}
      <div className="wf-overview" aria-hidden="true">
        <span style={{ left: `${(view.startMs / total) * 100}%`, width: `${((view.endMs - view.startMs) / total) * 100}%` }} />
      </div>
      {drag !== null && (
        <div className="wf-drag" style={{ left: `${Math.min(drag.from, drag.to) * 100}%`, width: `${Math.abs(drag.to - drag.from) * 100}%` }} />
      )}
    </div>
  );
}

import type { Panel } from './document';
import type { Direction } from './grid';

export interface PanelControlsProps {
  panel: Panel;
  onMove: (direction: Direction) => void;
  onResize: (w: number, h: number) => void;
  onEdit: () => void;
  onRemove: () => void;
}

const ARROWS: Array<[Direction, string]> = [
  ['left', '←'],
  ['up', '↑'],
  ['down', '↓'],
  ['right', '→'],
];

/** A panel's editing buttons: move one cell, width and height in cells, edit, remove. */
export function PanelControls({ panel, onMove, onResize, onEdit, onRemove }: PanelControlsProps) {
  const size = (key: 'w' | 'h', label: string, max: number) => (
    <input
      type="number"
      min={1}
      max={max}
      aria-label={`${label} of ${panel.title}`}
      title={label}
      value={panel.grid[key]}
      onChange={(e) => {
        const n = Number(e.target.value);
        if (Number.isInteger(n) && n >= 1) onResize(key === 'w' ? n : panel.grid.w, key === 'h' ? n : panel.grid.h);
      }}
    />
  );
  return (
    <span className="dash-panel-controls">
      {ARROWS.map(([direction, arrow]) => (
        <button key={direction} type="button" aria-label={`Move ${panel.title} ${direction}`} onClick={() => onMove(direction)}>
          {arrow}
        </button>
      ))}
      {size('w', 'Width', 12)}×{size('h', 'Height', 24)}
      <button type="button" onClick={onEdit}>
        Edit
      </button>
      <button type="button" aria-label={`Remove ${panel.title}`} onClick={onRemove}>
        ✕
      </button>
    </span>
  );
}

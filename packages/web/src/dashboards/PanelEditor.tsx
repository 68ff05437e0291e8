import { useState } from 'react';
import type { ChartSeries } from '../charts/line-chart-model';
import { LineChart } from '../components/LineChart';
import { PANEL_KINDS, type Panel, type PanelKind, type PanelQuery, UNITS, type Unit } from './document';
import { previewQueries } from './preview';
import { unitFormat } from './units';
import type { ReadWindow } from './url-state';

export interface PanelEditorProps {
  panel: Panel;
  values: Readonly<Record<string, string>>;
  window: ReadWindow;
  onApply: (panel: Panel) => void;
  onClose: () => void;
}

/**
 * A panel's title, kind, unit and expressions, with a preview that reads them over the page's
 * range: the parser's error shows under the expressions. Nothing reaches the dashboard (nor reads
 * again) until Apply.
 */
export function PanelEditor({ panel, values, window, onApply, onClose }: PanelEditorProps) {
  const [title, setTitle] = useState(panel.title);
  const [kind, setKind] = useState<PanelKind>(panel.kind);
  const [unit, setUnit] = useState<Unit>(panel.unit ?? '');
  const [queries, setQueries] = useState<PanelQuery[]>(panel.queries);
  const [preview, setPreview] = useState<{ times: number[]; series: ChartSeries[] } | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const setQuery = (i: number, change: Partial<PanelQuery>) => setQueries((qs) => qs.map((q, j) => (j === i ? { ...q, ...change } : q)));
  const runPreview = () => {
    setBusy(true);
    previewQueries(queries, values, window).then(
      (chart) => {
        setPreview(chart);
        setError(undefined);
        setBusy(false);
      },
      (e: Error) => {
        setPreview(null);
        setError(e);
        setBusy(false);
      },
    );
  };
  const format = unitFormat(unit);
  return (
    <div className="panel dash-editor" data-testid="panel-editor" role="dialog" aria-label={`Edit panel ${panel.title}`}>
      <h2>Panel {panel.id}</h2>
      <div className="dash-editor-fields">
        <label>
          Title <input aria-label="Panel title" value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Kind
          <select aria-label="Panel kind" value={kind} onChange={(e) => setKind(e.target.value as PanelKind)}>
            {PANEL_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Unit
          <select aria-label="Panel unit" value={unit} onChange={(e) => setUnit(e.target.value as Unit)}>
            {UNITS.map((u) => (
              <option key={u} value={u}>
                {u === '' ? 'none' : u}
              </option>
            ))}
          </select>
        </label>
      </div>
      {queries.map((q, i) => (
        // Queries have no id: their place is what names them.
        <div key={i} className="dash-editor-query">
          <textarea aria-label={`Expression ${i + 1}`} rows={2} spellCheck={false} value={q.expr} onChange={(e) => setQuery(i, { expr: e.target.value })} />
          <input
            aria-label={`Legend ${i + 1}`}
            placeholder="legend, e.g. {{model}}"
            value={q.legend ?? ''}
            onChange={(e) => setQuery(i, { legend: e.target.value })}
          />
          {queries.length > 1 && (
            <button type="button" onClick={() => setQueries((qs) => qs.filter((_, j) => j !== i))}>
              Remove
            </button>
          )}
        </div>
      ))}
      <div className="dash-editor-actions">
        <button type="button" onClick={() => setQueries((qs) => [...qs, { expr: '' }])}>
          Add expression
        </button>
        <button type="button" onClick={runPreview} disabled={busy}>
          {busy ? 'Reading…' : 'Preview'}
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => onApply({ ...panel, title, kind, unit, queries: queries.map((q) => (q.legend ? q : { expr: q.expr })) })}
        >
          Apply
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error !== undefined && (
        <pre className="dash-expr-error" data-testid="expr-error">
          {error.message}
        </pre>
      )}
      {preview !== null && (
        <LineChart
          title="Preview"
          times={preview.times}
          series={preview.series}
          stepMs={window.stepS * 1000}
          formatValue={format.value}
          formatTick={format.tick}
          height={160}
        />
      )}
    </div>
  );
}

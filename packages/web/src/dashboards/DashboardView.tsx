import { useMemo, useState } from 'react';
import { ApiError } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { RangePicker } from '../components/RangePicker';
import { navigate, setSearch } from '../router';
import { resolveRange } from '../time-range';
import { useApi } from '../use-api';
import { useNow } from '../use-now';
import { DashboardPanel } from './DashboardPanel';
import { dashboardUrl, saveDashboard, storedOf } from './dashboards-api';
import { type DashboardDoc, documentOf, type Panel, type StoredDashboard } from './document';
import { DashboardEditBar } from './DashboardEditBar';
import { downloadDashboard } from './export-file';
import { freshPanelId, movePanel, placeNew, readingOrder, resizePanel } from './grid';
import { PanelControls } from './PanelControls';
import { PanelEditor } from './PanelEditor';
import { REFRESH_OPTIONS, readWindow, refreshMsOf, variableValues } from './url-state';
import { VariablePicker } from './VariablePicker';
import { VersionsList } from './VersionsList';

/**
 * One dashboard: its variables' pickers, the page's range and refresh, and its panels on the
 * grid, each reading on its own. Everything but an unsaved edit is in the URL. Editing works on
 * a draft; Save writes a new version, refused (409) when someone saved another since it was opened.
 */
export function DashboardView({ name, search }: { name: string; search: URLSearchParams }) {
  const version = search.get('version');
  // A new dashboard (`?new=`, from the list's Create) starts as a draft: there is nothing to read yet.
  const isNew = search.get('new') !== null;
  const loaded = useApi<Parameters<typeof storedOf>[0]>(isNew ? null : dashboardUrl(name, version));
  const stored = useMemo(() => (loaded.data === undefined ? undefined : storedOf(loaded.data)), [loaded.data]);
  const [draft, setDraft] = useState<DashboardDoc | null>(null);
  const [editingPanel, setEditingPanel] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<Error | undefined>(undefined);
  const [showVersions, setShowVersions] = useState(false);
  const startDraft = isNew && draft === null ? { name, title: search.get('new') || name, variables: [], panels: [] } : null;
  if (startDraft !== null) setDraft(startDraft);
  const doc: DashboardDoc | undefined = draft ?? stored;

  // "Now" moves with the range's own parameters and the refresh, never with a picker: a picked
  // variable re-reads only the panels that use it.
  const refreshMs = refreshMsOf(search);
  const nowMs = useNow(refreshMs, `${search.get('range')}|${search.get('from')}|${search.get('to')}`);
  const range = resolveRange(search, nowMs, '1h');
  const { startS, endS, stepS } = readWindow(range.from, range.to, nowMs);
  const readAt = useMemo(() => ({ startS, endS, stepS }), [startS, endS, stepS]);
  const varKey = (doc?.variables ?? []).map((v) => `${v.name}=${search.get(`var-${v.name}`)}`).join('&');
  // Keyed on the variables' text so unrelated URL changes keep the same object
  const values = useMemo(() => variableValues(doc?.variables ?? [], search), [varKey, doc?.variables]);

  if (doc === undefined) {
    return (
      <div className="dashboards-page">
        <p>
          <Link to="/dashboards">← Dashboards</Link>
        </p>
        <ErrorBox error={loaded.error} />
        {loaded.loading && <p className="muted">Loading…</p>}
      </div>
    );
  }
  const editing = draft !== null;
  const change = (panels: Panel[]) => setDraft((d) => (d === null ? d : { ...d, panels }));
  const save = () => {
    if (draft === null) return;
    setSaveError(undefined);
    saveDashboard(draft, isNew ? null : (stored?.version ?? null)).then(
      () => {
        // The address first: a draft gone while `new` is still in it would start another.
        if (isNew || version !== null) setSearch({ new: null, version: null }, { replace: true });
        setDraft(null);
        setEditingPanel(null);
        loaded.reload();
      },
      (error: Error) => setSaveError(error),
    );
  };
  const addPanel = () => {
    if (draft === null) return;
    const id = freshPanelId(draft.panels);
    change([
      ...draft.panels,
      { id, title: 'New panel', kind: 'timeseries', grid: placeNew(draft.panels), queries: [{ expr: 'count(spans)[$__interval]' }], unit: 'count' },
    ]);
    setEditingPanel(id);
  };
  const panelBeingEdited = draft?.panels.find((p) => p.id === editingPanel);
  const conflict = saveError instanceof ApiError && saveError.status === 409;

  return (
    <div className="dashboards-page">
      <p className="dash-crumbs">
        <Link to="/dashboards">← Dashboards</Link>
      </p>
      <div className="dash-heading">
        <h1>{doc.title}</h1>
        {stored?.ready && !editing && <span className="dash-badge">ready</span>}
        {/* Version 0 is the ready document as Spoor ships it: nothing saved yet. */}
        {stored?.version !== undefined && stored.version > 0 && <span className="muted">version {stored.version}</span>}
        {version !== null && (
          <span className="muted">
            (an older version; <Link to={`/dashboards/${encodeURIComponent(name)}`}>open the newest</Link>)
          </span>
        )}
      </div>
      {doc.description && <p className="muted">{doc.description}</p>}
      <div className="toolbar">
        <RangePicker range={range} />
        <label>
          Refresh
          <select
            aria-label="Refresh"
            value={search.get('refresh') ?? 'off'}
            onChange={(e) => setSearch({ refresh: e.target.value === 'off' ? null : e.target.value })}
          >
            {REFRESH_OPTIONS.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {doc.variables.map((v) => (
          <VariablePicker key={v.name} variable={v} value={values[v.name] ?? ''} window={readAt} />
        ))}
        <span className="toolbar-spacer" />
        {!editing && (
          <>
            <button type="button" onClick={() => setDraft(documentOf(doc as StoredDashboard))}>
              Edit
            </button>
            <button type="button" onClick={() => downloadDashboard(documentOf(doc as StoredDashboard))}>
              Export
            </button>
            <button type="button" aria-pressed={showVersions} onClick={() => setShowVersions((s) => !s)}>
              Versions
            </button>
          </>
        )}
      </div>
      {editing && (
        <DashboardEditBar
          draft={draft}
          onChange={setDraft}
          onAddPanel={addPanel}
          onSave={save}
          onCancel={() => {
            setDraft(null);
            setEditingPanel(null);
            setSaveError(undefined);
            if (isNew) navigate('/dashboards');
          }}
        />
      )}
      {conflict ? (
        <div className="error-box" role="alert" data-testid="save-conflict">
          Not saved: someone saved another version of this dashboard since you opened it ({saveError.message}). Your changes are still here;{' '}
          <a href={`/dashboards/${encodeURIComponent(name)}`} target="_blank" rel="noreferrer">
            open theirs in a new tab
          </a>{' '}
          to compare.
        </div>
      ) : (
        <ErrorBox error={saveError} />
      )}
      {panelBeingEdited !== undefined && (
        <PanelEditor
          key={panelBeingEdited.id}
          panel={panelBeingEdited}
          values={values}
          window={readAt}
          onApply={(next) => {
            change(draft!.panels.map((p) => (p.id === next.id ? next : p)));
            setEditingPanel(null);
          }}
          onClose={() => setEditingPanel(null)}
        />
      )}
      {showVersions && !editing && <VersionsList name={name} shown={stored?.version} />}
      {doc.panels.length === 0 && <div className="empty">No panels yet{editing ? ': add one.' : '.'}</div>}
      <div className="dash-grid">
        {readingOrder(doc.panels).map((panel) => (
          <DashboardPanel
            // Another kind reads another shape of answer: a fresh panel, not the old kind's data.
            key={`${panel.id}:${panel.kind}`}
            panel={panel}
            values={values}
            window={readAt}
            controls={
              editing ? (
                <PanelControls
                  panel={panel}
                  onMove={(direction) => change(movePanel(draft.panels, panel.id, direction))}
                  onResize={(w, h) => change(resizePanel(draft.panels, panel.id, w, h))}
                  onEdit={() => setEditingPanel(panel.id)}
                  onRemove={() => change(draft.panels.filter((p) => p.id !== panel.id))}
                />
              ) : undefined
            }
          />
        ))}
      </div>
    </div>
  );
}

import { useState } from 'react';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatTime } from '../format';
import { navigate, pathWith } from '../router';
import { useApi } from '../use-api';
import { useConfirmedDelete } from '../use-confirmed-delete';
import { type DashboardSummary, dashboardsOf, listUrl, saveDashboard } from './dashboards-api';
import { NAME_PATTERN } from './document';
import { readDashboardFile } from './export-file';

/** The dashboards of the project, the ready ones marked; a new one by name, or one imported from a file. */
export function DashboardList({ search }: { search: URLSearchParams }) {
  const { data, error, loading, reload } = useApi<Parameters<typeof dashboardsOf>[0]>(listUrl);
  const deleting = useConfirmedDelete((name) => `/api/dashboards/${encodeURIComponent(name)}`, reload);
  const dashboards = dashboardsOf(data);
  const [name, setName] = useState('');
  const [importError, setImportError] = useState<string | Error | undefined>(undefined);
  const onImport = async (file: File | undefined) => {
    if (file === undefined) return;
    setImportError(undefined);
    const read = await readDashboardFile(file);
    if ('error' in read) return setImportError(read.error);
    try {
      const saved = await saveDashboard(read.doc, null);
      navigate(`/dashboards/${encodeURIComponent(saved.name || read.doc.name)}`);
    } catch (e) {
      setImportError(e as Error);
    }
  };
  return (
    <div className="dashboards-page">
      <h1>Dashboards</h1>
      <div className="toolbar">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!NAME_PATTERN.test(name)) return;
            if (dashboards?.some((d) => d.name === name)) return setImportError(`A dashboard named ${name} exists: open it to edit it, or pick another name.`);
            // The list's range goes along, so the new dashboard reads what the list was showing.
            navigate(pathWith(`/dashboards/${name}`, { new: name, range: search.get('range'), from: search.get('from'), to: search.get('to') }));
          }}
        >
          <label>
            New dashboard
            <input aria-label="New dashboard name" placeholder="name, e.g. checkout-costs" value={name} onChange={(e) => setName(e.target.value)} />
          </label>{' '}
          <button type="submit" disabled={!NAME_PATTERN.test(name)} title="Lower-case letters, digits and dashes">
            Create
          </button>
        </form>
        <label className="dash-import">
          Import JSON
          <input type="file" accept="application/json,.json" aria-label="Import a dashboard" onChange={(e) => void onImport(e.target.files?.[0])} />
        </label>
      </div>
      {typeof importError === 'string' ? (
        <div className="error-box" role="alert" data-testid="import-error">
          {importError}
        </div>
      ) : (
        importError !== undefined && (
          <div data-testid="import-error">
            <ErrorBox error={importError} />
          </div>
        )
      )}
      <ErrorBox error={error ?? deleting.error} />
      {loading && dashboards === undefined && <p className="muted">Loading…</p>}
      {dashboards !== undefined && dashboards.length === 0 && <div className="empty">No dashboards yet.</div>}
      {dashboards !== undefined && dashboards.length > 0 && (
        <table className="list dash-list">
          <thead>
            <tr>
              <th>Dashboard</th>
              <th>Name</th>
              <th>Version</th>
              <th>Saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {dashboards.map((d: DashboardSummary) => (
              <tr key={d.name} data-dashboard={d.name}>
                <td>
                  <Link to={`/dashboards/${encodeURIComponent(d.name)}`}>{d.title || d.name}</Link> {d.ready && <span className="dash-badge">ready</span>}
                  {d.description && <div className="muted">{d.description}</div>}
                </td>
                <td>
                  <code>{d.name}</code>
                </td>
                <td>{d.version === undefined || d.version === 0 ? '–' : d.version}</td>
                <td>{formatTime(d.updatedAt ?? null)}</td>
                <td>
                  {/* A ready dashboard ships with Spoor: there is nothing of the project's to delete. */}
                  {d.ready ? null : deleting.confirming === d.name ? (
                    <>
                      <button type="button" onClick={() => deleting.remove(d.name)}>
                        Delete {d.name}, every version
                      </button>{' '}
                      <button type="button" onClick={() => deleting.setConfirming(null)}>
                        Keep
                      </button>
                    </>
                  ) : (
                    <button type="button" aria-label={`Delete ${d.name}`} onClick={() => deleting.setConfirming(d.name)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

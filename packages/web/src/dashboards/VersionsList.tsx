import { Link } from '../components/Link';
import { ErrorBox } from '../components/ErrorBox';
import { formatTime } from '../format';
import { pathWith } from '../router';
import { useApi } from '../use-api';
import { type DashboardVersion, versionsOf, versionsUrl } from './dashboards-api';

/** Every saved version of a dashboard, newest first; one opens that version, read-only. */
export function VersionsList({ name, shown }: { name: string; shown: number | undefined }) {
  const { data, error } = useApi<{ versions?: DashboardVersion[] } | DashboardVersion[]>(versionsUrl(name));
  const versions = [...(versionsOf(data) ?? [])].sort((a, b) => b.version - a.version);
  return (
    <aside className="panel dash-versions" data-testid="dash-versions">
      <h2>Versions</h2>
      <ErrorBox error={error} />
      {data !== undefined && versions.length === 0 && <p className="muted">Not saved yet: a ready dashboard has no versions until it is saved.</p>}
      <ol>
        {versions.map((v, i) => (
          <li key={v.version}>
            <Link to={pathWith(`/dashboards/${encodeURIComponent(name)}`, i === 0 ? {} : { version: v.version })}>version {v.version}</Link>
            {v.version === shown && ' (shown)'} <span className="muted">{formatTime(v.savedAt ?? v.createdAt ?? null)}</span>
            {v.author ? <span className="muted"> · {v.author}</span> : null}
          </li>
        ))}
      </ol>
    </aside>
  );
}

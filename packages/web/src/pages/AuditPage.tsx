import { ErrorBox } from '../components/ErrorBox';
import { formatTime } from '../format';
import { useApi } from '../use-api';

interface AuditEntry {
  time: string;
  keyId: string;
  action: string;
  target: string;
  detail: string | null;
}

/** Who changed what in this project: keys, rules, silences, prices, error groups. */
export function AuditPage() {
  const { data, error, loading } = useApi<{ entries: AuditEntry[]; nextCursor: string | null }>('/api/audit?limit=200', { refreshMs: 15_000 });
  return (
    <div className="audit-page">
      <h1>Audit log</h1>
      <p className="muted">
        Every change made through the API, with the key that made it (cli: the command line; open: before keys were required; user:…: a person signed in by
        single sign-on), and each such person's sign-in, sign-out and refused sign-in.
      </p>
      <ErrorBox error={error} />
      {data === undefined && loading && <p className="muted">Loading…</p>}
      {data !== undefined && data.entries.length === 0 && <div className="empty">No changes yet.</div>}
      {data !== undefined && data.entries.length > 0 && (
        <table className="audit-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Who</th>
              <th>Change</th>
              <th>Of</th>
            </tr>
          </thead>
          <tbody>
            {data.entries.map((entry, i) => (
              <tr key={`${entry.time}-${i}`}>
                <td>{formatTime(entry.time)}</td>
                <td className="mono">{entry.keyId}</td>
                <td className="mono">{entry.action}</td>
                <td className="mono">{entry.target}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

import { ErrorBox } from '../components/ErrorBox';
import { useApi } from '../use-api';

interface ProviderStatus {
  name: string;
  baseUrl: string | null;
  timeoutMs: number;
  reachable: boolean;
  status: number | null;
  problem: string | null;
}

/** The LLM providers replays, experiments and judges call (`--provider`), each asked now whether it answers. Keys are never shown. */
export function ProvidersTab() {
  const { data, error, loading, reload } = useApi<{ providers: ProviderStatus[] }>('/api/providers');
  return (
    <section aria-label="Providers">
      <p className="muted">
        Providers are given when Spoor starts: <code>--provider openai=env:OPENAI_API_KEY</code> (or <code>anthropic=…</code>; <code>,base=URL</code> for a
        gateway or a compatible server). Each is asked <code>GET &lt;base&gt;/models</code> with its key when this page opens.
      </p>
      <div className="toolbar">
        <button type="button" onClick={reload} disabled={loading}>
          {loading ? 'Checking…' : 'Check again'}
        </button>
      </div>
      <ErrorBox error={error} />
      {data !== undefined && data.providers.length === 0 && (
        <div className="empty">No provider is configured: replay, LLM-call experiments and LLM judges need one.</div>
      )}
      {data !== undefined && data.providers.length > 0 && (
        <table className="settings-table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Base URL</th>
              <th>Timeout</th>
              <th>Reachable</th>
            </tr>
          </thead>
          <tbody>
            {data.providers.map((p) => (
              <tr key={p.name} data-provider={p.name}>
                <td>{p.name}</td>
                <td className="mono">{p.baseUrl ?? <span className="muted">the provider&apos;s own</span>}</td>
                <td>{p.timeoutMs / 1000} s</td>
                <td>
                  <span className={`status ${p.reachable && p.problem !== 'the key was refused' ? 'status-ok' : 'status-error'}`}>
                    {p.reachable ? 'yes' : 'no'}
                  </span>
                  {p.problem !== null && <span className="muted"> {p.problem}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

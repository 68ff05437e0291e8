import type { PromptStatsResponse, PromptSummary, PromptVersion } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { pathWith } from '../router';
import { formatAgo, formatTime } from '../format';
import { PromptComparison } from '../prompts/PromptComparison';
import { VersionStats } from '../prompts/VersionStats';
import { splitText } from '../prompts/prompt-view';
import { useApi } from '../use-api';
import '../prompts/prompts.css';

/** One prompt: where its labels point, its versions (each template as written), the last day's calls per version, and the two in production compared. */
export function PromptPage({ name }: { name: string }) {
  const path = `/api/prompts/${encodeURIComponent(name)}`;
  const versions = useApi<{ versions: PromptVersion[] }>(apiUrl(`${path}/versions`));
  const list = useApi<{ prompts: PromptSummary[] }>(apiUrl('/api/prompts'));
  const stats = useApi<PromptStatsResponse>(apiUrl(`${path}/stats`));
  const labels = list.data?.prompts.find((p) => p.name === name)?.labels ?? {};
  return (
    <div className="prompt-page">
      <p>
        <Link to="/prompts">Prompts</Link>
      </p>
      <h1>{name}</h1>
      <ErrorBox error={versions.error ?? stats.error} />
      <section aria-label="Labels">
        <h2>Labels</h2>
        {Object.keys(labels).length === 0 ? (
          <p className="muted">No label: a fetch without one gets the newest version.</p>
        ) : (
          <ul className="prompt-labels">
            {Object.entries(labels).map(([label, split]) => (
              <li key={label}>
                <strong>{label}</strong> → {splitText(split)}
              </li>
            ))}
          </ul>
        )}
      </section>
      {stats.data !== undefined && <VersionStats stats={stats.data} />}
      {stats.data?.compare != null && <PromptComparison url={stats.data.compare} />}
      <section aria-label="Versions">
        <h2>Versions</h2>
        {(versions.data?.versions ?? []).map((v) => (
          <article key={v.version} className="prompt-version" aria-label={`Version ${v.version}`}>
            <header>
              <strong>v{v.version}</strong> <span className="muted">{v.type}</span>
              {v.labels.map((l) => (
                <span key={l} className="prompt-label">
                  {l}
                </span>
              ))}
              <span className="muted" title={formatTime(v.createdAt)}>
                {' '}
                by {v.createdBy}, {formatAgo(v.createdAt)}
              </span>
              {v.message !== '' && <span> · {v.message}</span>}
              {v.config.model !== null && <span className="muted"> · {v.config.model}</span>}{' '}
              <Link to={pathWith('/playground', { prompt: name, version: String(v.version) })} aria-label={`Open version ${v.version} in the playground`}>
                Open in playground
              </Link>
            </header>
            {typeof v.prompt === 'string' ? (
              <pre>{v.prompt}</pre>
            ) : (
              v.prompt.map((m, i) => (
                <pre key={i}>
                  <span className="prompt-role">{m.role}:</span> {m.content}
                </pre>
              ))
            )}
          </article>
        ))}
      </section>
    </div>
  );
}

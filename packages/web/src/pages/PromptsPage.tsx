import type { PromptSummary } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatAgo, formatTime } from '../format';
import { splitText } from '../prompts/prompt-view';
import { useApi } from '../use-api';
import '../prompts/prompts.css';

/** The project's prompts: each one's newest version and where its labels point. Versions are added through the API or the SDK. */
export function PromptsPage() {
  const list = useApi<{ prompts: PromptSummary[] }>(apiUrl('/api/prompts'));
  const prompts = list.data?.prompts ?? [];
  return (
    <div className="prompts-page">
      <h1>Prompts</h1>
      <p className="muted">
        Prompts with versions and labels, fetched by your app with getPrompt; each label points at a version or splits traffic between versions.
      </p>
      <ErrorBox error={list.error} />
      {list.data !== undefined && prompts.length === 0 && (
        <div className="empty">
          No prompt yet. Add one with <code>POST /api/prompts</code> (see the docs).
        </div>
      )}
      {prompts.length > 0 && (
        <table className="list prompts-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Newest</th>
              <th>Labels</th>
              <th>Changed</th>
            </tr>
          </thead>
          <tbody>
            {prompts.map((p) => (
              <tr key={p.name} data-prompt={p.name}>
                <td>
                  <Link to={`/prompts/${encodeURIComponent(p.name)}`}>{p.name}</Link>
                </td>
                <td className="num">v{p.latestVersion}</td>
                <td>
                  {Object.entries(p.labels).map(([label, split]) => (
                    <span key={label} className="prompt-label">
                      {label} → {splitText(split)}
                    </span>
                  ))}
                </td>
                <td title={formatTime(p.updatedAt)}>{formatAgo(p.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

import type { PromptStatsResponse } from '@spoor/model';
import { formatCost, formatDuration, formatInteger, formatPercent } from '../format';
import { scoreNumberText } from '../scores/score-view';

/** Per version, the LLM calls made with it: how many, how fast, how often they failed, what they cost, and their scores' means. */
export function VersionStats({ stats }: { stats: PromptStatsResponse }) {
  return (
    <section aria-label="Calls per version">
      <h2>Calls per version</h2>
      {stats.versions.length === 0 ? (
        <p className="muted">No LLM call carried this prompt in the last day (spoor.prompt.name, spoor.prompt.version).</p>
      ) : (
        <table className="list prompt-stats">
          <thead>
            <tr>
              <th>Version</th>
              <th className="num">Calls</th>
              <th className="num">p50</th>
              <th className="num">p95</th>
              <th className="num">Errors</th>
              <th className="num">Tokens</th>
              <th className="num">Cost</th>
              <th>Scores</th>
            </tr>
          </thead>
          <tbody>
            {stats.versions.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td>v{v.version}</td>
                <td className="num">{formatInteger(v.count)}</td>
                <td className="num">{formatDuration(v.p50Ms)}</td>
                <td className="num">{formatDuration(v.p95Ms)}</td>
                <td className="num">{formatPercent(v.errorRate)}</td>
                <td className="num">{formatInteger(v.totalTokens)}</td>
                <td className="num">{formatCost(v.costUsd)}</td>
                <td>{v.scores.map((s) => `${s.name} ${s.mean === null ? '–' : scoreNumberText(s.mean)} (${s.count})`).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

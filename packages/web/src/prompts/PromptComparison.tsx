import type { CompareResponse } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { formatDuration, formatPercent } from '../format';
import { scoreNumberText } from '../scores/score-view';
import { useApi } from '../use-api';
import { comparedVersions, pText } from './prompt-view';

/** The two versions in production (or the two newest) compared as releases are: latency, errors and scores, each with its test's p-value. */
export function PromptComparison({ url }: { url: string }) {
  const compared = useApi<CompareResponse>(url);
  const versions = comparedVersions(url);
  const title = versions === null ? 'Compared' : `v${versions[0]} and v${versions[1]} compared`;
  return (
    <section aria-label="Comparison">
      <h2>{title}</h2>
      <p className="muted">
        As releases are compared: latency by Mann-Whitney U, errors by a two-proportion z-test.{' '}
        <a href={url} target="_blank" rel="noreferrer">
          The comparison as JSON
        </a>
      </p>
      <ErrorBox error={compared.error} />
      {compared.data !== undefined && (
        <table className="list prompt-compare">
          <thead>
            <tr>
              <th>Span</th>
              <th className="num">p50 a → b</th>
              <th>Latency</th>
              <th className="num">Errors a → b</th>
              <th>Errors</th>
            </tr>
          </thead>
          <tbody>
            {compared.data.rows.map((row) => (
              <tr key={row.name}>
                <td>{row.name}</td>
                <td className="num">
                  {formatDuration(row.a?.p50Ms)} → {formatDuration(row.b?.p50Ms)}
                </td>
                <td className={row.latency.significant ? 'significant' : undefined}>{pText(row.latency.pValue)}</td>
                <td className="num">
                  {formatPercent(row.a?.errorRate)} → {formatPercent(row.b?.errorRate)}
                </td>
                <td className={row.errors.significant ? 'significant' : undefined}>{pText(row.errors.pValue)}</td>
              </tr>
            ))}
            {compared.data.scores.map((s) => (
              <tr key={`score:${s.name}`}>
                <td>score {s.name}</td>
                <td className="num">
                  {s.a?.mean == null ? '–' : scoreNumberText(s.a.mean)} → {s.b?.mean == null ? '–' : scoreNumberText(s.b.mean)}
                </td>
                <td className={s.values.significant ? 'significant' : undefined}>{pText(s.values.pValue)}</td>
                <td />
                <td />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

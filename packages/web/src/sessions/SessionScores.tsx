import type { SessionDetail } from '@spoor/model';
import { ScoreTable } from '../scores/ScoreTable';
import { pooledText } from '../scores/score-view';

/** A session's scores: its own (a user's rating of the conversation, say), each one, and its runs' pooled per name. */
export function SessionScores({ detail }: { detail: Pick<SessionDetail, 'scores' | 'traceScores'> }) {
  const pooled = Object.entries(detail.traceScores).sort(([a], [b]) => (a < b ? -1 : 1));
  return (
    <section className="session-scores" aria-label="Scores">
      <h2>Scores</h2>
      <div className="session-scores-parts">
        <div>
          <h3>Of the session</h3>
          <ScoreTable scores={detail.scores} label="Scores of this session" />
        </div>
        <div>
          <h3>Of its runs</h3>
          {pooled.length === 0 ? (
            <p className="muted score-none">No scores on its runs.</p>
          ) : (
            <table className="list score-table" aria-label="Scores of its runs">
              <thead>
                <tr>
                  <th>Score</th>
                  <th title="The mean of the values, or each label's count">Pooled</th>
                  <th className="num">Scores</th>
                </tr>
              </thead>
              <tbody>
                {pooled.map(([name, summary]) => (
                  <tr key={name} data-score-name={name}>
                    <td>{name}</td>
                    <td className="mono" data-testid="score-value">
                      {pooledText(summary)}
                    </td>
                    <td className="num">{summary.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </section>
  );
}

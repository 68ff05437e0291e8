import type { Score } from '@spoor/model';
import { scoreValueText } from './score-view';

/** Scores of one target: name, value or label, where it came from and who made it, and why. */
export function ScoreTable({ scores, label }: { scores: readonly Score[]; label: string }) {
  if (scores.length === 0) return <p className="muted score-none">No scores yet.</p>;
  return (
    <table className="list score-table" aria-label={label}>
      <thead>
        <tr>
          <th>Score</th>
          <th>Value</th>
          <th>Source</th>
          <th>Author</th>
          <th>Comment</th>
        </tr>
      </thead>
      <tbody>
        {scores.map((s) => (
          <tr key={s.scoreId} data-score-name={s.name}>
            <td>{s.name}</td>
            <td className="mono" data-testid="score-value">
              {scoreValueText(s)}
            </td>
            <td>{s.source}</td>
            <td className="mono">{s.author === '' ? '–' : s.author}</td>
            <td className="score-comment">{s.comment ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import type { ItemReview } from '@spoor/model';

/** Every review of the item, shown once the reviewer's own is in (blind review until then). */
export function OthersReviews({ reviews }: { reviews: readonly ItemReview[] }) {
  return (
    <table className="list review-others" data-testid="review-others">
      <thead>
        <tr>
          <th>Reviewer</th>
          <th>Scores</th>
          <th>Comment</th>
        </tr>
      </thead>
      <tbody>
        {reviews.map((r) => (
          <tr key={r.reviewer}>
            <td className="mono">{r.reviewer}</td>
            <td>{r.scores.map((s) => `${s.name} ${s.label ?? s.value}`).join(' · ')}</td>
            <td>{r.comment ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

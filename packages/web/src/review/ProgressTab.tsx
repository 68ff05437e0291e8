import type { QueueAgreement, QueueProgress } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { formatInteger } from '../format';
import { useApi } from '../use-api';

const agreement = (n: number | null): string => (n === null ? '–' : n.toFixed(2));

/** A queue's progress per reviewer, and how far reviewers agree per rubric entry and per pair. */
export function ProgressTab({ name, progress }: { name: string; progress: QueueProgress }) {
  const found = useApi<QueueAgreement>(`/api/queues/${encodeURIComponent(name)}/agreement`);
  return (
    <section className="review-progress" aria-label="Progress and agreement">
      <p data-testid="queue-progress">
        {formatInteger(progress.done)} of {formatInteger(progress.items)} items done · {formatInteger(progress.reviews)} reviews ·{' '}
        {formatInteger(progress.held)} held now
      </p>
      <table className="list">
        <thead>
          <tr>
            <th>Reviewer</th>
            <th className="num">Submitted</th>
            <th className="num">Skipped</th>
          </tr>
        </thead>
        <tbody>
          {progress.reviewers.map((r) => (
            <tr key={r.reviewer}>
              <td className="mono">{r.reviewer}</td>
              <td className="num">{formatInteger(r.submitted)}</td>
              <td className="num">{formatInteger(r.skipped)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Agreement</h2>
      <p className="muted">Krippendorff's alpha over the items several people scored (1 agree, 0 what chance gives); Cohen's kappa per pair for labels.</p>
      <ErrorBox error={found.error} />
      {found.data !== undefined && (
        <>
          <table className="list" data-testid="agreement-entries">
            <thead>
              <tr>
                <th>Rubric entry</th>
                <th>Level</th>
                <th className="num">Items</th>
                <th className="num">Alpha</th>
              </tr>
            </thead>
            <tbody>
              {found.data.entries.map((e) => (
                <tr key={e.name}>
                  <td>{e.name}</td>
                  <td>{e.level}</td>
                  <td className="num">{formatInteger(e.items)}</td>
                  <td className="num">{agreement(e.alpha)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {found.data.pairs.length === 0 ? (
            <p className="muted">No item has two reviewers yet.</p>
          ) : (
            <table className="list" data-testid="agreement-pairs">
              <thead>
                <tr>
                  <th>Reviewers</th>
                  <th>Rubric entry</th>
                  <th className="num">Items</th>
                  <th className="num">Alpha</th>
                  <th className="num">Kappa</th>
                </tr>
              </thead>
              <tbody>
                {found.data.pairs.map((p) => (
                  <tr key={`${p.reviewers.join('\0')}\0${p.name}`}>
                    <td className="mono">{p.reviewers.join(' · ')}</td>
                    <td>{p.name}</td>
                    <td className="num">{formatInteger(p.items)}</td>
                    <td className="num">{agreement(p.alpha)}</td>
                    <td className="num">{agreement(p.kappa)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

import type { QueueProgress, ReviewQueue } from '@spoor/model';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatInteger, formatPercent } from '../format';
import { navigate } from '../router';
import { useApi } from '../use-api';
import { QueueScreen } from './QueueScreen';
import './review.css';

/** Review: the project's queues with their progress; a queue's name opens its reviewer's screen. */
export function ReviewPage({ name, search }: { name: string | null; search: URLSearchParams }) {
  if (name !== null) return <QueueScreen key={name} name={name} search={search} />;
  return <QueueList />;
}

function QueueList() {
  const list = useApi<{ queues: ReviewQueue[] }>('/api/queues');
  const queues = list.data?.queues ?? [];
  return (
    <div className="review-page">
      <h1>Review</h1>
      <p className="muted">
        Queues of traces, spans and sessions for people to score against a rubric. Open one to take its next item; admins make queues with POST /api/queues.
      </p>
      <ErrorBox error={list.error} />
      {list.data !== undefined && queues.length === 0 && <div className="empty">No review queues yet.</div>}
      {queues.length > 0 && (
        <table className="list review-queues">
          <thead>
            <tr>
              <th>Queue</th>
              <th>Rubric</th>
              <th className="num">Done</th>
              <th className="num">Reviews</th>
              <th>Per reviewer</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <QueueRow key={q.name} queue={q} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** A queue's row: its progress is read per queue (the list answers the queues without it). */
function QueueRow({ queue }: { queue: ReviewQueue }) {
  const to = `/review/${encodeURIComponent(queue.name)}`;
  const { data } = useApi<ReviewQueue & { progress: QueueProgress }>(`/api/queues/${encodeURIComponent(queue.name)}`);
  const p = data?.progress;
  return (
    <tr className="clickable" onClick={() => navigate(to)} data-queue={queue.name}>
      <td>
        <Link to={to} onClick={(e) => e.stopPropagation()}>
          {queue.name}
        </Link>
        {queue.description !== '' && <div className="muted">{queue.description}</div>}
      </td>
      <td>{queue.rubric.map((c) => c.name).join(', ')}</td>
      <td className="num" data-testid="queue-done">
        {p === undefined ? '…' : `${formatInteger(p.done)} / ${formatInteger(p.items)}`}
        {p !== undefined && p.items > 0 && <span className="muted"> ({formatPercent(p.done / p.items)})</span>}
      </td>
      <td className="num">{p === undefined ? '…' : formatInteger(p.reviews)}</td>
      <td>{p === undefined ? '' : p.reviewers.map((r) => `${r.reviewer}: ${r.submitted}${r.skipped > 0 ? ` (+${r.skipped} skipped)` : ''}`).join(' · ')}</td>
    </tr>
  );
}

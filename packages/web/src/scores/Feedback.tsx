import { useState } from 'react';
import type { Score } from '@spoor/model';
import { ApiError, apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { authorOf, mayScore, useSession } from '../session-context';
import { type Thumb, ownVote, thumbOf, voteBody } from './score-view';

/**
 * A person's thumbs up or down on a trace or a span, with a comment. Their vote shows as chosen;
 * voting again or saving the comment posts a new version of the same score (one slot per target,
 * name, source and author), which replaces the last wherever it is read.
 */
export function Feedback({
  traceId,
  spanId,
  scores,
  onScored,
}: { traceId: string; spanId: string | null; scores: readonly Score[]; onScored: (score: Score) => void }) {
  const session = useSession();
  const own = session === null ? null : ownVote(scores, authorOf(session), spanId);
  const chosen = thumbOf(own);
  const [comment, setComment] = useState(own?.comment ?? '');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const what = spanId === null ? 'trace' : 'span';

  if (session === null || !mayScore(session)) {
    return <p className="muted feedback-note">Signed in with a read key: an admin key may vote on this {what}.</p>;
  }
  const send = (thumb: Thumb) => {
    setSending(true);
    setError(undefined);
    apiSend<{ score: Score }>('POST', '/api/scores', voteBody(traceId, spanId, thumb, comment)).then(
      ({ score }) => {
        setSending(false);
        onScored(score);
      },
      (failure: Error) => {
        setSending(false);
        setError(
          failure instanceof ApiError && failure.status === 403
            ? new ApiError(403, failure.code, `${failure.message} (an ingest or admin key may vote)`)
            : failure,
        );
      },
    );
  };
  const saved = (own?.comment ?? '') === comment.trim();
  return (
    <div className="feedback" role="group" aria-label={`Your feedback on this ${what}`}>
      <div className="feedback-thumbs">
        <button
          type="button"
          className="thumb"
          aria-pressed={chosen === 'up'}
          aria-label="Thumbs up"
          title="Good"
          disabled={sending}
          onClick={() => chosen !== 'up' && send('up')}
        >
          ▲ up
        </button>
        <button
          type="button"
          className="thumb"
          aria-pressed={chosen === 'down'}
          aria-label="Thumbs down"
          title="Bad"
          disabled={sending}
          onClick={() => chosen !== 'down' && send('down')}
        >
          ▼ down
        </button>
        <input
          className="feedback-comment"
          aria-label={`Comment on this ${what}`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && chosen !== null && !saved) send(chosen);
          }}
          placeholder={chosen === null ? 'Vote, then say why (optional)' : 'Why? (optional)'}
          maxLength={16_384}
        />
        <button type="button" disabled={sending || chosen === null || saved} onClick={() => chosen !== null && send(chosen)}>
          Save comment
        </button>
      </div>
      <ErrorBox error={error} />
    </div>
  );
}

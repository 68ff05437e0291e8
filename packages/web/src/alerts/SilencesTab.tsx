import { useState } from 'react';
import type { Silence, SilenceListResponse } from '@spoor/model';
import { apiSend, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatTime } from '../format';
import { useApi } from '../use-api';
import { formatUntil } from './alert-view';
import { matcherText, silenceNamesRule } from './silence-request';

/** Silences in force (or also ended ones), and a way to end one early. */
export function SilencesTab({ rule, onChange }: { rule: string | null; onChange: () => void }) {
  const [showExpired, setShowExpired] = useState(false);
  const { data, error, loading, reload } = useApi<SilenceListResponse>(apiUrl('/api/alerts/silences', { expired: showExpired ? 'true' : null }));
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const [expiring, setExpiring] = useState<string | null>(null);
  const nowMs = Date.now();

  const expire = (silence: Silence) => {
    setExpiring(silence.id);
    setActionError(undefined);
    apiSend<Silence>('DELETE', `/api/alerts/silences/${encodeURIComponent(silence.id)}`).then(
      () => {
        setExpiring(null);
        reload();
        onChange();
      },
      (e: Error) => {
        setExpiring(null);
        setActionError(e);
      },
    );
  };

  return (
    <>
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={showExpired} onChange={(e) => setShowExpired(e.target.checked)} />
          Show ended silences
        </label>
        <button type="button" onClick={reload} disabled={loading}>
          Refresh
        </button>
        <span className="muted">Silence an alert from the Active tab.</span>
      </div>
      <ErrorBox error={error} />
      <ErrorBox error={actionError} />
      {data === undefined && loading && <p className="muted">Loading silences…</p>}
      {data !== undefined && data.silences.length === 0 && <div className="empty">No silences{showExpired ? '' : ' in force'}.</div>}
      {data !== undefined && data.silences.length > 0 && (
        <table className="list silences-table">
          <thead>
            <tr>
              <th>Matchers</th>
              <th>Starts</th>
              <th>Ends</th>
              <th>Created by</th>
              <th>Comment</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {data.silences.map((silence) => {
              const ended = Date.parse(silence.endsAt) <= nowMs;
              const highlighted = rule !== null && silenceNamesRule(silence.matchers, rule);
              return (
                <tr key={silence.id} className={[ended ? 'silence-ended' : '', highlighted ? 'rule-highlighted' : ''].join(' ').trim() || undefined}>
                  <td>
                    {silence.matchers.map((m) => (
                      <code key={`${m.name}${m.op}${m.value}`} className="tag">
                        {matcherText(m)}
                      </code>
                    ))}
                  </td>
                  <td>{formatTime(silence.startsAt)}</td>
                  <td>
                    {formatTime(silence.endsAt)} <span className="muted">({formatUntil(silence.endsAt, nowMs)})</span>
                  </td>
                  <td>{silence.createdBy}</td>
                  <td>{silence.comment === '' ? <span className="muted">–</span> : silence.comment}</td>
                  <td>
                    {!ended && (
                      <button
                        type="button"
                        onClick={() => expire(silence)}
                        disabled={expiring === silence.id}
                        aria-label={`Expire silence ${silence.matchers.map(matcherText).join(', ')}`}
                      >
                        Expire
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

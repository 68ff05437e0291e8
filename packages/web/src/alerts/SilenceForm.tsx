import { useId, useState, type FormEvent } from 'react';
import type { Silence } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { SILENCE_DURATIONS, silenceDraftProblem, silenceRequestFor } from './silence-request';

/** Remembered in the browser so the next silence is quicker to make. */
const AUTHOR_KEY = 'spoor.silence.createdBy';

function rememberedAuthor(): string {
  try {
    return window.localStorage.getItem(AUTHOR_KEY) ?? '';
  } catch {
    // Storage can be off (private windows, policies): the field just starts empty.
    return '';
  }
}

function rememberAuthor(name: string): void {
  try {
    window.localStorage.setItem(AUTHOR_KEY, name);
  } catch {
    // As above: remembering is a convenience, not worth an error.
  }
}

/** Silences the alerts with (some of) these labels for a while: `POST /api/alerts/silences`. */
export function SilenceForm({ labels, onDone, onCancel }: { labels: Record<string, string>; onDone: (silence: Silence) => void; onCancel: () => void }) {
  const id = useId();
  const names = Object.keys(labels).sort();
  const [chosen, setChosen] = useState<readonly string[]>(names);
  const [duration, setDuration] = useState('2h');
  const [createdBy, setCreatedBy] = useState(rememberedAuthor);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error | undefined>(undefined);
  const [sending, setSending] = useState(false);
  const draft = { labelNames: chosen, duration, createdBy, comment };
  const problem = silenceDraftProblem(draft);

  const toggle = (name: string) => setChosen((c) => (c.includes(name) ? c.filter((n) => n !== name) : [...c, name]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problem !== null) return;
    setSending(true);
    setError(undefined);
    apiSend<Silence>('POST', '/api/alerts/silences', silenceRequestFor(labels, draft)).then(
      (silence) => {
        rememberAuthor(createdBy.trim());
        onDone(silence);
      },
      (e: Error) => {
        setError(e);
        setSending(false);
      },
    );
  };

  return (
    <form className="silence-form" onSubmit={submit} aria-label="New silence">
      <fieldset>
        <legend>Silence alerts with these labels</legend>
        {names.map((name) => (
          <label key={name} className="silence-label">
            <input type="checkbox" checked={chosen.includes(name)} onChange={() => toggle(name)} />
            <code>
              {name}=&quot;{labels[name]}&quot;
            </code>
          </label>
        ))}
      </fieldset>
      <div className="silence-fields">
        <label htmlFor={`${id}-duration`}>For</label>
        <select id={`${id}-duration`} value={duration} onChange={(e) => setDuration(e.target.value)}>
          {SILENCE_DURATIONS.map((d) => (
            <option key={d.value} value={d.value}>
              {d.label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-by`}>Silenced by</label>
        <input id={`${id}-by`} value={createdBy} onChange={(e) => setCreatedBy(e.target.value)} placeholder="your name" required />
        <label htmlFor={`${id}-comment`}>Comment</label>
        <input id={`${id}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="why (optional)" />
      </div>
      <ErrorBox error={error} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={problem !== null || sending}>
          {sending ? 'Silencing…' : 'Create silence'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {problem !== null && <span className="muted">{problem}</span>}
      </div>
    </form>
  );
}

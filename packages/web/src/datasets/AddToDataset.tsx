import { type FormEvent, useId, useState } from 'react';
import type { DatasetChangeResponse, DatasetListResponse, NewDatasetItem } from '@spoor/model';
import { ApiError, apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { mayScore, useSession } from '../session-context';
import { useApi } from '../use-api';
import { type AddTarget, addTargetProblem, addedText, duplicateText } from './dataset-view';
import './datasets.css';

const NEW = '\u0000new';
/** The API's code for a run or call the dataset already holds. */
const DUPLICATE = 'ERR_DATASET_DUPLICATE';

/** The server's refusal of a duplicate, with what was sent, to send again when confirmed. */
class DuplicateItems extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly items: NewDatasetItem[],
  ) {
    super(message);
  }
}

interface AddToDatasetProps {
  /** What is added, for the form's name: `this run`, `this call`, `the traces this filter matches`. */
  what: string;
  /** The items to send, read when the person presses Add (the trace list asks the server for its matches then). */
  items: () => Promise<NewDatasetItem[]>;
}

/**
 * "Add to dataset": a dataset picked from the list or named anew (made first), and the items sent
 * in one POST, all or none; then how many were added, linked to the dataset. Offered to a key
 * that may write (ingest or admin).
 */
export function AddToDataset({ what, items }: AddToDatasetProps) {
  const session = useSession();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [choice, setChoice] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const [done, setDone] = useState<{ text: string; dataset: string } | null>(null);
  // Items the server found the dataset already holds: sent again only when the person confirms.
  const [duplicate, setDuplicate] = useState<{ text: string; path: string; items: NewDatasetItem[] } | null>(null);
  const list = useApi<DatasetListResponse>(open ? '/api/datasets' : null);
  if (session === null || !mayScore(session)) return null;

  const names = list.data?.datasets.map((d) => d.name) ?? [];
  const picked = choice ?? names[0] ?? NEW;
  const target: AddTarget = picked === NEW ? { kind: 'new', name: newName.trim(), description: '' } : { kind: 'existing', name: picked };

  const settle = (send: () => Promise<DatasetChangeResponse | null>) => {
    setProblem(null);
    setFailure(undefined);
    setDone(null);
    setDuplicate(null);
    setBusy(true);
    send().then(
      (answer) => {
        setBusy(false);
        if (answer === null) {
          setProblem('nothing to add: no trace matches');
          return;
        }
        setDone({ text: addedText(answer.itemIds.length, answer.dataset, answer.version), dataset: answer.dataset });
        setChoice(answer.dataset);
        setNewName('');
        list.reload();
      },
      (error: Error) => {
        setBusy(false);
        if (!(error instanceof DuplicateItems)) setFailure(error);
        else setDuplicate({ text: duplicateText(error.message), path: error.path, items: error.items });
      },
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const why = addTargetProblem(target, names);
    if (why !== null) {
      setProblem(why);
      return;
    }
    const path = `/api/datasets/${encodeURIComponent(target.name)}/items`;
    settle(async () => {
      const sent = await items();
      if (sent.length === 0) return null;
      if (target.kind === 'new') await apiSend('POST', '/api/datasets', { name: target.name });
      return apiSend<DatasetChangeResponse>('POST', path, { items: sent }).catch((error: unknown) => {
        throw error instanceof ApiError && error.code === DUPLICATE ? new DuplicateItems(error.message, path, sent) : error;
      });
    });
  };

  const confirmDuplicate = () => {
    if (duplicate === null) return;
    const { path, items: sent } = duplicate;
    settle(() => apiSend<DatasetChangeResponse>('POST', path, { items: sent, allowDuplicate: true }));
  };

  return (
    <div className="add-to-dataset">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Add to dataset
      </button>
      {open && (
        <form className="add-to-dataset-form panel" aria-label={`Add ${what} to a dataset`} onSubmit={submit}>
          <label htmlFor={`${id}-dataset`}>Dataset</label>
          <select id={`${id}-dataset`} value={picked} onChange={(e) => setChoice(e.target.value)} disabled={busy}>
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
            <option value={NEW}>A new dataset…</option>
          </select>
          {picked === NEW && (
            <input
              aria-label="New dataset name"
              value={newName}
              onChange={(e) => setNewName(e.target.value)}
              placeholder="support-regressions"
              maxLength={100}
              disabled={busy}
            />
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Adding…' : `Add ${what}`}
          </button>
          {problem !== null && (
            <span className="field-error" role="alert">
              {problem}
            </span>
          )}
        </form>
      )}
      {duplicate !== null && (
        <div className="add-to-dataset-duplicate panel" role="alertdialog" aria-label="Already in the dataset">
          <p>{duplicate.text}</p>
          <button type="button" className="primary" onClick={confirmDuplicate} disabled={busy}>
            Add again
          </button>{' '}
          <button type="button" onClick={() => setDuplicate(null)} disabled={busy}>
            Cancel
          </button>
        </div>
      )}
      {done !== null && (
        <p className="add-to-dataset-done" role="status">
          {done.text} <Link to={`/datasets/${encodeURIComponent(done.dataset)}`}>Open {done.dataset}</Link>
        </p>
      )}
      <ErrorBox error={failure} />
    </div>
  );
}

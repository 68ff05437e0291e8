import { type FormEvent, useState } from 'react';
import { type Dataset, datasetNameProblem } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { navigate } from '../router';

/** Makes a dataset (version 1, empty) and opens it; a taken or invalid name is refused before it is sent. */
export function NewDatasetForm({ existing }: { existing: readonly string[] }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = name.trim();
    const why = existing.includes(wanted) ? `a dataset named ${wanted} exists` : datasetNameProblem(wanted);
    setProblem(why);
    setFailure(undefined);
    if (why !== null) return;
    setBusy(true);
    apiSend<Dataset>('POST', '/api/datasets', { name: wanted, description: description.trim() }).then(
      (made) => navigate(`/datasets/${encodeURIComponent(made.name)}`),
      (error: Error) => {
        setBusy(false);
        setFailure(error);
      },
    );
  };
  return (
    <form className="dataset-form panel" aria-label="New dataset" onSubmit={submit}>
      <label>
        Name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="support-regressions"
          maxLength={100}
          aria-invalid={problem !== null || undefined}
        />
      </label>
      <label>
        Description
        <input value={description} onChange={(e) => setDescription(e.target.value)} placeholder="what it is for" size={40} maxLength={4096} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        New dataset
      </button>
      {problem !== null && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
      <ErrorBox error={failure} />
    </form>
  );
}

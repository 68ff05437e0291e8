import { useEffect, useId, useState } from 'react';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { useApi } from '../use-api';

/** What the masking and sampling routes answer alike: the policy in force and where it comes from. */
interface PolicyInForce {
  projectId: string;
  source: 'api' | 'file' | 'none';
  policy: unknown;
}

interface PolicyTabProps {
  /** `/api/projects/<project>/masking` or `…/sampling`. */
  path: string;
  label: string;
  /** Says what the policy does and where its fields are described. */
  about: string;
  example: string;
  fileFlag: string;
}

/**
 * A project's policy (masking at ingest, tail sampling) as JSON: the one in force with its source,
 * saved over the file's, or removed so the file's (or none) applies again. The server checks it
 * and says which field is wrong.
 */
export function PolicyTab({ path, label, about, example, fileFlag }: PolicyTabProps) {
  const id = useId();
  const { data, error, reload } = useApi<PolicyInForce>(path);
  const [text, setText] = useState('');
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const [saved, setSaved] = useState<string | null>(null);
  // What was typed since the policy in force was last shown: a read arriving later does not wipe it;
  // once a save or removal is read back, what is in force is shown again.
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (data !== undefined && !edited) setText(data.policy === null ? '' : JSON.stringify(data.policy, null, 2));
  }, [data]);

  const done = (what: string) => () => {
    setSaved(what);
    setEdited(false);
    reload();
  };
  const save = () => {
    setActionError(undefined);
    setSaved(null);
    let policy: unknown;
    try {
      policy = JSON.parse(text);
    } catch (e) {
      setActionError(new Error(`the policy is not JSON: ${(e as Error).message}`));
      return;
    }
    apiSend('PUT', path, policy).then(done('Saved: in force for what arrives from now on.'), (e: Error) => setActionError(e));
  };
  const remove = () => {
    setActionError(undefined);
    setSaved(null);
    apiSend<void>('DELETE', path).then(done(`Removed: the ${fileFlag} file's policy, if any, applies again.`), (e: Error) => setActionError(e));
  };

  const source = data?.source;
  return (
    <section aria-label={label}>
      <p className="muted">{about}</p>
      <ErrorBox error={error} />
      {data !== undefined && <p>In force: {source === 'api' ? 'the policy set here' : source === 'file' ? `the ${fileFlag} file's policy` : 'none'}.</p>}
      <label htmlFor={`${id}-policy`} className="settings-label">
        {label} policy (JSON)
      </label>
      <textarea
        id={`${id}-policy`}
        className="mono settings-json"
        rows={12}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setEdited(true);
        }}
        placeholder={example}
      />
      <ErrorBox error={actionError} />
      {saved !== null && <p role="status">{saved}</p>}
      <div className="form-actions">
        <button type="button" className="primary" onClick={save} disabled={text.trim() === ''}>
          Save policy
        </button>
        <button type="button" onClick={remove} disabled={source !== 'api'}>
          Remove the policy set here
        </button>
      </div>
    </section>
  );
}

import { useEffect, useState } from 'react';
import { apiSend } from '../api';
import { Link } from '../components/Link';
import { type PlaygroundCall, promptVersionOf } from './draft';

/**
 * The call as a prompt's next version (`POST /api/prompts`): its texts with their `{{variables}}`,
 * the model and parameters as its config. Saving a name that exists adds its next version; a
 * prompt opened here (`from`) is the name given, and keeps its type under it.
 */
export function SavePrompt({ call, model, from }: { call: PlaygroundCall; model: string; from: { name: string; type: 'text' | 'chat' } | null }) {
  const [name, setName] = useState(from?.name ?? '');
  // The prompt is read after the page opens: its name fills the field once it arrives, unless one was typed.
  useEffect(() => {
    if (from !== null) setName((typed) => (typed === '' ? from.name : typed));
  }, [from?.name]);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ name: string; version: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const save = () => {
    setProblem(null);
    setSaved(null);
    let body: Record<string, unknown>;
    try {
      body = promptVersionOf(call, name, model, from !== null && from.name === name.trim() ? from.type : 'chat');
    } catch (error) {
      setProblem((error as Error).message);
      return;
    }
    setSaving(true);
    apiSend<{ name: string; version: number }>('POST', '/api/prompts', body)
      .then((version) => setSaved({ name: version.name, version: version.version }))
      .catch((error: unknown) => setProblem((error as Error).message))
      .finally(() => setSaving(false));
  };
  return (
    <fieldset className="playground-save">
      <legend>Save as a prompt version</legend>
      <label>
        Prompt name
        <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Prompt name" placeholder="trip-planner" />
      </label>
      <button type="button" onClick={save} disabled={saving || name.trim() === ''}>
        {saving ? 'Saving…' : 'Save as prompt'}
      </button>
      {saved !== null && (
        <p role="status">
          Saved as <Link to={`/prompts/${encodeURIComponent(saved.name)}`}>{saved.name}</Link> version {saved.version}
        </p>
      )}
      {problem !== null && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}

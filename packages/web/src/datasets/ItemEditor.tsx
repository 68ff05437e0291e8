import { type FormEvent, useId, useState } from 'react';
import type { DatasetItem, JsonValue } from '@spoor/model';
import { apiSend } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { type EditText, editTextOf, valueOfEdit } from './dataset-view';

interface ItemEditorProps {
  dataset: string;
  item: DatasetItem;
  onSaved: () => void;
  onCancel: () => void;
}

/**
 * Edits an item's input, expected output and metadata; saving makes a new version of the dataset
 * with only the fields that changed sent (`PUT .../items/:itemId`). Text stays text; a value that
 * was JSON is edited as JSON and refused, naming its field, when it no longer parses.
 */
export function ItemEditor({ dataset, item, onSaved, onCancel }: ItemEditorProps) {
  const id = useId();
  const [input, setInput] = useState<EditText>(() => editTextOf(item.input));
  const [expected, setExpected] = useState<EditText>(() => editTextOf(item.expectedOutput));
  const [metadata, setMetadata] = useState(() => JSON.stringify(item.metadata, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const save = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setFailure(undefined);
    const readInput = valueOfEdit('input', input);
    const readExpected = valueOfEdit('expectedOutput', expected);
    const readMetadata = valueOfEdit('metadata', { text: metadata, json: true });
    for (const read of [readInput, readExpected, readMetadata]) if (!read.ok) return setProblem(read.problem);
    if (!readInput.ok || !readExpected.ok || !readMetadata.ok) return;
    if (readInput.value === null) return setProblem('input: an item needs an input');
    const meta = readMetadata.value ?? {};
    if (typeof meta !== 'object' || Array.isArray(meta)) return setProblem('metadata: must be an object');
    const edit: { input?: JsonValue; expectedOutput?: JsonValue | null; metadata?: Record<string, JsonValue> } = {};
    if (!sameJson(readInput.value, item.input)) edit.input = readInput.value;
    if (!sameJson(readExpected.value, item.expectedOutput)) edit.expectedOutput = readExpected.value;
    if (!sameJson(meta, item.metadata)) edit.metadata = meta;
    if (Object.keys(edit).length === 0) return setProblem('nothing changed');
    setBusy(true);
    apiSend('PUT', `/api/datasets/${encodeURIComponent(dataset)}/items/${item.itemId}`, edit).then(onSaved, (error: Error) => {
      setBusy(false);
      setFailure(error);
    });
  };

  return (
    <form className="item-editor" aria-label={`Edit item ${item.itemId}`} onSubmit={save}>
      <Field id={`${id}-input`} label={`Input${input.json ? ' (JSON)' : ''}`} value={input.text} onChange={(text) => setInput({ ...input, text })} />
      <Field
        id={`${id}-expected`}
        label={`Expected output${expected.json ? ' (JSON; empty for none)' : ''}`}
        value={expected.text}
        onChange={(text) => setExpected({ ...expected, text })}
      />
      <Field id={`${id}-metadata`} label="Metadata (JSON object)" value={metadata} onChange={setMetadata} />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save as a new version'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        {problem !== null && (
          <span className="field-error" role="alert">
            {problem}
          </span>
        )}
        <ErrorBox error={failure} />
      </div>
    </form>
  );
}

function Field({ id, label, value, onChange }: { id: string; label: string; value: string; onChange: (text: string) => void }) {
  return (
    <label htmlFor={id}>
      {label}
      <textarea id={id} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} />
    </label>
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

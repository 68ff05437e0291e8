import { useState } from 'react';
import type { ChatMessage, LlmMessages } from '@spoor/model';
import { apiSend, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { formatChange, formatCost, formatDuration, formatInteger } from '../format';
import { useApi } from '../use-api';
import { ChatMessages } from './ChatMessages';
import type { ReplayAnswer } from './replay-answer';
import { type Draft, draftOf } from '../playground/draft';

const messageOf = (draft: Draft): ChatMessage => ({
  role: draft.role,
  parts: draft.parts ?? [{ type: 'text', content: draft.text }],
  finishReason: null,
});

/**
 * Replay: the call as an editable chat (system prompt, messages, model and temperature); Run makes
 * it again on the server and shows the new completion beside the recorded one, with the token,
 * cost and latency differences and links to the replay's trace and the comparison of both runs.
 */
export function ReplayPanel({ traceId, spanId, model, messages }: { traceId: string; spanId: string; model: string | null; messages: LlmMessages }) {
  const [open, setOpen] = useState(false);
  const [draftModel, setModel] = useState(model ?? '');
  // The providers this server can call: a call recorded with another (an Anthropic call on a
  // server with OpenAI alone) is replayed by choosing one here.
  const providers = useApi<{ providers: string[] }>(open ? apiUrl('/api/replay/providers') : null);
  const [provider, setProvider] = useState('');
  const [temperature, setTemperature] = useState('');
  const [system, setSystem] = useState(messages.system.map((p) => (p.type === 'text' ? p.content : '')).join('\n'));
  const [drafts, setDrafts] = useState<Draft[]>(() => messages.input.map(draftOf));
  const [running, setRunning] = useState(false);
  const [answer, setAnswer] = useState<ReplayAnswer | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);

  if (!open) {
    return (
      <button type="button" className="replay-open" onClick={() => setOpen(true)}>
        Replay
      </button>
    );
  }
  const run = () => {
    setRunning(true);
    setError(undefined);
    const overrides: Record<string, unknown> = { system, messages: drafts.map(messageOf) };
    if (draftModel.trim() !== '') overrides.model = draftModel.trim();
    if (provider !== '') overrides.provider = provider;
    if (temperature.trim() !== '') overrides.temperature = Number(temperature);
    apiSend<ReplayAnswer>('POST', '/api/replay', { traceId, spanId, overrides }).then(
      (result) => {
        setAnswer(result);
        setRunning(false);
      },
      (failure: Error) => {
        setError(failure);
        setRunning(false);
      },
    );
  };
  const edit = (i: number, change: Partial<Draft>) => setDrafts((all) => all.map((d, j) => (j === i ? { ...d, ...change } : d)));
  return (
    <section className="replay" aria-label="Replay">
      <h4>Replay</h4>
      <div className="replay-params">
        <label>
          Provider
          <select value={provider} onChange={(e) => setProvider(e.target.value)} aria-label="Replay provider">
            <option value="">as recorded</option>
            {(providers.data?.providers ?? []).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <input value={draftModel} onChange={(e) => setModel(e.target.value)} aria-label="Replay model" />
        </label>
        <label>
          Temperature
          <input
            value={temperature}
            onChange={(e) => setTemperature(e.target.value)}
            placeholder="as recorded"
            inputMode="decimal"
            aria-label="Replay temperature"
          />
        </label>
      </div>
      <label className="replay-message">
        system
        <textarea value={system} onChange={(e) => setSystem(e.target.value)} rows={2} aria-label="Replay system prompt" />
      </label>
      {drafts.map((draft, i) => (
        <div key={i} className="replay-message">
          <select value={draft.role} onChange={(e) => edit(i, { role: e.target.value })} aria-label={`Role of message ${i + 1}`}>
            {['user', 'assistant', 'tool'].map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
          {draft.parts === null ? (
            <textarea value={draft.text} onChange={(e) => edit(i, { text: e.target.value })} rows={3} aria-label={`Message ${i + 1}`} />
          ) : (
            <ChatMessages messages={[messageOf(draft)]} label={`Message ${i + 1} (tool parts, kept as recorded)`} />
          )}
        </div>
      ))}
      <div className="replay-actions">
        <button type="button" onClick={() => setDrafts((all) => [...all, { role: 'user', text: '', parts: null }])}>
          Add message
        </button>
        <button type="button" className="primary" onClick={run} disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
      </div>
      <ErrorBox error={error} />
      {answer !== null && <ReplayResult answer={answer} />}
    </section>
  );
}

function ReplayResult({ answer }: { answer: ReplayAnswer }) {
  const { original, result, deltas } = answer;
  return (
    <div className="replay-result" data-testid="replay-result">
      <table className="replay-deltas">
        <thead>
          <tr>
            <th />
            <th>Recorded</th>
            <th>Replay</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>Model</th>
            <td>{original.model ?? '–'}</td>
            <td data-testid="replay-model">{result.model ?? '–'}</td>
            <td />
          </tr>
          <tr>
            <th>Input tokens</th>
            <td>{formatInteger(original.inputTokens)}</td>
            <td>{formatInteger(result.inputTokens)}</td>
            <td>{formatChange(deltas.inputTokens, formatInteger)}</td>
          </tr>
          <tr>
            <th>Output tokens</th>
            <td>{formatInteger(original.outputTokens)}</td>
            <td>{formatInteger(result.outputTokens)}</td>
            <td>{formatChange(deltas.outputTokens, formatInteger)}</td>
          </tr>
          <tr>
            <th>Cost</th>
            <td>{formatCost(original.costUsd)}</td>
            <td>{formatCost(result.costUsd)}</td>
            <td>{formatChange(deltas.costUsd, formatCost)}</td>
          </tr>
          <tr>
            <th>Latency</th>
            <td>{formatDuration(original.durationMs)}</td>
            <td>{formatDuration(result.durationMs)}</td>
            <td>{formatChange(deltas.durationMs, formatDuration)}</td>
          </tr>
        </tbody>
      </table>
      <div className="replay-completions">
        <div>
          <h4>Recorded completion</h4>
          <ChatMessages messages={original.completion} label="Recorded completion" />
        </div>
        <div>
          <h4>Replay completion</h4>
          <ChatMessages messages={result.completion} label="Replay completion" />
        </div>
      </div>
      <p>
        <Link to={answer.links.trace}>Open the replay's trace</Link> · <Link to={answer.links.compare}>Compare the runs</Link>
      </p>
    </div>
  );
}

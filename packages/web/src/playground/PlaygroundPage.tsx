import type { FetchedPrompt, LlmCallDetail } from '@spoor/model';
import { useEffect, useRef, useState } from 'react';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { useApi } from '../use-api';
import { ChatMessages } from '../trace/ChatMessages';
import { type Draft, type PlaygroundCall, callOf, callOfPrompt, requestOf, variablesOf } from './draft';
import type { ReplayAnswer, ReplaySide } from '../trace/replay-answer';
import { type RunOutcome, baselineOf, completionText } from './compared';
import { PlaygroundResults } from './results';
import { postStreamed } from './run-stream';
import { SavePrompt } from './SavePrompt';
import './playground.css';

interface RunAnswer {
  run: { traceId: string };
  result: ReplaySide;
  links: { trace: string };
}

/**
 * The playground: a recorded LLM call (`?trace=&span=`, opened from the trace page), a prompt
 * version (`?prompt=&version=`, from the prompt's page) or an empty call, edited (messages,
 * variables, model, parameters, tools, response format) and run on a provider of this server, on
 * one model or two side by side, each answer streamed as it is written. A recorded call runs as a
 * replay of it (`POST /api/replay`), so its run links to it; any other as a call given whole
 * (`POST /api/playground/run`). Each run is a trace of Spoor's own.
 */
export function PlaygroundPage({ search }: { search: URLSearchParams }) {
  const traceId = search.get('trace');
  const spanId = search.get('span');
  const recorded = traceId !== null && spanId !== null;
  const promptName = recorded ? null : search.get('prompt');
  const promptVersion = search.get('version');
  const detail = useApi<LlmCallDetail>(recorded ? apiUrl(`/api/traces/${traceId}/spans/${spanId}/llm`) : null);
  const prompt = useApi<FetchedPrompt>(
    promptName === null ? null : apiUrl(`/api/prompts/${encodeURIComponent(promptName)}`, { version: promptVersion ?? undefined }),
  );
  const providers = useApi<{ providers: string[] }>(apiUrl('/api/replay/providers'));
  const [call, setCall] = useState<PlaygroundCall | null>(recorded || promptName !== null ? null : callOf(null));
  const [provider, setProvider] = useState('');
  const [models, setModels] = useState<[string, string]>(['', '']);
  const [runs, setRuns] = useState<RunOutcome[]>([]);
  const [original, setOriginal] = useState<ReplaySide | null>(null);
  const [running, setRunning] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const stopping = useRef<AbortController | null>(null);

  // The recorded call, or the prompt version, fills the editor once it is read.
  useEffect(() => {
    if (detail.data === undefined) return;
    setCall(callOf(detail.data.messages));
    setModels([detail.data.llm?.requestModel ?? detail.data.llm?.responseModel ?? '', '']);
  }, [detail.data]);
  useEffect(() => {
    if (prompt.data === undefined) return;
    setCall(callOfPrompt(prompt.data));
    setModels([prompt.data.config.model ?? '', '']);
  }, [prompt.data]);
  // Leaving the page stops what runs (the server then cancels the provider's call).
  useEffect(() => () => stopping.current?.abort(), []);
  // A call not recorded needs a provider: the first this server has.
  const names = providers.data?.providers ?? [];
  useEffect(() => {
    if (!recorded && provider === '' && names.length > 0) setProvider(names[0]!);
  }, [recorded, provider, names]);

  if (call === null) {
    return (
      <div className="playground-page">
        <h1>Playground</h1>
        <ErrorBox error={detail.error ?? prompt.error} />
        {detail.error === undefined && prompt.error === undefined && <p className="muted">{recorded ? 'Reading the call…' : 'Reading the prompt…'}</p>}
      </div>
    );
  }
  const variables = variablesOf(call);
  const edit = (change: Partial<PlaygroundCall>) => setCall({ ...call, ...change });
  const editMessage = (i: number, change: Partial<Draft>) => edit({ messages: call.messages.map((d, j) => (j === i ? { ...d, ...change } : d)) });

  const recordedText = detail.data === undefined ? null : completionText(detail.data.messages.output);
  const update = (i: number, change: Partial<RunOutcome>) => setRuns((now) => now.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const runOne = async (i: number, model: string, body: Record<string, unknown>, signal: AbortSignal): Promise<void> => {
    let streamed = '';
    const onText = (text: string) => {
      streamed += text;
      update(i, { streamed });
    };
    try {
      if (recorded) {
        const overrides = { ...body, model, ...(provider === '' ? {} : { provider }) };
        const answer = await postStreamed<ReplayAnswer>('/api/replay', { traceId, spanId, overrides }, onText, signal);
        setOriginal(answer.original);
        update(i, { side: answer.result, trace: answer.links.trace });
        return;
      }
      const answer = await postStreamed<RunAnswer>('/api/playground/run', { ...body, model, provider }, onText, signal);
      update(i, { side: answer.result, trace: answer.links.trace });
    } catch (error) {
      update(i, { error: signal.aborted ? 'Stopped: the provider\u2019s call was cancelled and nothing was recorded.' : (error as Error).message });
    }
  };
  const run = () => {
    setProblem(null);
    let body: Record<string, unknown>;
    try {
      body = requestOf(call);
    } catch (error) {
      setProblem((error as Error).message);
      return;
    }
    const chosen = models.map((m) => m.trim()).filter((m) => m !== '');
    if (chosen.length === 0) {
      setProblem('Model: name the model to run');
      return;
    }
    const controller = new AbortController();
    stopping.current = controller;
    setRunning(true);
    setRuns(chosen.map((model, i) => ({ model, streamed: '', side: null, trace: null, error: null, baseline: baselineOf(recordedText, runs[i]) })));
    void Promise.all(chosen.map((model, i) => runOne(i, model, body, controller.signal))).then(() => {
      stopping.current = null;
      setRunning(false);
    });
  };

  return (
    <div className="playground-page">
      <h1>Playground</h1>
      <p className="muted">
        {recorded ? (
          <>
            Editing the recorded call <Link to={`/traces/${traceId}?span=${spanId}`}>of trace {traceId.slice(0, 8)}</Link>; runs replay it.{' '}
            <Link to="/playground">Start empty</Link>
          </>
        ) : prompt.data !== undefined ? (
          <>
            Editing <Link to={`/prompts/${encodeURIComponent(prompt.data.name)}`}>{prompt.data.name}</Link> version {prompt.data.version}; save to make its next
            version. <Link to="/playground">Start empty</Link>
          </>
        ) : (
          'A new call. Open a recorded one from its trace (an LLM call\u2019s "Open in playground"), or a prompt version from its page.'
        )}
      </p>
      {recorded && detail.data !== undefined && (
        <details>
          <summary>The recorded completion</summary>
          <ChatMessages messages={detail.data.messages.output} label="Recorded completion" />
        </details>
      )}
      <div className="playground-params">
        <label>
          Provider
          <select value={provider} onChange={(e) => setProvider(e.target.value)} aria-label="Provider">
            {recorded && <option value="">as recorded</option>}
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <input value={models[0]} onChange={(e) => setModels([e.target.value, models[1]])} aria-label="Model" />
        </label>
        <label>
          Second model
          <input value={models[1]} onChange={(e) => setModels([models[0], e.target.value])} placeholder="to run side by side" aria-label="Second model" />
        </label>
        <label>
          Temperature
          <input
            value={call.temperature}
            onChange={(e) => edit({ temperature: e.target.value })}
            placeholder="as recorded"
            inputMode="decimal"
            aria-label="Temperature"
          />
        </label>
        <label>
          Max tokens
          <input
            value={call.maxTokens}
            onChange={(e) => edit({ maxTokens: e.target.value })}
            placeholder="as recorded"
            inputMode="numeric"
            aria-label="Max tokens"
          />
        </label>
      </div>
      <label className="playground-message">
        system
        <textarea value={call.system} onChange={(e) => edit({ system: e.target.value })} rows={2} aria-label="System prompt" />
      </label>
      {call.messages.map((draft, i) => (
        <div key={i} className="playground-message">
          <select value={draft.role} onChange={(e) => editMessage(i, { role: e.target.value })} aria-label={`Role of message ${i + 1}`}>
            {['user', 'assistant', 'system', 'tool'].map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
          {draft.parts === null ? (
            <textarea value={draft.text} onChange={(e) => editMessage(i, { text: e.target.value })} rows={3} aria-label={`Message ${i + 1}`} />
          ) : (
            <ChatMessages messages={[{ role: draft.role, parts: draft.parts, finishReason: null }]} label={`Message ${i + 1} (tool parts, kept as recorded)`} />
          )}
          <button
            type="button"
            onClick={() => edit({ messages: call.messages.filter((_, j) => j !== i) })}
            disabled={call.messages.length === 1}
            aria-label={`Remove message ${i + 1}`}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => edit({ messages: [...call.messages, { role: 'user', text: '', parts: null }] })}>
        Add message
      </button>
      {variables.length > 0 && (
        <fieldset className="playground-variables">
          <legend>Variables</legend>
          {variables.map((name) => (
            <label key={name}>
              {name}
              <input
                value={call.variables[name] ?? ''}
                onChange={(e) => edit({ variables: { ...call.variables, [name]: e.target.value } })}
                aria-label={`Variable ${name}`}
              />
            </label>
          ))}
        </fieldset>
      )}
      <details className="playground-advanced">
        <summary>Tools and response format</summary>
        <label>
          Tools (JSON array, the provider's own form)
          <textarea value={call.tools} onChange={(e) => edit({ tools: e.target.value })} rows={4} aria-label="Tools" />
        </label>
        <label>
          Response format (JSON, OpenAI's response_format)
          <textarea value={call.responseFormat} onChange={(e) => edit({ responseFormat: e.target.value })} rows={2} aria-label="Response format" />
        </label>
      </details>
      <div className="playground-actions">
        <button type="button" className="primary" onClick={run} disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
        {running && (
          <button type="button" onClick={() => stopping.current?.abort()}>
            Stop
          </button>
        )}
      </div>
      {problem !== null && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {runs.length > 0 && <PlaygroundResults original={recorded ? original : null} runs={runs} />}
      <SavePrompt call={call} model={models[0]} from={prompt.data === undefined ? null : { name: prompt.data.name, type: prompt.data.type }} />
    </div>
  );
}

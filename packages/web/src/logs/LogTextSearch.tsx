import { useId, useState, type FormEvent } from 'react';
import { setSearch } from '../router';
import { isTraceId } from './log-filter';

/** Text and trace id of the logs search; applied to the URL on Enter or "Search". */
export function LogTextSearch({ text, traceId }: { text: string; traceId: string }) {
  const id = useId();
  const [textValue, setTextValue] = useState(text);
  const [traceValue, setTraceValue] = useState(traceId);
  const traceProblem = traceValue.trim() !== '' && !isTraceId(traceValue.trim());
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSearch({ text: textValue.trim(), traceId: traceValue.trim() });
  };
  return (
    <form className="logs-search" onSubmit={submit} role="search" aria-label="Search logs">
      <label htmlFor={`${id}-text`}>Text</label>
      <input id={`${id}-text`} type="search" value={textValue} onChange={(e) => setTextValue(e.target.value)} placeholder="in the message" />
      <label htmlFor={`${id}-trace`}>Trace id</label>
      <input
        id={`${id}-trace`}
        className="mono logs-trace-input"
        value={traceValue}
        onChange={(e) => setTraceValue(e.target.value)}
        placeholder="32 hex characters"
        aria-invalid={traceProblem}
        aria-describedby={traceProblem ? `${id}-trace-problem` : undefined}
      />
      <button type="submit">Search</button>
      {traceProblem && (
        <span id={`${id}-trace-problem`} className="logs-problem">
          <span aria-hidden="true">▲ </span>A trace id is 32 hex characters.
        </span>
      )}
    </form>
  );
}

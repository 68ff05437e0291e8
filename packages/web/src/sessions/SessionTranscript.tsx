import { type ChatPart, type LlmCallDetail, SPAN_CATEGORIES, type SessionRun, type TraceTree } from '@spoor/model';
import { useEffect, useState } from 'react';
import { apiGet, apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { type TranscriptCall, type Turn, isToolTurn, transcriptOf } from './transcript';

const LLM = SPAN_CATEGORIES.indexOf('llm');

/**
 * The LLM calls of the runs, oldest first: each run's span columns (`/tree`, no attributes) name
 * its calls, and each call's messages come from the call's own read, so no trace is fetched whole.
 */
async function callsOf(runs: readonly SessionRun[], signal: AbortSignal): Promise<TranscriptCall[]> {
  const calls: TranscriptCall[] = [];
  for (const run of runs) {
    const tree = await apiGet<TraceTree>(apiUrl(`/api/traces/${run.traceId}/tree`), signal);
    const llm = tree.spanIds.map((spanId, i) => ({ spanId, i })).filter(({ i }) => tree.categories[i] === LLM);
    llm.sort((a, b) => tree.startOffsetsUs[a.i]! - tree.startOffsetsUs[b.i]!);
    for (const { spanId } of llm) {
      const detail = await apiGet<LlmCallDetail>(apiUrl(`/api/traces/${run.traceId}/spans/${spanId}/llm`), signal);
      calls.push({ traceId: run.traceId, spanId, messages: detail.messages });
    }
  }
  return calls;
}

/** The session as a conversation: its turns in order, tool calls folded, each turn linked to its run and showing the run's scores. */
export function SessionTranscript({ runs }: { runs: readonly SessionRun[] }) {
  const [turns, setTurns] = useState<Turn[] | null>(null);
  const [error, setError] = useState<Error | undefined>(undefined);
  const key = runs.map((r) => r.traceId).join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: the runs' trace ids are what the transcript is read by.
  useEffect(() => {
    const abort = new AbortController();
    setTurns(null);
    callsOf(runs, abort.signal).then(
      (calls) => setTurns(transcriptOf(calls)),
      (e: unknown) => abort.signal.aborted || setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => abort.abort();
  }, [key]);
  const scores = new Map(runs.map((r) => [r.traceId, r.scores]));

  if (error !== undefined) return <ErrorBox error={error} />;
  if (turns === null) return <p className="muted">Loading the conversation…</p>;
  if (turns.length === 0) return <div className="empty">No recorded messages: the runs' LLM calls captured no prompt or completion.</div>;
  return (
    <ol className="transcript">
      {turns.map((turn, i) => {
        const runScores = Object.entries(scores.get(turn.traceId) ?? {});
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: turns never reorder; the same message may repeat.
          <li key={i} className={`turn turn-${turn.message.role}`} data-role={turn.message.role}>
            <div className="turn-head">
              <span className="turn-role">{turn.message.role}</span>
              <Link to={`/traces/${turn.traceId}?span=${turn.spanId}`} className="mono turn-run">
                run {turn.traceId.slice(0, 8)}
              </Link>
              {turn.message.role === 'assistant' &&
                runScores.map(([name, s]) => (
                  <span key={name} className="tag turn-score" title={`${s.count} score${s.count === 1 ? '' : 's'}`}>
                    {name} {s.mean === null ? Object.keys(s.labels).join(', ') : s.mean.toFixed(2)}
                  </span>
                ))}
            </div>
            {isToolTurn(turn) ? (
              <details className="turn-tool">
                <summary>{toolSummary(turn.message.parts)}</summary>
                <pre>{turn.message.parts.map(partText).join('\n')}</pre>
              </details>
            ) : (
              <div className="turn-text">{turn.message.parts.map(partText).join('\n')}</div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function toolSummary(parts: readonly ChatPart[]): string {
  const names = parts.flatMap((p) => (p.type === 'tool_call' ? [p.name] : []));
  return names.length > 0 ? `Tool call: ${names.join(', ')}` : 'Tool result';
}

function partText(part: ChatPart): string {
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return part.content;
    case 'tool_call':
      return `${part.name}(${JSON.stringify(part.arguments)})`;
    case 'tool_call_response':
      return typeof part.response === 'string' ? part.response : JSON.stringify(part.response);
    default:
      return typeof part.content === 'string' ? part.content : JSON.stringify(part.content);
  }
}

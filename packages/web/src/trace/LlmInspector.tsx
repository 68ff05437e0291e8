import type { LlmCallDetail, LlmFields } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatCost, formatDuration, formatInteger } from '../format';
import { TargetScores } from '../scores/TargetScores';
import { useApi } from '../use-api';
import { ChatMessages } from './ChatMessages';
import { Link } from '../components/Link';
import { pathWith } from '../router';
import { ReplayPanel } from './ReplayPanel';
import { AddToDataset } from '../datasets/AddToDataset';
import { itemFromSpan } from '../datasets/dataset-view';

/**
 * Everything about one LLM call in one place: who answered, what it cost and why (cache reads
 * and reasoning tokens shown apart), how fast the first token came, and the conversation itself.
 */
export function LlmInspector({ traceId, spanId, llm }: { traceId: string; spanId: string; llm: LlmFields }) {
  const detail = useApi<LlmCallDetail>(apiUrl(`/api/traces/${traceId}/spans/${spanId}/llm`));
  const model = llm.responseModel ?? llm.requestModel;
  const messages = detail.data?.messages;
  return (
    <section className="llm-inspector" aria-label="LLM call">
      <h3>LLM call</h3>
      <dl className="llm-facts">
        <Fact label="Provider" value={llm.provider ?? '–'} />
        <Fact
          label="Model"
          value={model ?? '–'}
          testId="llm-model"
          title={llm.requestModel !== null && llm.requestModel !== model ? `requested ${llm.requestModel}` : undefined}
        />
        <Fact label="Input tokens" value={formatInteger(llm.inputTokens)} testId="llm-input-tokens" />
        <Fact label="Output tokens" value={formatInteger(llm.outputTokens)} testId="llm-output-tokens" />
        <Fact label="Cached (read)" value={formatInteger(llm.cacheReadInputTokens)} />
        {llm.cacheCreationInputTokens !== null && <Fact label="Cache writes" value={formatInteger(llm.cacheCreationInputTokens)} />}
        <Fact label="Reasoning" value={formatInteger(llm.reasoningTokens)} />
        <Fact
          label="Cost"
          value={formatCost(llm.costUsd)}
          testId="llm-cost"
          title={
            llm.costSource === 'reported'
              ? 'reported by the instrumentation'
              : llm.costSource === 'price_table'
                ? "from Spoor's price table"
                : 'no price for this model'
          }
        />
        <Fact label="Time to first token" value={formatDuration(llm.timeToFirstTokenMs)} />
        <Fact label="Finish" value={llm.finishReasons?.join(', ') ?? '–'} />
      </dl>
      <h4>Scores</h4>
      <TargetScores spanId={spanId} />
      <AddToDataset what="this call" items={() => Promise.resolve([itemFromSpan(traceId, spanId)])} />
      {llm.costUsd === null && (llm.inputTokens ?? 0) > 0 && (
        <p className="muted">No price is known for {model ?? 'this model'}: set one with PUT /api/prices/:model, then reprice.</p>
      )}
      <ErrorBox error={detail.error} />
      {messages !== undefined &&
        (messages.system.length === 0 && messages.input.length === 0 && messages.output.length === 0 ? (
          <p className="muted">The instrumentation recorded no prompt or completion for this call.</p>
        ) : (
          <>
            <h4>Prompt</h4>
            <ChatMessages system={messages.system} messages={messages.input} label="Prompt" />
            <h4>Completion</h4>
            <ChatMessages messages={messages.output} label="Completion" />
            {messages.input.length > 0 && (
              <p>
                <Link to={pathWith('/playground', { trace: traceId, span: spanId })}>Open in playground</Link>
              </p>
            )}
            {messages.input.length > 0 && <ReplayPanel key={spanId} traceId={traceId} spanId={spanId} model={model} messages={messages} />}
          </>
        ))}
    </section>
  );
}

function Fact({ label, value, testId, title }: { label: string; value: string; testId?: string; title?: string | undefined }) {
  return (
    <div className="llm-fact" title={title}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

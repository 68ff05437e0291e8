import type { ChatMessage, ChatPart } from '@spoor/model';
import { valueText } from '../value-text';

/** The prompt and completion of an LLM call as a chat: one bubble per message, tool calls inline. */
export function ChatMessages({ system, messages, label }: { system?: ChatPart[]; messages: ChatMessage[]; label: string }) {
  if ((system === undefined || system.length === 0) && messages.length === 0) return null;
  return (
    <section className="chat" aria-label={label}>
      {system !== undefined && system.length > 0 && <Message role="system" parts={system} finishReason={null} />}
      {messages.map((message, i) => (
        <Message key={i} role={message.role} parts={message.parts} finishReason={message.finishReason} />
      ))}
    </section>
  );
}

function Message({ role, parts, finishReason }: { role: string; parts: ChatPart[]; finishReason: string | null }) {
  return (
    <div className={`chat-message role-${role}`}>
      <div className="chat-role">
        {role}
        {finishReason !== null && <span className="muted"> · {finishReason}</span>}
      </div>
      {parts.map((part, i) => (
        <Part key={i} part={part} />
      ))}
    </div>
  );
}

function Part({ part }: { part: ChatPart }) {
  switch (part.type) {
    case 'text':
      return <pre className="chat-text">{part.content}</pre>;
    case 'reasoning':
      return (
        <details className="chat-reasoning">
          <summary>Reasoning</summary>
          <pre>{part.content}</pre>
        </details>
      );
    case 'tool_call':
      return (
        <div className="chat-tool">
          <div>
            <span className="tag">tool call</span> <strong>{part.name}</strong>
            {part.id !== null && <span className="muted mono"> {part.id}</span>}
          </div>
          <pre>{valueText(part.arguments, true)}</pre>
        </div>
      );
    case 'tool_call_response':
      return (
        <div className="chat-tool">
          <div>
            <span className="tag">tool result</span>
            {part.id !== null && <span className="muted mono"> {part.id}</span>}
          </div>
          <pre>{valueText(part.response, true)}</pre>
        </div>
      );
    default:
      return (
        <div className="chat-tool">
          <span className="tag">{part.kind}</span>
          <pre>{valueText(part.content, true)}</pre>
        </div>
      );
  }
}

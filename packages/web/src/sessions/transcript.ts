import type { ChatMessage, LlmMessages } from '@spoor/model';

/** One LLM call of a session, with its recorded messages, in the order the calls started. */
export interface TranscriptCall {
  traceId: string;
  spanId: string;
  messages: LlmMessages;
}

/** A message of the conversation, once, with the call (and so the run) that first recorded it. */
export interface Turn {
  message: ChatMessage;
  traceId: string;
  spanId: string;
}

const keyOf = (m: ChatMessage): string => JSON.stringify([m.role, m.parts]);

/**
 * The session's turns in order. Each call's prompt repeats the conversation so far (the whole
 * history, or its latest messages when the app trims it), so a call adds only what follows the
 * longest overlap between the transcript's end and its prompt's start, then its completion. A user
 * repeating a message ("yes") is a new turn: it comes after the overlap.
 */
export function transcriptOf(calls: readonly TranscriptCall[]): Turn[] {
  const turns: Turn[] = [];
  const keys: string[] = [];
  for (const call of calls) {
    const input = call.messages.input.filter((m) => m.role !== 'system');
    const inputKeys = input.map(keyOf);
    let overlap = 0;
    for (let k = Math.min(keys.length, inputKeys.length); k > 0; k--) {
      if (inputKeys.slice(0, k).every((key, i) => key === keys[keys.length - k + i])) {
        overlap = k;
        break;
      }
    }
    for (const message of [...input.slice(overlap), ...call.messages.output]) {
      turns.push({ message, traceId: call.traceId, spanId: call.spanId });
      keys.push(keyOf(message));
    }
  }
  return turns;
}

/** Whether a turn is a tool's part of the conversation (a call of a tool, or its answer): shown folded. */
export function isToolTurn(turn: Turn): boolean {
  return turn.message.role === 'tool' || turn.message.parts.every((p) => p.type === 'tool_call' || p.type === 'tool_call_response');
}

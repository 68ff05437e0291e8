import type { ChatMessage } from '@spoor/model';
import type { ReplaySide } from '../trace/replay-answer';

/** A run in the playground: its text as it streams, then its answer and trace, or why it failed. */
export interface RunOutcome {
  model: string;
  /** The completion's text as the provider has sent it so far. */
  streamed: string;
  side: ReplaySide | null;
  trace: string | null;
  error: string | null;
  /** What its answer is compared with, when there is something. */
  baseline: Baseline | null;
}

/** A completion a run's answer is compared with. */
export interface Baseline {
  title: string;
  text: string;
}

/** A completion as text: each part on a line of its own, a tool call as `name(arguments)`. */
export function completionText(messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const message of messages) {
    for (const part of message.parts) {
      if (part.type === 'text' || part.type === 'reasoning') lines.push(part.content);
      else if (part.type === 'tool_call') lines.push(`${part.name}(${JSON.stringify(part.arguments)})`);
    }
  }
  return lines.join('\n');
}

/**
 * What a new run is compared with: the recorded completion when a recorded call is open (the
 * question is how the change did against what happened), else the answer given
 * in its place at the previous Run (the question is what the last edit changed), else nothing.
 */
export function baselineOf(recorded: string | null, previous: RunOutcome | undefined): Baseline | null {
  if (recorded !== null) return { title: 'the recorded completion', text: recorded };
  if (previous?.side == null) return null;
  return { title: `the previous run (${previous.model})`, text: completionText(previous.side.completion) };
}

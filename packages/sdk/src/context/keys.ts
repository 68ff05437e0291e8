import { createContextKey } from '@opentelemetry/api';

/** Context entry of the innermost running workflow, for the LLM usage summed into its metrics. */
export const WORKFLOW_KEY = createContextKey('spoor.workflow');
/** Context entry of the fields `withLogContext()` adds to every log line. */
export const LOG_FIELDS_KEY = createContextKey('spoor.log_fields');

/** The running totals of one workflow run; nested workflows add to every enclosing one. */
export interface WorkflowFrame {
  readonly name: string;
  readonly runId: string;
  readonly parent: WorkflowFrame | undefined;
  /** The session of this run, or of the workflow around it: what `score({ target: 'session' })` scores. */
  readonly sessionId: string | undefined;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  llmCalls: number;
}

/** Context entry of the prompt an LLM call is made with (`withPrompt()`): its span carries the prompt's name and version. */
export const PROMPT_KEY = createContextKey('spoor.prompt');

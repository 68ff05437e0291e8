import { type Attributes, context } from '@opentelemetry/api';
import { PROMPT_KEY } from '../context/keys.js';

/** What names a prompt on the LLM calls made with it. */
export interface PromptRef {
  /** The prompt's name in Spoor. */
  readonly name: string;
  /** Its version; absent for a fallback the app wrote itself. */
  readonly version?: number;
  /** True when Spoor could not be reached and the app's fallback text was used. */
  readonly isFallback?: boolean;
}

/**
 * Runs `fn` with `prompt` in the context: every LLM call of an instrumented client made inside it
 * (awaited or not) carries `spoor.prompt.name` and `spoor.prompt.version`, so statistics and
 * comparisons can be taken per prompt version.
 *
 * @example
 * const answer = await withPrompt({ name: 'support-answer', version: 4 }, () =>
 *   openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
 * );
 */
export function withPrompt<T>(prompt: PromptRef, fn: () => T): T {
  return context.with(context.active().setValue(PROMPT_KEY, prompt), fn);
}

/** The attributes of the prompt in the active context, or `undefined` when there is none. */
export function promptAttributes(): Attributes | undefined {
  const prompt = context.active().getValue(PROMPT_KEY) as PromptRef | undefined;
  if (prompt === undefined) return undefined;
  const attributes: Attributes = { 'spoor.prompt.name': prompt.name };
  if (prompt.version !== undefined) attributes['spoor.prompt.version'] = String(prompt.version);
  if (prompt.isFallback === true) attributes['spoor.prompt.fallback'] = true;
  return attributes;
}

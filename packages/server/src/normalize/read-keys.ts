/**
 * The span attributes normalization may read (`normalize.ts`, `llm.ts`, `category.ts`,
 * `genkit.ts`, `error-occurrences.ts`, and the LLM response id of `store/tables.ts`), by the
 * prefixes and names of the conventions that define them. The protobuf decoder keeps only these
 * as values for normalization and writes the rest straight to their stored JSON text; a key left
 * out here would change what is derived, which `decode-columns.test.ts` compares on every
 * fixture. Too many costs a little; too few is a bug.
 */
const PREFIXES = [
  'gen_ai.',
  'llm.',
  'ai.',
  'genkit:',
  'openinference.',
  'traceloop.',
  'langfuse.',
  'anthropic.',
  'spoor.',
  'http.',
  'error.',
  'exception.',
  'tool.',
  'db.',
  'graph.',
  'session.',
  'user.',
  'enduser.',
  'event.',
];

/** Bare keys that one emitter gives a meaning to (Mastra's identity keys) and OpenInference LangChain's run metadata. */
const NAMES: ReadonlySet<string> = new Set(['metadata', 'sessionId', 'threadId', 'userId', 'resourceId']);

/** Whether normalization may read a span attribute of this key. */
export function isNormalizedKey(key: string): boolean {
  if (NAMES.has(key)) return true;
  for (const prefix of PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}

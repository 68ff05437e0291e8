import type { AttributeValue } from '@spoor/model';

/**
 * The instrumentation scope of OpenInference's LangChain.js instrumentation. Its spans name the
 * provider, the end user and the request model in ways no other emitter does
 * (test/fixtures/frameworks/README.md).
 */
export const OPENINFERENCE_LANGCHAIN = '@arizeai/openinference-instrumentation-langchain';

/**
 * One string field of LangChain's run metadata, which OpenInference passes on only as the JSON
 * string attribute `metadata`: `ls_provider` (who serves the model), `user_id` (set by the app).
 * A scan for the key rather than a parse. In an agent run every span carries this metadata, often
 * 600 bytes with the LangGraph keys. Only a value with an escape in it is parsed in full.
 * JSON.stringify writes `"key":"value"` and Python's json.dumps writes `"key": "value"`; both are
 * read.
 */
export function langChainMetadataField(metadata: AttributeValue | undefined, key: string): string | null {
  if (typeof metadata !== 'string') return null;
  const quotedKey = `"${key}"`;
  const at = metadata.indexOf(quotedKey);
  if (at < 0) return null;
  let i = skipSpaces(metadata, at + quotedKey.length);
  if (metadata[i] !== ':') return null;
  i = skipSpaces(metadata, i + 1);
  if (metadata[i] !== '"') return null;
  const end = metadata.indexOf('"', i + 1);
  if (end < 0) return null;
  const value = metadata.slice(i + 1, end);
  if (!value.includes('\\')) return value !== '' ? value : null;
  return parsedField(metadata, key);
}

function skipSpaces(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}

function parsedField(metadata: string, key: string): string | null {
  try {
    const value: unknown = (JSON.parse(metadata) as Record<string, unknown>)[key];
    return typeof value === 'string' && value !== '' ? value : null;
  } catch {
    // Not JSON after all (a truncated attribute): no value rather than half of one.
    return null;
  }
}

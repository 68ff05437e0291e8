import type { FetchedPrompt } from '@spoor/model';

/** Why a prompt could not be had: the server could not be reached or refused, or has no such prompt. */
export type PromptErrorCode = 'not_initialized' | 'unreachable' | 'not_found' | 'refused';

/** A prompt `getPrompt` could not fetch and had no fallback for; `code` names the case, the message what to do. */
export class PromptError extends Error {
  override name = 'PromptError';
  constructor(
    readonly code: PromptErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`spoor prompt: ${message}`, options);
  }
}

/** Where prompts are fetched from. */
export interface PromptTarget {
  endpoint: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** `GET /api/prompts/:name` with `query` (`label=…` or `version=…`, or nothing for production, else the newest). */
export async function fetchPrompt(target: PromptTarget, name: string, query: string): Promise<FetchedPrompt> {
  const url = `${target.endpoint}/api/prompts/${encodeURIComponent(name)}${query === '' ? '' : `?${query}`}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...target.headers }, signal: AbortSignal.timeout(target.timeoutMs) });
  } catch (error) {
    throw new PromptError('unreachable', `cannot fetch prompt ${name}: ${target.endpoint} did not answer (${(error as Error).message})`, { cause: error });
  }
  if (response.ok) return (await response.json()) as FetchedPrompt;
  let said = '';
  try {
    said = ((await response.json()) as { error?: { message?: string } }).error?.message ?? '';
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  if (response.status === 404) throw new PromptError('not_found', `cannot fetch prompt ${name}: ${said || 'not found'}`);
  const hint = response.status === 401 || response.status === 403 ? ' (fetching a prompt takes a read key of its project: apiKey)' : '';
  throw new PromptError('refused', `${target.endpoint} refused to give prompt ${name} (${response.status}: ${said})${hint}`);
}

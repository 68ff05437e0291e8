import type { Provider, ProviderName } from './providers.js';

/** How long a reachability check waits for the provider's answer. */
const CHECK_MS = 5_000;

const DEFAULT_BASE: Record<Exclude<ProviderName, 'demo'>, string> = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com/v1' };

/** A provider as the Settings page shows it: where it is and whether it answers, never its key. */
export interface ProviderStatus {
  name: ProviderName;
  /** Scheme, host and path of the base URL (user info and query, which may carry a token, left out); `null`: the provider's own. */
  baseUrl: string | null;
  timeoutMs: number;
  /** Whether the provider answered HTTP at all within 5 s (any status: a 401 is an answer, and says the key is refused). */
  reachable: boolean;
  /** The status of `GET <base>/models`, asked with the key; `null` when nothing answered. */
  status: number | null;
  /** Why it was not reached, or what a refusal said in a word (`the key was refused`). */
  problem: string | null;
}

/**
 * Asks `GET <base>/models` with the provider's key: a list every OpenAI- and Anthropic-style
 * server answers for free, which needs the key to be right. The key goes in the header the
 * provider reads and nowhere else; a network error's text is kept short and names no URL path.
 */
export async function checkProvider(provider: Provider, fetchImpl: typeof fetch = fetch): Promise<ProviderStatus> {
  // The built-in demo provider answers in process: there is nothing to reach, and it always answers.
  if (provider.name === 'demo') return { name: 'demo', baseUrl: null, timeoutMs: provider.timeoutMs, reachable: true, status: 200, problem: null };
  const base = provider.baseUrl ?? DEFAULT_BASE[provider.name];
  const shown = provider.baseUrl === null ? null : shownBase(provider.baseUrl);
  const headers: Record<string, string> =
    provider.name === 'anthropic' ? { 'x-api-key': provider.apiKey, 'anthropic-version': '2023-06-01' } : { authorization: `Bearer ${provider.apiKey}` };
  const out = { name: provider.name, baseUrl: shown, timeoutMs: provider.timeoutMs };
  try {
    // fetch refuses a URL with user info; the check asks with the key alone, as a call would.
    const url = new URL(`${base.replace(/\/+$/, '')}/models`);
    url.username = '';
    url.password = '';
    const response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(CHECK_MS) });
    await response.body?.cancel();
    const refused = response.status === 401 || response.status === 403;
    const problem = refused ? 'the key was refused' : response.ok ? null : `answered HTTP ${response.status} to GET /models`;
    return { ...out, reachable: true, status: response.status, problem };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    const timedOut = (error as Error).name === 'TimeoutError';
    const problem = timedOut ? `no answer within ${CHECK_MS / 1000} s` : `not reached (${cause ?? 'network error'})`;
    return { ...out, reachable: false, status: null, problem };
  }
}

function shownBase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '…';
  }
}

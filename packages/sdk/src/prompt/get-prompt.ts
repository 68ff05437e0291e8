import {
  type FetchedPrompt,
  type PromptConfig,
  type PromptMessage,
  type PromptTemplate,
  chooseVersion,
  compilePrompt,
  promptVariables,
  sharesOf,
} from '@spoor/model';
import { apiTargetFrom } from '../replay/options.js';
import { runtime, warnOnce } from '../runtime.js';
import { PromptError, type PromptTarget, fetchPrompt } from './prompt-api.js';
import { withPrompt } from './with-prompt.js';

/** How `getPrompt` fetches a prompt. */
export interface GetPromptOptions {
  /** The label to fetch. Default: `production`, else the newest version. */
  label?: string;
  /** A version to fetch instead of a label. */
  version?: number;
  /** A user or session id: a label split between versions gives it one version, always the same. */
  stickyKey?: string;
  /** What to use when Spoor cannot be reached (or has no such prompt): a text, or chat messages. Without it, `getPrompt` throws a `PromptError`. */
  fallback?: PromptTemplate;
  /** How long a fetched label is used before it is fetched again, in the background (the old one served meanwhile). Default 60,000. */
  cacheTtlMs?: number;
  /** How long a fetch may take before the fallback is used, in ms. Default 5,000. */
  timeoutMs?: number;
  /** The Spoor server. Default: `init()`'s `endpoint`. */
  endpoint?: string;
  /** A read key of the prompt's project. Default: `init()`'s. */
  apiKey?: string;
}

/** A prompt as fetched (or its fallback): compile it with its variables, and run LLM calls with it so they carry its name and version. */
export interface Prompt {
  readonly name: string;
  /** The version; `undefined` for a fallback. */
  readonly version: number | undefined;
  readonly type: 'text' | 'chat';
  /** The template, with its `{{variables}}`. */
  readonly prompt: PromptTemplate;
  readonly variables: readonly string[];
  /** The config stored with the version (model, temperature, max tokens, tools, response format); all `null` for a fallback. */
  readonly config: PromptConfig;
  /** The label fetched, `null` when fetched by version or a fallback. */
  readonly label: string | null;
  /** True when Spoor could not be reached and the fallback is used. */
  readonly isFallback: boolean;
  /** The template with each `{{name}}` replaced; a `PromptVariableError` naming any variable missing or not the prompt's. */
  compile(variables?: Readonly<Record<string, string | number | boolean>>): string | PromptMessage[];
  /** Runs `fn` so every LLM call of an instrumented client made in it carries `spoor.prompt.name` and `.version` (and `.fallback`). */
  run<T>(fn: () => T): T;
}

const DEFAULT_TTL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 5000;

interface Entry {
  prompt: FetchedPrompt;
  fetchedMs: number;
  refreshing: boolean;
}

/** Fetched prompts by server, key, name and what was asked; a version never changes, so a version's entry is never stale. */
const cache = new Map<string, Entry>();

/**
 * A prompt from Spoor, by label (default `production`) or version: cached, and fetched again in
 * the background once `cacheTtlMs` has passed, the cached one served meanwhile. When Spoor cannot
 * be reached, the `fallback` is used (and the LLM calls made with it say so); without one, a
 * `PromptError`. A label split between versions gives each `stickyKey` one version.
 * @example
 * const prompt = await getPrompt('support-answer', { stickyKey: user.id, fallback: 'Answer briefly: {{question}}' });
 * const answer = await prompt.run(() =>
 *   openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt.compile({ question }) as string }] }),
 * );
 */
export async function getPrompt(name: string, options: GetPromptOptions = {}): Promise<Prompt> {
  if (typeof name !== 'string' || name === '') throw new TypeError('getPrompt: name must be a non-empty string');
  if (options.label !== undefined && options.version !== undefined) throw new TypeError('getPrompt: give a label or a version, not both');
  const target = targetOf(options);
  try {
    if (target === null) throw new PromptError('not_initialized', `cannot fetch prompt ${name}: call init() first, or give getPrompt an endpoint`);
    const query =
      options.version !== undefined ? `version=${options.version}` : options.label !== undefined ? `label=${encodeURIComponent(options.label)}` : '';
    let fetched = await cached(target, name, query, options.cacheTtlMs ?? DEFAULT_TTL_MS);
    const { split } = fetched;
    if (options.stickyKey !== undefined && split !== null && split.length > 1) {
      const chosen = chooseVersion(sharesOf(split), options.stickyKey);
      if (chosen !== fetched.version) fetched = { ...(await cached(target, name, `version=${chosen}`, Number.POSITIVE_INFINITY)), label: fetched.label, split };
    }
    return promptOf(fetched);
  } catch (error) {
    if (options.fallback === undefined || !(error instanceof PromptError)) throw error;
    warnOnce(`prompt-fallback:${name}`, `${error.message}; using the fallback given to getPrompt`);
    return fallbackOf(name, options.fallback);
  }
}

function targetOf(options: GetPromptOptions): PromptTarget | null {
  const defaults = runtime.server;
  if (defaults === undefined && options.endpoint === undefined) return null;
  const { endpoint, headers } = apiTargetFrom(options.endpoint, options.apiKey, defaults ?? { endpoint: options.endpoint!, headers: {} });
  return { endpoint, headers, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

async function cached(target: PromptTarget, name: string, query: string, ttlMs: number): Promise<FetchedPrompt> {
  const key = [target.endpoint, target.headers.authorization ?? '', name, query].join('\0');
  const entry = cache.get(key);
  if (entry === undefined) {
    const prompt = await fetchPrompt(target, name, query);
    cache.set(key, { prompt, fetchedMs: Date.now(), refreshing: false });
    return prompt;
  }
  if (Date.now() - entry.fetchedMs >= ttlMs && !entry.refreshing) {
    entry.refreshing = true;
    // Served stale meanwhile: a refresh that fails keeps the prompt the app had, and tries again on the next call.
    fetchPrompt(target, name, query).then(
      (prompt) => cache.set(key, { prompt, fetchedMs: Date.now(), refreshing: false }),
      (error: unknown) => {
        entry.refreshing = false;
        warnOnce(`prompt-refresh:${name}`, `${(error as Error).message}; serving the prompt fetched before`);
      },
    );
  }
  return entry.prompt;
}

function promptOf(fetched: FetchedPrompt): Prompt {
  return made(fetched.name, fetched.version, fetched.prompt, fetched.config, fetched.label, false);
}

function fallbackOf(name: string, template: PromptTemplate): Prompt {
  return made(name, undefined, template, { model: null, temperature: null, maxTokens: null, tools: null, responseFormat: null }, null, true);
}

function made(name: string, version: number | undefined, template: PromptTemplate, config: PromptConfig, label: string | null, isFallback: boolean): Prompt {
  const ref = version === undefined ? { name, isFallback } : { name, version, isFallback };
  return {
    name,
    version,
    type: typeof template === 'string' ? 'text' : 'chat',
    prompt: template,
    variables: promptVariables(template),
    config,
    label,
    isFallback,
    compile: (variables = {}) => {
      const compiled = compilePrompt(template, variables);
      return typeof compiled === 'string' ? compiled : compiled.map((m) => ({ ...m }));
    },
    run: (fn) => withPrompt(ref, fn),
  };
}

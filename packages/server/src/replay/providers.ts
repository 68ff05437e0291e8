import { readFileSync } from 'node:fs';
import { parseDurationUs } from '../duration.js';

/**
 * The LLM providers a server may replay calls against (`--provider`), with the key read once at
 * start from where the flag says: `openai=env:OPENAI_API_KEY`, `anthropic=file:/run/secrets/key`,
 * and optionally a base URL for a gateway or a compatible server and a timeout for the whole call,
 * headers and body: `openai=env:KEY,base=http://…/v1,timeout=30s` (default 60 s).
 * A key is never written on the command line (where `ps` shows it), nor into a span, log or answer.
 */

/** `demo` is built in (`demo-provider.ts`): every server has it, and no flag names it. */
export const PROVIDER_NAMES = ['openai', 'anthropic', 'demo'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface Provider {
  name: ProviderName;
  apiKey: string;
  /** `null`: the provider's own. */
  baseUrl: string | null;
  /** The whole call's, headers and body (`withDeadline`). */
  timeoutMs: number;
}

/** Parses `--provider` values; throws a message that says how to write one. */
export function parseProviders(specs: readonly string[], env: NodeJS.ProcessEnv = process.env): Provider[] {
  const providers: Provider[] = [];
  for (const spec of specs) {
    const match = /^(\w+)=(env|file):([^,]+)((?:,\w+=[^,]+)*)$/.exec(spec.trim());
    if (match === null)
      throw new Error(`--provider ${spec}: write NAME=env:VARIABLE or NAME=file:PATH, optionally ,base=URL and ,timeout=30s (e.g. openai=env:OPENAI_API_KEY)`);
    const [, name, source, where, rest] = match as unknown as [string, string, 'env' | 'file', string, string];
    const options = Object.fromEntries(
      rest
        .split(',')
        .filter((o) => o !== '')
        .map((o) => o.split('=', 2) as [string, string]),
    );
    for (const key of Object.keys(options))
      if (key !== 'base' && key !== 'timeout') throw new Error(`--provider ${name}: '${key}' is not an option (base, timeout)`);
    const base = options.base;
    const timeoutUs = options.timeout === undefined ? 60_000_000 : parseDurationUs(options.timeout);
    if (timeoutUs === null || timeoutUs < 1000) throw new Error(`--provider ${name}: timeout must be a duration such as 30s, not '${options.timeout}'`);
    if (name === 'demo') throw new Error('--provider demo: the demo provider is built in and needs no key; leave it out');
    if (!(PROVIDER_NAMES as readonly string[]).includes(name))
      throw new Error(`--provider ${name}: replay speaks openai and anthropic (an OpenAI-compatible server is openai with ,base=URL)`);
    if (providers.some((p) => p.name === name)) throw new Error(`--provider ${name} is given twice`);
    const apiKey = source === 'env' ? env[where] : readKeyFile(where, name);
    if (apiKey === undefined || apiKey.trim() === '')
      throw new Error(`--provider ${name}: ${source === 'env' ? `the variable ${where} is not set` : `the file ${where} is empty`}`);
    if (base !== undefined && !/^https?:\/\/[^/]/.test(base)) throw new Error(`--provider ${name}: base must be an http(s) URL, not '${base}'`);
    providers.push({ name: name as ProviderName, apiKey: apiKey.trim(), baseUrl: base ?? null, timeoutMs: timeoutUs / 1000 });
  }
  return providers;
}

function readKeyFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--provider ${name}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

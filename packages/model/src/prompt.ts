import type { SpanStats } from './analytics.js';

/**
 * Prompts as the server keeps them and the SDK runs them: a text or a list of chat messages with
 * `{{variables}}`, compiled with the variables given, and a label's split of traffic between
 * versions, chosen by a sticky key so one user always sees one version.
 *
 * Rules, stated before the code:
 * - a variable is `{{name}}`, the name letters, digits, `_`, `.` or `-`, spaces inside the braces
 *   allowed (`{{ name }}`); anything else between braces is text, left as it is;
 * - compiling needs exactly the prompt's variables: one it lacks is an error naming it, and so is
 *   one given that the prompt does not have (a misspelt name would otherwise pass silently);
 * - a split's shares are positive and sum to 1 (within 1e-9); a key's place in [0, 1) is its
 *   hash's, so the same key falls in the same version for as long as the split is the same.
 */

/** One message of a chat prompt. */
export interface PromptMessage {
  role: string;
  content: string;
}

/** A prompt's body: a text, or chat messages. */
export type PromptTemplate = string | readonly PromptMessage[];

/** A version's share of a label's traffic. */
export interface PromptShare {
  version: number;
  /** 0 to 1; a label's shares sum to 1. */
  share: number;
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The variables of a template, each once, in the order they first appear. */
export function promptVariables(template: PromptTemplate): string[] {
  const names = new Set<string>();
  for (const text of textsOf(template)) for (const match of text.matchAll(VARIABLE)) names.add(match[1]!);
  return [...names];
}

/** Compiling a prompt with variables it lacks, or without variables it has. */
export class PromptVariableError extends Error {
  constructor(
    /** Given, but not in the prompt. */
    readonly unknown: readonly string[],
    /** In the prompt, but not given. */
    readonly missing: readonly string[],
  ) {
    const parts: string[] = [];
    if (unknown.length > 0) parts.push(`the prompt has no variable ${unknown.map((n) => `'${n}'`).join(', ')}`);
    if (missing.length > 0) parts.push(`no value given for ${missing.map((n) => `'${n}'`).join(', ')}`);
    super(parts.join('; '));
    this.name = 'PromptVariableError';
  }
}

/** The template with each `{{name}}` replaced by its variable; a `PromptVariableError` unless the variables are exactly the prompt's. */
export function compilePrompt<T extends PromptTemplate>(template: T, variables: Readonly<Record<string, string | number | boolean>>): T {
  const names = promptVariables(template);
  const unknown = Object.keys(variables).filter((name) => !names.includes(name));
  const missing = names.filter((name) => !Object.hasOwn(variables, name));
  if (unknown.length > 0 || missing.length > 0) throw new PromptVariableError(unknown, missing);
  // A function replacer: a value holding `$&` or `$1` is inserted as it is, not read as a pattern.
  const fill = (text: string) => text.replace(VARIABLE, (_, name: string) => String(variables[name]));
  if (typeof template === 'string') return fill(template) as T;
  return (template as readonly PromptMessage[]).map((m) => ({ ...m, content: fill(m.content) })) as unknown as T;
}

function textsOf(template: PromptTemplate): string[] {
  return typeof template === 'string' ? [template] : template.map((m) => m.content);
}

/** Why a split cannot be used, or `null` when it can: shares positive, versions distinct, summing to 1. */
export function splitProblem(split: readonly PromptShare[]): string | null {
  if (split.length === 0) return 'a split names at least one version';
  const versions = new Set(split.map((s) => s.version));
  if (versions.size !== split.length) return 'a split names each version once';
  if (split.some((s) => !(s.share > 0 && s.share <= 1))) return 'each share is above 0 and at most 1';
  const total = split.reduce((sum, s) => sum + s.share, 0);
  if (Math.abs(total - 1) > 1e-9) return `the shares sum to ${total}, not 1`;
  return null;
}

/**
 * The version of `split` that `key` (a user or session id) gets: the same key, the same version.
 * The key's hash (FNV-1a, 32 bits, with a final mix so near keys spread) places it in [0, 1), and
 * the shares, in the split's order, divide that range.
 */
export function chooseVersion(split: readonly PromptShare[], key: string): number {
  const place = placeOf(key);
  let upTo = 0;
  for (const s of split) {
    upTo += s.share;
    if (place < upTo) return s.version;
  }
  // Shares summing to a hair under 1 leave the top of the range to the last version.
  return split[split.length - 1]!.version;
}

/** `key`'s place in [0, 1). */
export function placeOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's finalizer: FNV-1a alone leaves keys that differ in their last character close together.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** A label's target as the API states it: versions with weights summing to 100 (one version: weight 100). */
export interface PromptSplitEntry {
  version: number;
  weight: number;
}

/** What a prompt asks of the model it runs on; every field optional, `null` when not set. */
export interface PromptConfig {
  model: string | null;
  temperature: number | null;
  maxTokens: number | null;
  /** The tools offered, as the provider's API takes them. */
  tools: unknown[] | null;
  /** The answer's format: `{ type: 'json' }`, or `{ type: 'json', schema }` for a JSON schema. */
  responseFormat: unknown;
}

/**
 * A prompt's response format as OpenAI's chat API takes it (`response_format`): `{ type: 'json' }`
 * asks for a JSON object, with a `schema` for an answer of that schema; `null` for none (or a format
 * this does not know, sent as nothing rather than guessed at).
 */
export function openAiResponseFormat(format: unknown): unknown {
  if (typeof format !== 'object' || format === null || (format as { type?: unknown }).type !== 'json') return null;
  const schema = (format as { schema?: unknown }).schema;
  return typeof schema === 'object' && schema !== null ? { type: 'json_schema', json_schema: { name: 'answer', schema } } : { type: 'json_object' };
}

/** One version of a prompt: never rewritten; a change is the next version. */
export interface PromptVersion {
  name: string;
  version: number;
  type: 'text' | 'chat';
  prompt: string | PromptMessage[];
  /** The template's `{{variables}}`, in the order they first appear. */
  variables: string[];
  config: PromptConfig;
  /** What changed, as its author said. */
  message: string;
  /** The labels that point at this version (whole or as part of a split). */
  labels: string[];
  createdBy: string;
  createdAt: string;
}

/** A version fetched by label or number: the label asked for and its split (`null` when fetched by number). */
export interface FetchedPrompt extends PromptVersion {
  label: string | null;
  split: PromptSplitEntry[] | null;
  /** The prompt filled with the `variables` asked with, else `null`. */
  compiled: string | PromptMessage[] | null;
}

/** A label moved: who moved it, when, from what to what (`from` null for a new label). */
export interface PromptLabelMove {
  label: string;
  from: PromptSplitEntry[] | null;
  to: PromptSplitEntry[];
  by: string;
  at: string;
}

/** A prompt in the list: its newest version and its labels. */
export interface PromptSummary {
  name: string;
  latestVersion: number;
  labels: Record<string, PromptSplitEntry[]>;
  updatedAt: string;
}

/** A prompt's name: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit. */
export const PROMPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** A label: 1 to 50 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit. */
export const PROMPT_LABEL = /^[a-z0-9][a-z0-9._-]{0,49}$/;

/** A split's weights as shares (weights sum to 100), for `chooseVersion`. */
export function sharesOf(split: readonly PromptSplitEntry[]): PromptShare[] {
  return split.map((s) => ({ version: s.version, share: s.weight / 100 }));
}

/** Why a split of weights cannot be used, or `null`: integers above 0 summing to 100, each version once. */
export function weightsProblem(split: readonly PromptSplitEntry[]): string | null {
  if (split.some((s) => !Number.isInteger(s.version) || s.version < 1)) return 'each version is a whole number from 1';
  if (split.some((s) => typeof s.weight !== 'number' || !Number.isFinite(s.weight))) return 'each weight is a number';
  const total = split.reduce((sum, s) => sum + s.weight, 0);
  if (split.length > 0 && split.every((s) => s.weight > 0) && Math.abs(total - 100) > 1e-9) return `the weights sum to ${total}, not 100`;
  return splitProblem(sharesOf(split));
}

/** A score name's count and mean over one version's calls (a trace's score counted with its root span). */
export interface PromptVersionScore {
  name: string;
  count: number;
  /** `null` when no score of the name has a value (labels only). */
  mean: number | null;
}

/** `GET /api/prompts/:name/stats`: per version, the LLM calls made with it over the range. */
export interface PromptStatsResponse {
  name: string;
  from: string;
  to: string;
  /** Newest version first; each with the span statistics of its calls (`SpanStats`, durations in ms) and its scores. */
  versions: (SpanStats & { version: number; scores: PromptVersionScore[] })[];
  /** The URL of `/api/stats/compare` for the two versions of the production split, else the two newest versions with calls; `null` with fewer than two. */
  compare: string | null;
}

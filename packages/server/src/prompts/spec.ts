import {
  PROMPT_LABEL,
  PROMPT_NAME,
  type PromptConfig,
  type PromptMessage,
  type PromptSplitEntry,
  PromptVariableError,
  compilePrompt,
  weightsProblem,
} from '@spoor/model';
import { AppError } from '../errors.js';

/**
 * A prompt version as sent to `POST /api/prompts`, and a label's target as sent to
 * `PUT /api/prompts/:name/labels/:label`, checked: every problem is a 400 naming the field.
 * A version is stored as the JSON of `VersionBody`.
 */

export interface VersionBody {
  type: 'text' | 'chat';
  prompt: string | PromptMessage[];
  config: PromptConfig;
  message: string;
}

export interface NewVersion {
  name: string;
  body: VersionBody;
  /** Labels to point at the new version, whole. */
  labels: string[];
}

const FIELDS = ['name', 'type', 'prompt', 'config', 'message', 'labels'];
const CONFIG_FIELDS = ['model', 'temperature', 'maxTokens', 'tools', 'responseFormat'];
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];
/** Large enough for any prompt a person writes, small enough that a fetch stays cheap. */
const MAX_PROMPT_CHARS = 200_000;
const MAX_MESSAGES = 200;

const bad = (message: string): AppError => new AppError('ERR_BAD_REQUEST', message);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkPromptName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !PROMPT_NAME.test(name))
    throw bad(`${field}: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit`);
  return name;
}

export function checkLabel(label: unknown, field = 'label'): string {
  if (typeof label !== 'string' || !PROMPT_LABEL.test(label))
    throw bad(`${field}: 1 to 50 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit`);
  return label;
}

/** The new version sent to `POST /api/prompts`. */
export function checkNewVersion(body: unknown): NewVersion {
  if (!isObject(body)) throw bad('the body must be a prompt version: an object with a name and a prompt');
  const extra = Object.keys(body).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) throw bad(`${extra}: not a field of a prompt version (${FIELDS.join(', ')})`);
  const name = checkPromptName(body.name);
  const prompt = checkTemplate(body.prompt);
  const type = typeof prompt === 'string' ? 'text' : 'chat';
  if (body.type !== undefined && body.type !== type)
    throw bad(`type: ${String(body.type)} does not match the prompt given (a text prompt is a string, a chat prompt a list of messages)`);
  if (body.message !== undefined && (typeof body.message !== 'string' || body.message.length > 4096)) throw bad('message: a string of at most 4096 characters');
  if (body.labels !== undefined && (!Array.isArray(body.labels) || body.labels.length > 20)) throw bad('labels: a list of at most 20 labels');
  const labels = ((body.labels as unknown[] | undefined) ?? []).map((l, i) => checkLabel(l, `labels[${i}]`));
  return { name, body: { type, prompt, config: checkConfig(body.config), message: (body.message as string | undefined) ?? '' }, labels: [...new Set(labels)] };
}

function checkTemplate(raw: unknown): string | PromptMessage[] {
  if (typeof raw === 'string') {
    if (raw.length === 0 || raw.length > MAX_PROMPT_CHARS) throw bad(`prompt: 1 to ${MAX_PROMPT_CHARS} characters`);
    return raw;
  }
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_MESSAGES)
    throw bad(`prompt: a text, or a list of 1 to ${MAX_MESSAGES} chat messages ({ role, content })`);
  let chars = 0;
  const messages = raw.map((m, i): PromptMessage => {
    if (!isObject(m)) throw bad(`prompt[${i}]: a message is { role, content }`);
    const extra = Object.keys(m).find((k) => k !== 'role' && k !== 'content');
    if (extra !== undefined) throw bad(`prompt[${i}].${extra}: not a field of a message (role, content)`);
    if (typeof m.role !== 'string' || !ROLES.includes(m.role)) throw bad(`prompt[${i}].role: one of ${ROLES.join(', ')}`);
    if (typeof m.content !== 'string') throw bad(`prompt[${i}].content: must be a string`);
    chars += m.content.length;
    return { role: m.role, content: m.content };
  });
  if (chars > MAX_PROMPT_CHARS) throw bad(`prompt: at most ${MAX_PROMPT_CHARS} characters in all`);
  return messages;
}

function checkConfig(raw: unknown): PromptConfig {
  const config: PromptConfig = { model: null, temperature: null, maxTokens: null, tools: null, responseFormat: null };
  if (raw === undefined || raw === null) return config;
  if (!isObject(raw)) throw bad('config: an object ({ model, temperature, maxTokens, tools, responseFormat })');
  const extra = Object.keys(raw).find((k) => !CONFIG_FIELDS.includes(k));
  if (extra !== undefined) throw bad(`config.${extra}: not a field of a prompt's config (${CONFIG_FIELDS.join(', ')})`);
  const { model, temperature, maxTokens, tools, responseFormat } = raw;
  if (model !== undefined && model !== null) {
    if (typeof model !== 'string' || model.length === 0 || model.length > 200) throw bad('config.model: a model name of 1 to 200 characters');
    config.model = model;
  }
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) throw bad('config.temperature: a number from 0 to 2');
    config.temperature = temperature;
  }
  if (maxTokens !== undefined && maxTokens !== null) {
    if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) throw bad('config.maxTokens: a whole number from 1');
    config.maxTokens = maxTokens as number;
  }
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools) || tools.length > 128 || !tools.every(isObject)) throw bad('config.tools: a list of at most 128 tools, each an object');
    config.tools = tools;
  }
  if (responseFormat !== undefined && responseFormat !== null) {
    if (!isObject(responseFormat) || responseFormat.type !== 'json') throw bad("config.responseFormat: { type: 'json' }, or { type: 'json', schema }");
    const extraFormat = Object.keys(responseFormat).find((k) => k !== 'type' && k !== 'schema');
    if (extraFormat !== undefined) throw bad(`config.responseFormat.${extraFormat}: not a field of a response format (type, schema)`);
    if (responseFormat.schema !== undefined && !isObject(responseFormat.schema)) throw bad('config.responseFormat.schema: a JSON schema (an object)');
    config.responseFormat = responseFormat;
  }
  return config;
}

/** A label's target: `{ version }` (the whole of it), or `{ split: [{ version, weight }] }` with weights summing to 100. */
export function checkTarget(body: unknown): PromptSplitEntry[] {
  if (!isObject(body)) throw bad('the body must be { version } or { split: [{ version, weight }] }');
  const extra = Object.keys(body).find((k) => k !== 'version' && k !== 'split');
  if (extra !== undefined) throw bad(`${extra}: not a field of a label's target (version, split)`);
  if ((body.version === undefined) === (body.split === undefined)) throw bad('version: give a version or a split, one of the two');
  if (body.version !== undefined) {
    if (!Number.isInteger(body.version) || (body.version as number) < 1) throw bad('version: a whole number from 1');
    return [{ version: body.version as number, weight: 100 }];
  }
  if (!Array.isArray(body.split) || body.split.length === 0 || body.split.length > 10) throw bad('split: a list of 1 to 10 { version, weight }');
  const split = body.split.map((s, i): PromptSplitEntry => {
    if (!isObject(s) || Object.keys(s).some((k) => k !== 'version' && k !== 'weight')) throw bad(`split[${i}]: { version, weight }`);
    if (!Number.isInteger(s.version) || (s.version as number) < 1) throw bad(`split[${i}].version: a whole number from 1`);
    if (typeof s.weight !== 'number' || !(s.weight > 0)) throw bad(`split[${i}].weight: a number above 0`);
    return { version: s.version as number, weight: s.weight };
  });
  const problem = weightsProblem(split);
  if (problem !== null) throw bad(`split: ${problem}`);
  return split;
}

/** The `variables` of a fetch: a JSON object of strings, numbers or booleans. */
export function checkVariables(text: string): Record<string, string | number | boolean> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad('variables: a JSON object of the variables ({"name":"Ada"})');
  }
  if (!isObject(parsed)) throw bad('variables: a JSON object of the variables ({"name":"Ada"})');
  for (const [key, value] of Object.entries(parsed))
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw bad(`variables.${key}: a string, number or boolean`);
  return parsed as Record<string, string | number | boolean>;
}

/** The prompt filled with `variables`; a 400 naming any the prompt does not have, or lacks. */
export function compiled(prompt: string | PromptMessage[], variables: Record<string, string | number | boolean>): string | PromptMessage[] {
  try {
    return compilePrompt(prompt, variables);
  } catch (error) {
    if (error instanceof PromptVariableError) throw bad(`variables: ${error.message}`);
    throw error;
  }
}

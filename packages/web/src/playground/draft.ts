import {
  type ChatMessage,
  type ChatPart,
  type LlmMessages,
  type PromptMessage,
  type PromptVersion,
  compilePrompt,
  openAiResponseFormat,
  promptVariables,
} from '@spoor/model';

/**
 * The playground's call as the editor holds it, and what Run sends: the messages with their
 * `{{variables}}` filled in (by the model's `compilePrompt`, so the playground and prompts agree
 * on what a variable is), the parameters left out when empty so a replay keeps what was recorded.
 */

/** A message as the editor holds it: text when every part is text, the parts as they were otherwise. */
export interface Draft {
  role: string;
  text: string;
  /** Parts that are not text (tool calls and results): sent unchanged. */
  parts: ChatPart[] | null;
}

/** The whole call being edited. Parameters are text as typed; empty means "as recorded" (or the provider's default). */
export interface PlaygroundCall {
  system: string;
  messages: Draft[];
  temperature: string;
  maxTokens: string;
  /** JSON: an array of tool definitions in the provider's own form. */
  tools: string;
  /** JSON: OpenAI's response_format. */
  responseFormat: string;
  variables: Record<string, string>;
}

export const draftOf = (message: ChatMessage): Draft =>
  message.parts.every((p) => p.type === 'text')
    ? { role: message.role, text: message.parts.map((p) => (p.type === 'text' ? p.content : '')).join('\n'), parts: null }
    : { role: message.role, text: '', parts: message.parts };

/** An empty call, or the recorded one's messages. */
export function callOf(messages: LlmMessages | null): PlaygroundCall {
  return {
    system: messages === null ? '' : messages.system.map((p) => (p.type === 'text' ? p.content : '')).join('\n'),
    messages: messages === null ? [{ role: 'user', text: '', parts: null }] : messages.input.map(draftOf),
    temperature: '',
    maxTokens: '',
    tools: '',
    responseFormat: '',
    variables: {},
  };
}

/**
 * A prompt version as a call: a chat's system messages as the system prompt, its other messages
 * as they are, a text prompt as one user message, and its config as the parameters (its response
 * format as OpenAI takes it). Its `{{variables}}` stay, to be given values before a run.
 */
export function callOfPrompt(version: PromptVersion): PlaygroundCall {
  const chat = typeof version.prompt === 'string' ? [{ role: 'user', content: version.prompt }] : version.prompt;
  const { config } = version;
  const format = openAiResponseFormat(config.responseFormat);
  return {
    system: chat
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n\n'),
    messages: chat.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, text: m.content, parts: null })),
    temperature: config.temperature === null ? '' : String(config.temperature),
    maxTokens: config.maxTokens === null ? '' : String(config.maxTokens),
    tools: config.tools === null ? '' : JSON.stringify(config.tools, null, 2),
    responseFormat: format === null ? '' : JSON.stringify(format, null, 2),
    variables: {},
  };
}

/** The texts that may hold variables: the system prompt first, then each text message. */
function templateOf(call: PlaygroundCall): PromptMessage[] {
  return [{ role: 'system', content: call.system }, ...call.messages.map((m) => ({ role: m.role, content: m.parts === null ? m.text : '' }))];
}

/** The `{{variables}}` of the call, in the order they first appear. */
export function variablesOf(call: PlaygroundCall): string[] {
  return promptVariables(templateOf(call));
}

/** A parameter's problem, said as the form names it; thrown so Run shows it and sends nothing. */
export class DraftError extends Error {}

function numberOf(text: string, field: string, integer: boolean): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new DraftError(`${field} must be ${integer ? 'a whole number' : 'a number'}`);
  return value;
}

function jsonOf(text: string, field: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DraftError(`${field} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * What the replay's `overrides` (or a whole run, with provider and model added) takes: the
 * messages compiled with the variables, the parameters given. Every variable needs a value.
 */
export function requestOf(call: PlaygroundCall): Record<string, unknown> {
  const names = variablesOf(call);
  const values = Object.fromEntries(names.map((name) => [name, call.variables[name] ?? '']));
  const [system, ...texts] = compilePrompt(templateOf(call), values);
  const messages = call.messages.map(
    (draft, i): ChatMessage => ({
      role: draft.role,
      parts: draft.parts ?? [{ type: 'text', content: texts[i]!.content }],
      finishReason: null,
    }),
  );
  const request: Record<string, unknown> = { system: system!.content, messages };
  const temperature = numberOf(call.temperature, 'Temperature', false);
  if (temperature !== undefined) request.temperature = temperature;
  const maxTokens = numberOf(call.maxTokens, 'Max tokens', true);
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const tools = jsonOf(call.tools, 'Tools');
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw new DraftError('Tools must be a JSON array of tool definitions');
    request.tools = tools;
  }
  const responseFormat = jsonOf(call.responseFormat, 'Response format');
  if (responseFormat !== undefined) request.responseFormat = responseFormat;
  return request;
}

/** OpenAI's `response_format` as a prompt's config keeps it: `{ type: 'json' }`, with the schema when one is given. */
function promptFormatOf(format: unknown): unknown {
  if (format === undefined) return undefined;
  const f = format as { type?: unknown; json_schema?: { schema?: unknown } };
  if (f.type === 'json_object') return { type: 'json' };
  if (f.type === 'json_schema' && typeof f.json_schema?.schema === 'object') return { type: 'json', schema: f.json_schema.schema };
  throw new DraftError("Response format: a prompt keeps { type: 'json_object' } or { type: 'json_schema', json_schema: { schema } }");
}

/**
 * The call as a prompt's next version (`POST /api/prompts`): its texts as chat messages with their
 * `{{variables}}` kept (a prompt is filled where it is used), the system prompt first, and the
 * model and parameters as its config; a text prompt's next version stays text. A message of tool
 * calls or results has no place in a prompt.
 */
export function promptVersionOf(call: PlaygroundCall, name: string, model: string, type: 'text' | 'chat' = 'chat'): Record<string, unknown> {
  if (call.messages.some((m) => m.parts !== null))
    throw new DraftError('A message of tool calls or results cannot be kept in a prompt: remove it to save the others');
  const chat = [
    ...(call.system.trim() === '' ? [] : [{ role: 'system', content: call.system }]),
    ...call.messages.map((m) => ({ role: m.role, content: m.text })),
  ];
  // A text prompt's app compiles it to a string: its next version must stay one text.
  if (type === 'text' && (chat.length !== 1 || chat[0]!.role !== 'user'))
    throw new DraftError(`${name.trim()} is a text prompt: keep one user message and no system prompt to save its next version, or save under a new name`);
  const prompt = type === 'text' ? chat[0]!.content : chat;
  const config: Record<string, unknown> = {};
  if (model.trim() !== '') config.model = model.trim();
  const temperature = numberOf(call.temperature, 'Temperature', false);
  if (temperature !== undefined) config.temperature = temperature;
  const maxTokens = numberOf(call.maxTokens, 'Max tokens', true);
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  const tools = jsonOf(call.tools, 'Tools');
  if (tools !== undefined) config.tools = tools;
  const responseFormat = promptFormatOf(jsonOf(call.responseFormat, 'Response format'));
  if (responseFormat !== undefined) config.responseFormat = responseFormat;
  return { name: name.trim(), type, prompt, config, message: 'saved from the playground' };
}

import type { Attributes } from '@opentelemetry/api';
import { captureContentFrom, newChoice, parseJsonOr, type GenAiMessage, type GenAiPart, type OutputChoice } from './content.js';
import { num, put, serverOf, str } from './fields.js';
import { instrumentMethod } from './instrument.js';
import type { ChunkReader, LlmMethod, LlmOutcome, LlmRequest } from './method.js';
import { chatReplay, responsesReplay } from './replay-openai.js';
import { GEN_AI } from './semconv.js';

/** Options of {@link instrumentOpenAI} and {@link instrumentAnthropic}. */
export interface LlmInstrumentationOptions {
  /**
   * Record prompts and completions as `gen_ai.input.messages` / `gen_ai.output.messages`, masked
   * like everything else. Default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`,
   * else off.
   */
  captureContent?: boolean;
  /**
   * OpenAI only: ask for token usage on chat streams (`stream_options.include_usage`) when the app
   * did not, and keep the extra usage chunk from the app, which sees the stream it asked for.
   * Turn off for an OpenAI-compatible server that rejects the option. Default: true.
   */
  streamUsage?: boolean;
  /** `gen_ai.provider.name`. Default: `openai`, or `azure.ai.openai` for an Azure endpoint. */
  providerName?: string;
}

type Json = Record<string, unknown>;

/**
 * Makes every call of this OpenAI client a GenAI span with usage, and feeds the GenAI metrics:
 * `chat.completions.create` (plain and streamed, and so `.parse()`, `.stream()` and `runTools()`),
 * `responses.create` (plain and streamed, and `.parse()`, `.stream()`) and `embeddings.create`.
 * Patches this instance only, and returns it.
 *
 * @example
 * const openai = instrumentOpenAI(new OpenAI());
 * const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 */
export function instrumentOpenAI<C extends object>(client: C, options: LlmInstrumentationOptions = {}): C {
  const c = client as Json;
  const server = serverOf(c.baseURL);
  const info = {
    provider: options.providerName ?? (server.serverAddress?.endsWith('.azure.com') ? 'azure.ai.openai' : 'openai'),
    ...server,
    captureContent: captureContentFrom(options.captureContent),
  };
  const streamUsage = options.streamUsage ?? true;
  instrumentMethod((c.chat as Json | undefined)?.completions, 'create', chatCompletions(streamUsage), info);
  instrumentMethod(c.responses, 'create', responses, info);
  instrumentMethod(c.embeddings, 'create', embeddings, info);
  return client;
}

// --- chat.completions ------------------------------------------------------------------------

function chatCompletions(streamUsage: boolean): LlmMethod {
  return {
    operation: 'chat',
    replay: chatReplay,
    request(body, capture) {
      const attributes: Attributes = {};
      put(attributes, GEN_AI.temperature, num(body.temperature));
      put(attributes, GEN_AI.topP, num(body.top_p));
      put(attributes, GEN_AI.maxTokens, num(body.max_completion_tokens) ?? num(body.max_tokens));
      put(attributes, GEN_AI.frequencyPenalty, num(body.frequency_penalty));
      put(attributes, GEN_AI.presencePenalty, num(body.presence_penalty));
      put(attributes, GEN_AI.seed, num(body.seed));
      put(attributes, GEN_AI.stopSequences, stopSequences(body.stop));
      const n = num(body.n);
      if (n !== undefined && n !== 1) attributes[GEN_AI.choiceCount] = n;
      put(attributes, GEN_AI.outputType, outputType((body.response_format as Json | undefined)?.type));
      put(attributes, 'openai.request.service_tier', str(body.service_tier));
      const stream = body.stream === true;
      const request: LlmRequest = { model: str(body.model), stream, attributes, body };
      if (stream && streamUsage && body.stream_options === undefined) {
        request.body = { ...body, stream_options: { include_usage: true } };
        request.hideExtras = true;
      }
      if (capture && Array.isArray(body.messages)) request.inputMessages = body.messages.map(chatMessage);
      return request;
    },
    response(outcome, data, capture) {
      const completion = data as Json;
      readCompletionHead(outcome, completion);
      readChatUsage(outcome, completion.usage);
      const choices = Array.isArray(completion.choices) ? (completion.choices as Json[]) : [];
      for (const choice of choices) {
        const message = (choice.message ?? {}) as Json;
        const finish = str(choice.finish_reason);
        if (finish !== undefined) outcome.finishReasons.push(finish);
        const toolCalls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
        for (const call of toolCalls) outcome.toolCalls.push(toolName(call));
        if (capture) {
          const out = newChoice();
          out.text = typeof message.content === 'string' ? message.content : (str(message.refusal) ?? '');
          out.toolCalls = toolCalls.map((call) => ({
            id: str(call.id),
            name: toolName(call),
            arguments: String((call.function as Json | undefined)?.arguments ?? ''),
          }));
          out.finishReason = finish;
          outcome.choices.push(out);
        }
      }
    },
    stream(outcome, capture, request): ChunkReader {
      const choices: OutputChoice[] = [];
      if (capture) outcome.choices = choices;
      const toolNames = new Map<string, string>();
      return {
        read(chunk) {
          const c = chunk as Json;
          readCompletionHead(outcome, c);
          const list = Array.isArray(c.choices) ? (c.choices as Json[]) : [];
          if (c.usage !== undefined && c.usage !== null) {
            readChatUsage(outcome, c.usage);
            if (request.hideExtras === true && list.length === 0) return 'hide';
          } else if (c.usage === null && request.hideExtras === true) {
            // With include_usage the API adds `usage: null` to every chunk; the app did not ask.
            delete c.usage;
          }
          let output = false;
          for (const choice of list) {
            const index = num(choice.index) ?? 0;
            const out = (choices[index] ??= newChoice());
            const delta = (choice.delta ?? {}) as Json;
            if (typeof delta.content === 'string' && delta.content !== '') {
              output = true;
              if (capture) out.text += delta.content;
            }
            if (typeof delta.refusal === 'string' && delta.refusal !== '') output = true;
            const calls = Array.isArray(delta.tool_calls) ? (delta.tool_calls as Json[]) : [];
            for (const call of calls) {
              output = true;
              const at = num(call.index) ?? 0;
              const fn = (call.function ?? {}) as Json;
              const key = `${index}:${at}`;
              const name = str(fn.name);
              if (name !== undefined && !toolNames.has(key)) {
                toolNames.set(key, name);
                outcome.toolCalls.push(name);
              }
              if (capture) {
                const slot = (out.toolCalls[at] ??= { id: undefined, name: name ?? '', arguments: '' });
                slot.id ??= str(call.id);
                if (name !== undefined) slot.name = name;
                if (typeof fn.arguments === 'string') slot.arguments += fn.arguments;
              }
            }
            const finish = str(choice.finish_reason);
            if (finish !== undefined) {
              out.finishReason = finish;
              outcome.finishReasons[index] = finish;
            }
          }
          return output ? 'output' : undefined;
        },
      };
    },
  };
}

function readCompletionHead(outcome: LlmOutcome, completion: Json): void {
  outcome.responseId ??= str(completion.id);
  outcome.responseModel ??= str(completion.model);
  const fingerprint = str(completion.system_fingerprint);
  if (fingerprint !== undefined) outcome.attributes['openai.response.system_fingerprint'] = fingerprint;
  const tier = str(completion.service_tier);
  if (tier !== undefined) outcome.attributes['openai.response.service_tier'] = tier;
}

/** Chat usage: `prompt_tokens` already includes the cached tokens, `completion_tokens` the reasoning. */
function readChatUsage(outcome: LlmOutcome, usage: unknown): void {
  if (typeof usage !== 'object' || usage === null) return;
  const u = usage as Json;
  outcome.inputTokens = num(u.prompt_tokens) ?? outcome.inputTokens;
  outcome.outputTokens = num(u.completion_tokens) ?? outcome.outputTokens;
  outcome.cacheReadTokens = num((u.prompt_tokens_details as Json | undefined)?.cached_tokens) ?? outcome.cacheReadTokens;
  outcome.reasoningTokens = num((u.completion_tokens_details as Json | undefined)?.reasoning_tokens) ?? outcome.reasoningTokens;
}

function toolName(call: Json): string {
  return str((call.function as Json | undefined)?.name) ?? str(call.name) ?? str(call.type) ?? 'unknown';
}

function chatMessage(message: unknown): GenAiMessage {
  const m = (message ?? {}) as Json;
  const role = str(m.role) ?? 'user';
  const parts: GenAiPart[] = contentParts(m.content);
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls as Json[]) {
      const fn = (call.function ?? {}) as Json;
      parts.push({ type: 'tool_call', id: str(call.id), name: toolName(call), arguments: parseJsonOr(fn.arguments) });
    }
  }
  if (role === 'tool') return { role, parts: [{ type: 'tool_call_response', id: str(m.tool_call_id), response: m.content }] };
  return { role, parts };
}

/** OpenAI content (a string or an array of parts) as GenAI parts. */
function contentParts(content: unknown): GenAiPart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return (content as Json[]).map((part): GenAiPart => {
    const type = str(part.type) ?? 'unknown';
    if (typeof part.text === 'string') return { type: 'text', content: part.text };
    if (typeof part.refusal === 'string') return { type: 'text', content: part.refusal };
    // Images, audio and files: their kind, never their bytes.
    return { type };
  });
}

function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === 'string');
  return undefined;
}

function outputType(format: unknown): string | undefined {
  if (format === 'json_object' || format === 'json_schema') return 'json';
  return format === 'text' ? 'text' : undefined;
}

// --- responses -------------------------------------------------------------------------------

const responses: LlmMethod = {
  operation: 'chat',
  replay: responsesReplay,
  request(body, capture) {
    const attributes: Attributes = {};
    put(attributes, GEN_AI.temperature, num(body.temperature));
    put(attributes, GEN_AI.topP, num(body.top_p));
    put(attributes, GEN_AI.maxTokens, num(body.max_output_tokens));
    put(attributes, GEN_AI.outputType, outputType(((body.text as Json | undefined)?.format as Json | undefined)?.type));
    put(attributes, 'openai.request.service_tier', str(body.service_tier));
    put(attributes, 'openai.request.reasoning_effort', str((body.reasoning as Json | undefined)?.effort));
    const request: LlmRequest = { model: str(body.model), stream: body.stream === true, attributes, body };
    if (capture) {
      request.inputMessages = responseInput(body.input);
      if (typeof body.instructions === 'string') request.systemInstructions = [{ type: 'text', content: body.instructions }];
    }
    return request;
  },
  response(outcome, data, capture) {
    readResponse(outcome, data as Json, capture);
  },
  stream(outcome, capture): ChunkReader {
    return {
      read(event) {
        const e = event as Json;
        const type = str(e.type) ?? '';
        if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
          readResponse(outcome, (e.response ?? {}) as Json, capture);
          return undefined;
        }
        if (type === 'response.created' || type === 'response.in_progress') {
          const response = (e.response ?? {}) as Json;
          outcome.responseId ??= str(response.id);
          outcome.responseModel ??= str(response.model);
          return undefined;
        }
        return type.endsWith('.delta') ? 'output' : undefined;
      },
    };
  },
};

/** A Responses API response (plain, or the final one of a stream). */
function readResponse(outcome: LlmOutcome, response: Json, capture: boolean): void {
  outcome.responseId = str(response.id) ?? outcome.responseId;
  outcome.responseModel = str(response.model) ?? outcome.responseModel;
  const tier = str(response.service_tier);
  if (tier !== undefined) outcome.attributes['openai.response.service_tier'] = tier;
  const usage = response.usage as Json | undefined;
  if (usage !== undefined && usage !== null) {
    // `input_tokens` includes the cached tokens, `output_tokens` the reasoning tokens.
    outcome.inputTokens = num(usage.input_tokens);
    outcome.outputTokens = num(usage.output_tokens);
    outcome.cacheReadTokens = num((usage.input_tokens_details as Json | undefined)?.cached_tokens);
    outcome.reasoningTokens = num((usage.output_tokens_details as Json | undefined)?.reasoning_tokens);
  }
  const choice = newChoice();
  const items = Array.isArray(response.output) ? (response.output as Json[]) : [];
  outcome.toolCalls = [];
  for (const item of items) {
    if (item.type === 'function_call' || item.type === 'custom_tool_call') {
      const name = str(item.name) ?? 'unknown';
      outcome.toolCalls.push(name);
      choice.toolCalls.push({ id: str(item.call_id), name, arguments: String(item.arguments ?? item.input ?? '') });
    } else if (item.type === 'message' && capture && Array.isArray(item.content)) {
      for (const part of item.content as Json[]) {
        if (typeof part.text === 'string') choice.text += part.text;
        else if (typeof part.refusal === 'string') choice.text += part.refusal;
      }
    } else if (item.type === 'reasoning' && capture && Array.isArray(item.summary)) {
      for (const part of item.summary as Json[]) if (typeof part.text === 'string') choice.reasoning += part.text;
    } else if (typeof item.type === 'string' && item.type.endsWith('_call')) {
      // Built-in tools the model ran (web_search_call, file_search_call...).
      outcome.toolCalls.push(item.type.slice(0, -'_call'.length));
    }
  }
  const finish = responseFinishReason(response, choice.toolCalls.length > 0);
  outcome.finishReasons = finish === undefined ? [] : [finish];
  choice.finishReason = finish;
  if (capture) outcome.choices = [choice];
}

/**
 * The Responses API has a status, not a finish reason; this maps it onto the chat API's words so
 * that every OpenAI call reads the same: `stop`, `tool_calls`, `length`, `content_filter`, `error`.
 */
function responseFinishReason(response: Json, calledTools: boolean): string | undefined {
  const status = str(response.status);
  if (status === 'completed') return calledTools ? 'tool_calls' : 'stop';
  if (status === 'incomplete') {
    const reason = str((response.incomplete_details as Json | undefined)?.reason);
    return reason === 'max_output_tokens' ? 'length' : (reason ?? 'incomplete');
  }
  if (status === 'failed') return 'error';
  return status;
}

function responseInput(input: unknown): GenAiMessage[] {
  if (typeof input === 'string') return [{ role: 'user', parts: [{ type: 'text', content: input }] }];
  if (!Array.isArray(input)) return [];
  return (input as Json[]).map((item): GenAiMessage => {
    if (item.type === 'function_call') {
      return {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: str(item.call_id), name: str(item.name) ?? 'unknown', arguments: parseJsonOr(item.arguments) }],
      };
    }
    if (item.type === 'function_call_output') return { role: 'tool', parts: [{ type: 'tool_call_response', id: str(item.call_id), response: item.output }] };
    return { role: str(item.role) ?? 'user', parts: contentParts(item.content) };
  });
}

// --- embeddings ------------------------------------------------------------------------------

const embeddings: LlmMethod = {
  operation: 'embeddings',
  request(body) {
    const attributes: Attributes = {};
    const format = str(body.encoding_format);
    if (format !== undefined) attributes[GEN_AI.encodingFormats] = [format];
    put(attributes, GEN_AI.embeddingDimensions, num(body.dimensions));
    return { model: str(body.model), stream: false, attributes, body };
  },
  response(outcome, data) {
    const d = data as Json;
    outcome.responseModel = str(d.model);
    outcome.inputTokens = num((d.usage as Json | undefined)?.prompt_tokens);
  },
};

import type { Attributes } from '@opentelemetry/api';
import { captureContentFrom, newChoice, type GenAiMessage, type GenAiPart, type OutputChoice } from './content.js';
import { num, put, serverOf, str } from './fields.js';
import { instrumentMethod } from './instrument.js';
import type { ChunkReader, LlmMethod, LlmOutcome } from './method.js';
import type { LlmInstrumentationOptions } from './openai.js';
import { messagesReplay } from './replay-anthropic.js';
import { GEN_AI } from './semconv.js';

type Json = Record<string, unknown>;

/**
 * Makes every `messages.create` call of this Anthropic client (plain and `stream: true`, and so
 * `messages.stream()`, which is built on it) a GenAI span with usage, and feeds the GenAI
 * metrics. Patches this instance only, and returns it.
 *
 * The client's own call spans (on by default in `@anthropic-ai/sdk` 1.x) are turned off for this
 * instance, so each call is one span, not two counting the same tokens.
 *
 * Anthropic reports `input_tokens` without the cache reads and writes; the span's
 * `gen_ai.usage.input_tokens` adds them back, as the GenAI conventions define it, and the cache
 * counts stay beside it.
 *
 * @example
 * const anthropic = instrumentAnthropic(new Anthropic());
 * const message = await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 512, messages });
 */
export function instrumentAnthropic<C extends object>(client: C, options: LlmInstrumentationOptions = {}): C {
  const c = client as Json;
  const info = {
    provider: options.providerName ?? 'anthropic',
    ...serverOf(c.baseURL),
    captureContent: captureContentFrom(options.captureContent),
  };
  if ('_tracer' in c) c._tracer = undefined;
  instrumentMethod(c.messages, 'create', messages, info);
  return client;
}

const messages: LlmMethod = {
  operation: 'chat',
  replay: messagesReplay,
  request(body, capture) {
    const attributes: Attributes = {};
    put(attributes, GEN_AI.temperature, num(body.temperature));
    put(attributes, GEN_AI.topP, num(body.top_p));
    put(attributes, GEN_AI.topK, num(body.top_k));
    put(attributes, GEN_AI.maxTokens, num(body.max_tokens));
    if (Array.isArray(body.stop_sequences)) attributes[GEN_AI.stopSequences] = body.stop_sequences.filter((s): s is string => typeof s === 'string');
    const thinking = body.thinking as Json | undefined;
    put(attributes, 'anthropic.thinking.type', str(thinking?.type));
    put(attributes, 'anthropic.thinking.budget_tokens', num(thinking?.budget_tokens));
    const request = { model: str(body.model), stream: body.stream === true, attributes, body } as ReturnType<LlmMethod['request']>;
    if (capture) {
      if (Array.isArray(body.messages)) request.inputMessages = body.messages.map(inputMessage);
      if (body.system !== undefined) request.systemInstructions = blocksToParts(body.system);
    }
    return request;
  },
  response(outcome, data, capture) {
    const message = data as Json;
    outcome.responseId = str(message.id);
    outcome.responseModel = str(message.model);
    readUsage(outcome, message.usage);
    const stop = str(message.stop_reason);
    if (stop !== undefined) outcome.finishReasons = [stop];
    const choice = newChoice();
    choice.finishReason = stop;
    for (const block of Array.isArray(message.content) ? (message.content as Json[]) : []) {
      if (block.type === 'tool_use' || block.type === 'server_tool_use') {
        const name = str(block.name) ?? 'unknown';
        outcome.toolCalls.push(name);
        choice.toolCalls.push({ id: str(block.id), name, arguments: JSON.stringify(block.input ?? {}) });
      } else if (block.type === 'text' && typeof block.text === 'string') choice.text += block.text;
      else if (block.type === 'thinking' && typeof block.thinking === 'string') choice.reasoning += block.thinking;
    }
    if (capture) outcome.choices = [choice];
  },
  stream(outcome, capture): ChunkReader {
    const choice: OutputChoice = newChoice();
    if (capture) outcome.choices = [choice];
    const blocks: { type: string }[] = [];
    return {
      read(event) {
        const e = event as Json;
        switch (e.type) {
          case 'message_start': {
            const message = (e.message ?? {}) as Json;
            outcome.responseId = str(message.id);
            outcome.responseModel = str(message.model);
            readUsage(outcome, message.usage);
            return undefined;
          }
          case 'content_block_start': {
            const block = (e.content_block ?? {}) as Json;
            const type = str(block.type) ?? 'unknown';
            blocks[num(e.index) ?? blocks.length] = { type };
            if (type === 'tool_use' || type === 'server_tool_use') {
              const name = str(block.name) ?? 'unknown';
              outcome.toolCalls.push(name);
              choice.toolCalls.push({ id: str(block.id), name, arguments: '' });
              return 'output';
            }
            return undefined;
          }
          case 'content_block_delta': {
            if (capture) {
              const delta = (e.delta ?? {}) as Json;
              if (delta.type === 'text_delta' && typeof delta.text === 'string') choice.text += delta.text;
              else if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string') choice.reasoning += delta.thinking;
              else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
                const call = choice.toolCalls[choice.toolCalls.length - 1];
                if (call !== undefined) call.arguments += delta.partial_json;
              }
            }
            return 'output';
          }
          case 'message_delta': {
            const stop = str((e.delta as Json | undefined)?.stop_reason);
            if (stop !== undefined) {
              outcome.finishReasons = [stop];
              choice.finishReason = stop;
            }
            // Counts here are cumulative; the input side repeats what message_start said, or
            // corrects it (server tools), so the latest value wins.
            readUsage(outcome, e.usage);
            return undefined;
          }
          default:
            return undefined;
        }
      },
    };
  },
};

/**
 * Anthropic usage. `input_tokens` counts only the input after the last cache breakpoint; the
 * tokens read from and written to the cache are reported beside it. The GenAI input count is the
 * sum of the three.
 */
function readUsage(outcome: LlmOutcome, usage: unknown): void {
  if (typeof usage !== 'object' || usage === null) return;
  const u = usage as Json;
  const uncached = num(u.input_tokens);
  const cacheRead = num(u.cache_read_input_tokens) ?? outcome.cacheReadTokens;
  const cacheCreation = num(u.cache_creation_input_tokens) ?? outcome.cacheCreationTokens;
  if (uncached !== undefined) outcome.inputTokens = uncached + (cacheRead ?? 0) + (cacheCreation ?? 0);
  outcome.cacheReadTokens = cacheRead;
  outcome.cacheCreationTokens = cacheCreation;
  outcome.outputTokens = num(u.output_tokens) ?? outcome.outputTokens;
  outcome.reasoningTokens = num((u.output_tokens_details as Json | undefined)?.thinking_tokens) ?? outcome.reasoningTokens;
  const tier = str(u.service_tier);
  if (tier !== undefined) outcome.attributes['anthropic.response.service_tier'] = tier;
}

function inputMessage(message: unknown): GenAiMessage {
  const m = (message ?? {}) as Json;
  return { role: str(m.role) ?? 'user', parts: blocksToParts(m.content) };
}

/** Anthropic content (a string or blocks) as GenAI parts. */
function blocksToParts(content: unknown): GenAiPart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  if (!Array.isArray(content)) return [];
  return (content as Json[]).map((block): GenAiPart => {
    switch (block.type) {
      case 'text':
        return { type: 'text', content: String(block.text ?? '') };
      case 'thinking':
        return { type: 'reasoning', content: String(block.thinking ?? '') };
      case 'tool_use':
        return { type: 'tool_call', id: str(block.id), name: str(block.name) ?? 'unknown', arguments: block.input };
      case 'tool_result':
        return { type: 'tool_call_response', id: str(block.tool_use_id), response: block.content };
      default:
        // Images and documents: their kind, never their bytes.
        return { type: str(block.type) ?? 'unknown' };
    }
  });
}

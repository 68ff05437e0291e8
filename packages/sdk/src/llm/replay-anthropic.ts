import type { RecordedOutput, RecordedUsage } from '../replay/cassette.js';
import type { LlmRequest } from './method.js';
import { finishOf, reasoningOf, textOf, toolCallsOf, type LlmReplay } from './replay-shapes.js';

// Anthropic messages rebuilt from a recorded call, in the shapes `@anthropic-ai/sdk` returns.

type Json = Record<string, unknown>;

/** `messages.create`: a `message`, or its event stream (which `messages.stream()` reads too). */
export const messagesReplay: LlmReplay = {
  requestIdHeader: 'request-id',
  response(output, request) {
    return { ...messageHead(output, request), content: blocksOf(output), stop_reason: stopOf(output), usage: usageOf(output.usage) };
  },
  stream(output, request) {
    const usage = usageOf(output.usage);
    const events: Json[] = [
      { type: 'message_start', message: { ...messageHead(output, request), content: [], stop_reason: null, usage: { ...usage, output_tokens: 0 } } },
    ];
    blocksOf(output).forEach((block, index) => {
      events.push({ type: 'content_block_start', index, content_block: emptied(block) });
      events.push({ type: 'content_block_delta', index, delta: deltaOf(block) });
      events.push({ type: 'content_block_stop', index });
    });
    events.push({ type: 'message_delta', delta: { stop_reason: stopOf(output), stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    events.push({ type: 'message_stop' });
    return events;
  },
};

function messageHead(output: RecordedOutput, request: LlmRequest): Json {
  return {
    id: output.responseId ?? 'msg_replayed',
    type: 'message',
    role: 'assistant',
    model: output.model ?? request.model ?? 'unknown',
    stop_sequence: null,
  };
}

function stopOf(output: RecordedOutput): string {
  const message = output.messages[0];
  const calls = message === undefined ? 0 : toolCallsOf(message, '').length;
  return finishOf(output, 0, calls > 0 ? 'tool_use' : 'end_turn');
}

/** Thinking, then text, then tool use: the order the recording keeps them in. */
function blocksOf(output: RecordedOutput): Json[] {
  const message = output.messages[0];
  if (message === undefined) return [];
  const blocks: Json[] = [];
  const thinking = reasoningOf(message);
  if (thinking !== '') blocks.push({ type: 'thinking', thinking, signature: '' });
  const text = textOf(message);
  if (text !== '') blocks.push({ type: 'text', text, citations: null });
  for (const call of toolCallsOf(message, 'toolu_replayed_')) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
  return blocks;
}

function emptied(block: Json): Json {
  if (block.type === 'text') return { ...block, text: '' };
  if (block.type === 'thinking') return { ...block, thinking: '' };
  return { ...block, input: {} };
}

function deltaOf(block: Json): Json {
  if (block.type === 'text') return { type: 'text_delta', text: block.text };
  if (block.type === 'thinking') return { type: 'thinking_delta', thinking: block.thinking };
  return { type: 'input_json_delta', partial_json: JSON.stringify(block.input) };
}

/** Anthropic counts input without the cache reads and writes; the recording counts them in. */
function usageOf(usage: RecordedUsage): { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number } {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheCreation = usage.cacheCreationTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - cacheRead - cacheCreation),
    output_tokens: usage.outputTokens ?? 0,
    cache_read_input_tokens: cacheRead,
    cache_creation_input_tokens: cacheCreation,
  };
}

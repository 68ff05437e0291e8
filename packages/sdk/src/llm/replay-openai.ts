import type { RecordedOutput, RecordedUsage } from '../replay/cassette.js';
import type { LlmRequest } from './method.js';
import { finishOf, reasoningOf, textOf, toolCallsOf, type LlmReplay } from './replay-shapes.js';

// OpenAI responses rebuilt from a recorded call, in the shapes the `openai` package returns.

type Json = Record<string, unknown>;

/** `chat.completions.create`: a `chat.completion`, or its `chat.completion.chunk` stream. */
export const chatReplay: LlmReplay = {
  requestIdHeader: 'x-request-id',
  response(output, request) {
    return {
      ...chatHead(output, request, 'chat.completion'),
      choices: output.messages.map((message, index) => {
        const calls = toolCallsOf(message, 'call_replay_');
        const text = textOf(message);
        const reply: Json = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, refusal: null, annotations: [] };
        if (calls.length > 0)
          reply.tool_calls = calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
        return { index, message: reply, finish_reason: finishOf(output, index, calls.length > 0 ? 'tool_calls' : 'stop'), logprobs: null };
      }),
      usage: chatUsage(output.usage),
    };
  },
  stream(output, request) {
    const head = chatHead(output, request, 'chat.completion.chunk');
    const chunk = (index: number, delta: Json, finish: string | null = null): Json => ({
      ...head,
      choices: [{ index, delta, finish_reason: finish, logprobs: null }],
    });
    const chunks: Json[] = [];
    output.messages.forEach((message, index) => {
      chunks.push(chunk(index, { role: 'assistant', content: '', refusal: null }));
      const text = textOf(message);
      if (text !== '') chunks.push(chunk(index, { content: text }));
      const calls = toolCallsOf(message, 'call_replay_');
      calls.forEach((call, at) =>
        chunks.push(chunk(index, { tool_calls: [{ index: at, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }] })),
      );
      chunks.push(chunk(index, {}, finishOf(output, index, calls.length > 0 ? 'tool_calls' : 'stop')));
    });
    const options = request.body.stream_options as Json | undefined;
    if (options?.include_usage === true) chunks.push({ ...head, choices: [], usage: chatUsage(output.usage) });
    return chunks;
  },
};

function chatHead(output: RecordedOutput, request: LlmRequest, object: string): Json {
  return {
    id: output.responseId ?? 'chatcmpl-replayed',
    object,
    created: output.createdS,
    model: output.model ?? request.model ?? 'unknown',
    system_fingerprint: null,
  };
}

function chatUsage(usage: RecordedUsage): Json {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

/** `responses.create`: a `response` (with the `output_text` the package adds), or its event stream. */
export const responsesReplay: LlmReplay = {
  requestIdHeader: 'x-request-id',
  response(output, request) {
    return responseOf(output, request);
  },
  stream(output, request) {
    const response = responseOf(output, request);
    const items = response.output as Json[];
    let sequence = 0;
    const event = (type: string, fields: Json): Json => ({ type, sequence_number: sequence++, ...fields });
    const events: Json[] = [event('response.created', { response: { ...response, status: 'in_progress', output: [], output_text: '', usage: null } })];
    items.forEach((item, outputIndex) => events.push(...itemEvents(item, outputIndex, event)));
    events.push(event(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response }));
    return events;
  },
};

function responseOf(output: RecordedOutput, request: LlmRequest): Json {
  const message = output.messages[0] ?? { role: 'assistant', parts: [] };
  const items: Json[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning !== '') items.push({ type: 'reasoning', id: 'rs_replayed', summary: [{ type: 'summary_text', text: reasoning }] });
  const text = textOf(message);
  if (text !== '') {
    items.push({
      type: 'message',
      id: 'msg_replayed',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    });
  }
  toolCallsOf(message, 'call_replay_').forEach((call, i) =>
    items.push({ type: 'function_call', id: `fc_replayed_${i}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' }),
  );
  const finish = finishOf(output, 0, 'stop');
  const incomplete = finish === 'length' || finish === 'content_filter';
  const usage = output.usage;
  return {
    id: output.responseId ?? 'resp_replayed',
    object: 'response',
    created_at: output.createdS,
    model: output.model ?? request.model ?? 'unknown',
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? { reason: finish === 'length' ? 'max_output_tokens' : finish } : null,
    error: null,
    output: items,
    output_text: text,
    usage: {
      input_tokens: usage.inputTokens ?? 0,
      output_tokens: usage.outputTokens ?? 0,
      total_tokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
      input_tokens_details: { cached_tokens: usage.cacheReadTokens ?? 0 },
      output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    },
  };
}

/** The stream events of one output item: added, its content as one delta, done. */
function itemEvents(item: Json, outputIndex: number, event: (type: string, fields: Json) => Json): Json[] {
  const id = item.id;
  if (item.type === 'message') {
    const part = (item.content as Json[])[0]!;
    const text = String(part.text);
    return [
      event('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } }),
      event('response.content_part.added', { item_id: id, output_index: outputIndex, content_index: 0, part: { ...part, text: '' } }),
      event('response.output_text.delta', { item_id: id, output_index: outputIndex, content_index: 0, delta: text, logprobs: [] }),
      event('response.output_text.done', { item_id: id, output_index: outputIndex, content_index: 0, text, logprobs: [] }),
      event('response.content_part.done', { item_id: id, output_index: outputIndex, content_index: 0, part }),
      event('response.output_item.done', { output_index: outputIndex, item }),
    ];
  }
  if (item.type === 'function_call') {
    return [
      event('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } }),
      event('response.function_call_arguments.delta', { item_id: id, output_index: outputIndex, delta: item.arguments }),
      event('response.function_call_arguments.done', { item_id: id, output_index: outputIndex, arguments: item.arguments }),
      event('response.output_item.done', { output_index: outputIndex, item }),
    ];
  }
  return [event('response.output_item.added', { output_index: outputIndex, item }), event('response.output_item.done', { output_index: outputIndex, item })];
}

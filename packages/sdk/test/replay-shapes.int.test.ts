import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentOpenAI, traced, workflow, whenReplayLoaded } from '../src/index.js';
import { traceBody } from '../../server/test/support/trace-bodies.js';
import { until } from '../../server/test/support/wait.js';
import type { FakeLlm, FakeReply } from './support/fake-llm.js';
import { anthropicClient, openaiClient, useSpoorServer } from './support/llm-e2e.js';
import { type AgentRun, replayRuns, useFakeLlm } from './support/replay-runs.js';

/**
 * What a replay rebuilds besides the agents of replay.int.test.ts: every call shape the `openai`
 * and `@anthropic-ai/sdk` clients and their helpers read, and traced functions' results and
 * failures, recorded to a real Spoor server and replayed from its trace.
 */
const server = useSpoorServer();
const { record, replayed } = replayRuns(server);

// --- every API shape a replay rebuilds ------------------------------------------------------------

describe('a replay rebuilds every call shape the clients and their helpers read', () => {
  const fake = useFakeLlm();
  const HI = [{ role: 'user' as const, content: 'hi' }];

  async function chatText(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<string> {
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  }

  /**
   * One call of each kind; the outputs are what the app would read from each. A rebuilt response
   * carries what the trace keeps (text, tool calls, finish reason, token counts, id, model), not
   * the provider's extras (audio token details, citations, logprobs).
   */
  async function everyShape(llm: FakeLlm): Promise<unknown[]> {
    const openai = instrumentOpenAI(openaiClient(llm), { captureContent: true });
    const anthropic = instrumentAnthropic(anthropicClient(llm), { captureContent: true });
    return workflow('shapes', async () => {
      const outputs: unknown[] = [];
      // Embeddings are not recorded: they go out on replay too, and take no place in the run.
      outputs.push((await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' })).data.length);
      outputs.push((await openai.responses.create({ model: 'gpt-4o', input: 'hi' })).output_text);
      let streamed = '';
      for await (const event of await openai.responses.create({ model: 'gpt-4o', input: 'hi', stream: true })) {
        if (event.type === 'response.output_text.delta') streamed += event.delta;
      }
      outputs.push(streamed);
      outputs.push((await openai.responses.stream({ model: 'gpt-4o', input: 'hi' }).finalResponse()).output_text);
      outputs.push((await openai.chat.completions.stream({ model: 'gpt-4o', messages: HI }).finalChatCompletion()).choices[0]!.message.content);
      const [left, right] = (await openai.chat.completions.create({ model: 'gpt-4o', messages: HI, stream: true })).tee();
      outputs.push(await chatText(left), await chatText(right));
      const lines = await new Response((await openai.chat.completions.create({ model: 'gpt-4o', messages: HI, stream: true })).toReadableStream()).text();
      outputs.push(
        lines
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as OpenAI.ChatCompletionChunk).choices[0]?.delta.content ?? '')
          .join(''),
      );
      const { data } = await openai.chat.completions.create({ model: 'gpt-4o', messages: HI }).withResponse();
      outputs.push(
        data.choices[0]!.message.content,
        data.usage?.prompt_tokens,
        data.usage?.completion_tokens,
        data.usage?.prompt_tokens_details?.cached_tokens,
      );
      let anthropicText = '';
      for await (const event of await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: HI, stream: true })) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') anthropicText += event.delta.text;
      }
      outputs.push(anthropicText);
      const message = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: HI });
      outputs.push(
        message.content.map((block) => [block.type, block.type === 'text' ? block.text : '']),
        message.usage.input_tokens,
        message.stop_reason,
      );
      return outputs;
    });
  }

  it('the same outputs from Responses (plain, streamed, .stream()), chat .stream(), tee(), toReadableStream() and withResponse(), Anthropic stream: true and plain', async () => {
    const replies: FakeReply[] = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].map((word, i) => ({
      text: `Reply ${word}.`,
      usage: { inputTokens: 100 + i, outputTokens: 10 + i, cachedTokens: i },
    }));
    replies.unshift({ usage: { inputTokens: 3 } });
    const recorded = await record('replay-shapes', fake(), replies, async () => ({
      plan: '',
      tool: { callId: '', result: await everyShape(fake()) },
      answer: '',
    }));
    const replay = await replayed('replay-shapes-run', { traceId: recorded.traceId }, async () => ({
      plan: '',
      tool: { callId: '', result: await everyShape(fake()) },
      answer: '',
    }));
    expect(replay.error).toBeUndefined();
    expect(replay.run).toEqual(recorded.run);
    // Ten recorded requests, then the replay's only one: the embeddings call.
    expect(fake().requests).toHaveLength(11);
    expect(fake().requests[10]!.endpoint).toBe('embeddings');
    expect(replay.report).toMatchObject({ replayed: 9, live: 0, divergences: [], unused: [] });
  });
});

// --- traced tools ---------------------------------------------------------------------------------

describe('traced functions with captureArgs under replay', () => {
  const fake = useFakeLlm();
  let liveRuns = 0;
  const lookup = traced({ name: 'lookup', captureArgs: true }, function lookup(key: string) {
    liveRuns++;
    return { key, value: `value of ${key}` };
  });
  const flaky = traced({ name: 'flaky', captureArgs: true }, async function flaky(_key: string): Promise<string> {
    liveRuns++;
    throw Object.assign(new Error('upstream timed out'), { name: 'TimeoutError' });
  });
  const tools = async (): Promise<AgentRun> =>
    workflow('tools', async () => {
      const found = lookup('a');
      const failure: Error = await flaky('b').then(
        () => new Error('expected the recorded failure'),
        (error: unknown) => error as Error,
      );
      return { plan: '', tool: { callId: '', result: { found, failure: [failure.name, failure.message] } }, answer: '' };
    });

  it('return the recorded result (sync stays sync), and fail as the recording failed, without running', async () => {
    const recorded = await record('replay-tools', fake(), [], tools);
    expect(liveRuns).toBe(2);
    const replay = await replayed('replay-tools-run', { traceId: recorded.traceId }, async () => {
      await whenReplayLoaded();
      return tools();
    });
    expect(liveRuns).toBe(2);
    expect(replay.run!.tool.result).toEqual({
      found: { key: 'a', value: 'value of a' },
      failure: ['ReplayedFailure', 'spoor replay: the recorded call failed (TimeoutError): upstream timed out'],
    });
    expect(replay.report).toMatchObject({ replayed: 2, live: 0 });
  });

  it('a sync function called before the recording arrived cannot wait for it: it runs live, and the report counts it', async () => {
    const { traceId } = (await server.onlyTraceOf('replay-tools')).trace;
    const replay = await replayed('replay-tools-early', { traceId }, tools);
    expect(liveRuns).toBe(3);
    expect(replay.report).toMatchObject({ replayed: 1, live: 1, divergences: [] });
  });

  it('replay a recording of more than 50,000 spans, which the server answers only in pages', async () => {
    const recorded = await record('replay-tools-big', fake(), [], tools);
    const ran = liveRuns;
    const response = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: traceBody(recorded.traceId, 50_000),
    });
    expect(response.status).toBe(200);
    await until('the trace past one answer', async () => ((await server.getJson(`/api/traces/${recorded.traceId}`)).status === 400 ? true : undefined), 60_000);
    const replay = await replayed('replay-tools-big-run', { traceId: recorded.traceId }, async () => {
      await whenReplayLoaded();
      return tools();
    });
    expect(replay.error).toBeUndefined();
    expect(liveRuns).toBe(ran);
    expect(replay.report).toMatchObject({ replayed: 2, live: 0 });
  }, 120_000);
});

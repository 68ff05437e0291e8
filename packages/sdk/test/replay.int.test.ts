import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getReplayReport,
  init,
  instrumentAnthropic,
  instrumentOpenAI,
  ReplayDivergence,
  ReplayError,
  shutdown,
  step,
  traced,
  workflow,
  whenReplayLoaded,
  type ReplayOptions,
  type ReplayReport,
} from '../src/index.js';
import { traceBody } from '../../server/test/support/trace-bodies.js';
import { until } from '../../server/test/support/wait.js';
import { startFakeLlm, type FakeLlm, type FakeReply } from './support/fake-llm.js';
import { anthropicClient, openaiClient, spanNamed, useSpoorServer } from './support/llm-e2e.js';

/**
 * Cassettes end to end: a three-step agent (plan, a tool call, answer) run with the real `openai`
 * and `@anthropic-ai/sdk` clients against the loopback fake LLM, recorded through `@spoor/sdk` to
 * a real Spoor server, then run again with `init({ replay: { traceId } })`: the same outputs, no
 * request to the fake, no tool run, in well under a second; a changed prompt in step 2 is a
 * divergence at step 2; `passthrough` makes only that call live.
 */
const server = useSpoorServer();

const QUESTION = 'Should I take an umbrella in Paris today?';
const TOOL_PROMPT = 'Call the weather tool for the city in the plan.';
const CHANGED_TOOL_PROMPT = 'Call the weather tool for Rome, whatever the plan says.';
const PLAN: FakeReply = { text: 'Look up the weather in Paris, then answer.', usage: { inputTokens: 40, outputTokens: 12 } };
const ANSWER: FakeReply = { chunks: ['Yes: ', 'rain ', 'is likely.'], usage: { inputTokens: 90, outputTokens: 8 } };

/** The agent's tool: counts its live runs, which a replay must not add to. */
let toolRuns = 0;
const getWeather = traced({ name: 'get_weather', captureArgs: true }, async function getWeather(args: { city: string }) {
  toolRuns++;
  return { city: args.city, sky: 'rain', tempC: 14 };
});

interface AgentRun {
  plan: string;
  tool: { callId: string; result: unknown };
  answer: string;
}

/** Records a run of `agent` to `server` as `service`; returns its outputs and trace id. */
async function record(service: string, llm: FakeLlm, replies: FakeReply[], agent: () => Promise<AgentRun>): Promise<{ run: AgentRun; traceId: string }> {
  llm.script(...replies);
  initFor(service);
  let run: AgentRun;
  try {
    run = await agent();
  } finally {
    await shutdown();
  }
  const { trace } = await server.onlyTraceOf(service);
  return { run, traceId: trace.traceId };
}

/** Runs `agent` under a replay of `replay.traceId` as `service`: outputs (or the failure), time taken, and the report. */
async function replayed(service: string, replay: ReplayOptions, agent: () => Promise<AgentRun>): Promise<{ run?: AgentRun; error?: unknown; ms: number; report: ReplayReport }> {
  initFor(service, replay);
  try {
    const began = performance.now();
    const outcome = await agent().then(
      (run) => ({ run }),
      (error: unknown) => ({ error }),
    );
    const ms = performance.now() - began;
    return { ...outcome, ms, report: getReplayReport()! };
  } finally {
    await shutdown();
  }
}

function initFor(service: string, replay?: ReplayOptions): void {
  init({ serviceName: service, endpoint: server.url, metricsIntervalMs: 60_000, logDestination: { write: () => undefined }, onExportError: () => undefined, replay });
}

/** Starts a fake LLM for the calling `describe`. */
function useFakeLlm(): () => FakeLlm {
  let llm: FakeLlm | undefined;
  beforeAll(async () => {
    llm = await startFakeLlm();
  });
  afterAll(async () => {
    await llm?.close();
  });
  return () => llm!;
}

// --- OpenAI ---------------------------------------------------------------------------------------

const OPENAI_TOOL: FakeReply = { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Paris' } }], usage: { inputTokens: 60, outputTokens: 9 } };
const WEATHER_FUNCTION = { type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

/** Plan (a plain call), a tool call (the model picks it, `get_weather` runs), answer (streamed). */
function openaiAgent(openai: OpenAI, toolPrompt = TOOL_PROMPT): Promise<AgentRun> {
  return workflow('agent', async () => {
    const plan = await step('plan', { number: 1 }, async () => {
      const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Plan in one line.' }, { role: 'user', content: QUESTION }] });
      return reply.choices[0]!.message.content ?? '';
    });
    const tool = await step('tool-call', { number: 2 }, async () => {
      const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${toolPrompt}\nPlan: ${plan}` }], tools: [WEATHER_FUNCTION] });
      const call = reply.choices[0]!.message.tool_calls![0]!;
      if (call.type !== 'function') throw new Error(`expected a function call, got ${call.type}`);
      return { callId: call.id, result: await getWeather(JSON.parse(call.function.arguments) as { city: string }) };
    });
    const answer = await step('answer', { number: 3 }, async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'assistant', tool_calls: [{ id: tool.callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: tool.callId, content: JSON.stringify(tool.result) },
        ],
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    });
    return { plan, tool, answer };
  });
}

describe('a three-step agent on the openai client, recorded then replayed from its trace', () => {
  const fake = useFakeLlm();
  const openai = () => instrumentOpenAI(openaiClient(fake()), { captureContent: true });
  let recorded: { run: AgentRun; traceId: string };
  let toolRunsRecorded = 0;

  beforeAll(async () => {
    recorded = await record('replay-openai', fake(), [PLAN, OPENAI_TOOL, ANSWER], () => openaiAgent(openai()));
    toolRunsRecorded = toolRuns;
  });

  it('recorded the run: three requests reached the fake, the tool ran once', () => {
    expect(fake().requests).toHaveLength(3);
    expect(toolRunsRecorded).toBe(1);
    expect(recorded.run).toEqual({ plan: PLAN.text, tool: { callId: 'call_weather_1', result: { city: 'Paris', sky: 'rain', tempC: 14 } }, answer: 'Yes: rain is likely.' });
  });

  it('replays it: identical outputs, zero requests reach the fake, the tool does not run', async () => {
    const replay = await replayed('replay-openai-run', { traceId: recorded.traceId }, () => openaiAgent(openai()));
    expect(replay.error).toBeUndefined();
    expect(replay.run).toEqual(recorded.run);
    expect(fake().requests).toHaveLength(3);
    expect(toolRuns).toBe(toolRunsRecorded);
    expect(replay.report).toMatchObject({ state: 'ready', replayed: 4, live: 0, divergences: [], unused: [] });
    process.stdout.write(`[replay] openai three-step agent replayed in ${replay.ms.toFixed(1)} ms\n`);
  });

  it('the replay is a trace of its own: its root names the original, each call links to its recording', async () => {
    const { trace } = await server.onlyTraceOf('replay-openai-run');
    const original = await server.detailOf(recorded.traceId);
    expect(spanNamed(trace, 'agent').attributes['spoor.replay.of']).toBe(recorded.traceId);
    const calls = trace.spans.filter((span) => span.attributes['spoor.replay.outcome'] !== undefined);
    expect(calls.map((span) => span.name).sort()).toEqual(['chat gpt-4o-mini', 'chat gpt-4o-mini', 'chat gpt-4o-mini', 'get_weather']);
    for (const span of calls) {
      expect(span.attributes['spoor.replay.outcome']).toBe('replayed');
      const link = span.links[0]!;
      expect(link.traceId).toBe(recorded.traceId);
      expect(original.spans.find((s) => s.spanId === link.spanId)?.name).toBe(span.name);
    }
    // The replayed calls report the recorded usage, so the replay's trace sums the same tokens.
    expect(spanNamed(trace, 'agent').attributes).toMatchObject({ 'workflow.llm_calls': 3, 'workflow.input_tokens': 40 + 60 + 90, 'workflow.output_tokens': 12 + 9 + 8 });
  });

  it('a changed prompt in step 2 is a divergence at step 2, showing the old and new prompt; nothing reaches the fake', async () => {
    const replay = await replayed('replay-openai-diverged', { traceId: recorded.traceId }, () => openaiAgent(openai(), CHANGED_TOOL_PROMPT));
    expect(replay.error).toBeInstanceOf(ReplayDivergence);
    const divergence = replay.error as ReplayDivergence;
    expect(divergence).toMatchObject({ traceId: recorded.traceId, stepPath: 'agent > tool-call', position: 0, kind: 'llm', reason: 'changed', spanName: 'chat gpt-4o-mini' });
    expect(divergence.changes).toEqual([
      { field: 'messages[0].parts[0].content', before: JSON.stringify(`${TOOL_PROMPT}\nPlan: ${PLAN.text}`), after: JSON.stringify(`${CHANGED_TOOL_PROMPT}\nPlan: ${PLAN.text}`) },
    ]);
    expect(divergence.message).toContain('call #0 under "agent > tool-call" (chat gpt-4o-mini)');
    expect(divergence.message).toContain('Call the weather tool for Rome');
    expect(replay.report.divergences).toEqual([divergence]);
    expect(fake().requests).toHaveLength(3);
  });

  it('with passthrough, only the changed call goes live (and is recorded); the steps after it replay', async () => {
    fake().script(OPENAI_TOOL);
    const seen: ReplayDivergence[] = [];
    const replay = await replayed('replay-openai-passthrough', { traceId: recorded.traceId, passthrough: true, onDivergence: (d) => void seen.push(d) }, () =>
      openaiAgent(openai(), CHANGED_TOOL_PROMPT),
    );
    expect(replay.error).toBeUndefined();
    expect(replay.run).toEqual(recorded.run);
    expect(fake().requests).toHaveLength(4);
    expect(fake().requests[3]!.body).toMatchObject({ messages: [{ content: `${CHANGED_TOOL_PROMPT}\nPlan: ${PLAN.text}` }] });
    expect(toolRuns).toBe(toolRunsRecorded);
    expect(seen.map((d) => d.stepPath)).toEqual(['agent > tool-call']);
    expect(replay.report).toMatchObject({ replayed: 3, live: 1, unused: [] });
    const { trace } = await server.onlyTraceOf('replay-openai-passthrough');
    const live = trace.spans.filter((span) => span.attributes['spoor.replay.outcome'] === 'live');
    expect(live).toHaveLength(1);
    expect(String(live[0]!.attributes['gen_ai.input.messages'])).toContain('Rome');
  });
});

// --- Anthropic ------------------------------------------------------------------------------------

const ANTHROPIC_TOOL: FakeReply = { toolCalls: [{ id: 'toolu_weather_1', name: 'get_weather', arguments: { city: 'Paris' } }], usage: { inputTokens: 60, outputTokens: 9 } };
const WEATHER_TOOL = { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

/** Plan (create), a tool call (create with tools; `get_weather` runs), answer (`messages.stream()`). */
function anthropicAgent(anthropic: Anthropic, toolPrompt = TOOL_PROMPT): Promise<AgentRun> {
  return workflow('agent', async () => {
    const plan = await step('plan', { number: 1 }, async () => {
      const reply = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, system: 'Plan in one line.', messages: [{ role: 'user', content: QUESTION }] });
      return reply.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    });
    const tool = await step('tool-call', { number: 2 }, async () => {
      const reply = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 256, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: `${toolPrompt}\nPlan: ${plan}` }] });
      const use = reply.content.find((block) => block.type === 'tool_use');
      if (use?.type !== 'tool_use') throw new Error('expected a tool_use block');
      return { callId: use.id, result: await getWeather(use.input as { city: string }) };
    });
    const answer = await step('answer', { number: 3 }, () =>
      anthropic.messages
        .stream({
          model: 'claude-haiku-4-5',
          max_tokens: 256,
          messages: [
            { role: 'user', content: QUESTION },
            { role: 'assistant', content: [{ type: 'tool_use', id: tool.callId, name: 'get_weather', input: { city: 'Paris' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: tool.callId, content: JSON.stringify(tool.result) }] },
          ],
        })
        .finalText(),
    );
    return { plan, tool, answer };
  });
}

describe('a three-step agent on the @anthropic-ai/sdk client, recorded then replayed from its trace', () => {
  const fake = useFakeLlm();
  const anthropic = () => instrumentAnthropic(anthropicClient(fake()), { captureContent: true });
  let recorded: { run: AgentRun; traceId: string };
  let toolRunsRecorded = 0;

  beforeAll(async () => {
    recorded = await record('replay-anthropic', fake(), [PLAN, ANTHROPIC_TOOL, ANSWER], () => anthropicAgent(anthropic()));
    toolRunsRecorded = toolRuns;
  });

  it('replays it: identical outputs, zero requests reach the fake, the tool does not run', async () => {
    expect(fake().requests).toHaveLength(3);
    expect(recorded.run).toMatchObject({ plan: PLAN.text, tool: { callId: 'toolu_weather_1' }, answer: 'Yes: rain is likely.' });
    const replay = await replayed('replay-anthropic-run', { traceId: recorded.traceId }, () => anthropicAgent(anthropic()));
    expect(replay.error).toBeUndefined();
    expect(replay.run).toEqual(recorded.run);
    expect(fake().requests).toHaveLength(3);
    expect(toolRuns).toBe(toolRunsRecorded);
    expect(replay.report).toMatchObject({ state: 'ready', replayed: 4, live: 0, divergences: [], unused: [] });
    process.stdout.write(`[replay] anthropic three-step agent replayed in ${replay.ms.toFixed(1)} ms\n`);
  });

  it('a changed prompt in step 2 is a divergence at step 2; nothing reaches the fake', async () => {
    const replay = await replayed('replay-anthropic-diverged', { traceId: recorded.traceId }, () => anthropicAgent(anthropic(), CHANGED_TOOL_PROMPT));
    expect(replay.error).toBeInstanceOf(ReplayDivergence);
    expect(replay.error).toMatchObject({ stepPath: 'agent > tool-call', position: 0, reason: 'changed' });
    expect((replay.error as ReplayDivergence).changes.map((change) => change.field)).toEqual(['messages[0].parts[0].content']);
    expect(fake().requests).toHaveLength(3);
  });
});

// --- what cannot be replayed ----------------------------------------------------------------------

describe('a replay that cannot run says why', () => {
  const fake = useFakeLlm();
  const plainCall = (client: OpenAI) => async (): Promise<AgentRun> => {
    const reply = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: QUESTION }] });
    return { plan: reply.choices[0]!.message.content ?? '', tool: { callId: '', result: null }, answer: '' };
  };

  it('a trace the server does not have: ReplayError not_found, and the call is not made', async () => {
    const replay = await replayed('replay-missing', { traceId: 'f'.repeat(32) }, plainCall(instrumentOpenAI(openaiClient(fake()), { captureContent: true })));
    expect(replay.error).toBeInstanceOf(ReplayError);
    expect(replay.error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/trace f{32} was not found/) });
    expect(replay.report.state).toBe('failed');
    expect(fake().requests).toHaveLength(0);
  });

  it('a trace recorded without content capture: ReplayError no_recorded_calls, saying to turn capture on', async () => {
    const { traceId } = await record('replay-uncaptured', fake(), [PLAN], plainCall(instrumentOpenAI(openaiClient(fake()), { captureContent: false })));
    const replay = await replayed('replay-uncaptured-run', { traceId }, plainCall(instrumentOpenAI(openaiClient(fake()), { captureContent: true })));
    expect(replay.error).toMatchObject({ code: 'no_recorded_calls', message: expect.stringMatching(/1 LLM call\(s\) were recorded without content capture.*captureContent: true/) });
    expect(fake().requests).toHaveLength(1);
  });
});

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
      outputs.push(lines.trim().split('\n').map((line) => (JSON.parse(line) as OpenAI.ChatCompletionChunk).choices[0]?.delta.content ?? '').join(''));
      const { data } = await openai.chat.completions.create({ model: 'gpt-4o', messages: HI }).withResponse();
      outputs.push(data.choices[0]!.message.content, data.usage?.prompt_tokens, data.usage?.completion_tokens, data.usage?.prompt_tokens_details?.cached_tokens);
      let anthropicText = '';
      for await (const event of await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: HI, stream: true })) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') anthropicText += event.delta.text;
      }
      outputs.push(anthropicText);
      const message = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: HI });
      outputs.push(message.content.map((block) => [block.type, block.type === 'text' ? block.text : '']), message.usage.input_tokens, message.stop_reason);
      return outputs;
    });
  }

  it('the same outputs from Responses (plain, streamed, .stream()), chat .stream(), tee(), toReadableStream() and withResponse(), Anthropic stream: true and plain', async () => {
    const replies: FakeReply[] = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].map((word, i) => ({
      text: `Reply ${word}.`,
      usage: { inputTokens: 100 + i, outputTokens: 10 + i, cachedTokens: i },
    }));
    replies.unshift({ usage: { inputTokens: 3 } });
    const recorded = await record('replay-shapes', fake(), replies, async () => ({ plan: '', tool: { callId: '', result: await everyShape(fake()) }, answer: '' }));
    const replay = await replayed('replay-shapes-run', { traceId: recorded.traceId }, async () => ({ plan: '', tool: { callId: '', result: await everyShape(fake()) }, answer: '' }));
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
    expect(replay.run!.tool.result).toEqual({ found: { key: 'a', value: 'value of a' }, failure: ['ReplayedFailure', 'spoor replay: the recorded call failed (TimeoutError): upstream timed out'] });
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
    const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: traceBody(recorded.traceId, 50_000) });
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

import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { instrumentAnthropic, instrumentOpenAI, ReplayDivergence, ReplayError, step, traced, workflow } from '../src/index.js';
import type { FakeReply } from './support/fake-llm.js';
import { anthropicClient, openaiClient, spanNamed, useSpoorServer } from './support/llm-e2e.js';
import { type AgentRun, replayRuns, useFakeLlm } from './support/replay-runs.js';

/**
 * Cassettes end to end: a three-step agent (plan, a tool call, answer) run with the real `openai`
 * and `@anthropic-ai/sdk` clients against the loopback fake LLM, recorded through `@spoor/sdk` to
 * a real Spoor server, then run again with `init({ replay: { traceId } })`: the same outputs, no
 * request to the fake, no tool run, in well under a second; a changed prompt in step 2 is a
 * divergence at step 2; `passthrough` makes only that call live. Every call shape a replay
 * rebuilds, and traced functions under replay: replay-shapes.int.test.ts.
 */
const server = useSpoorServer();
const { record, replayed } = replayRuns(server);

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

// --- OpenAI ---------------------------------------------------------------------------------------

const OPENAI_TOOL: FakeReply = {
  toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: { city: 'Paris' } }],
  usage: { inputTokens: 60, outputTokens: 9 },
};
const WEATHER_FUNCTION = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** Plan (a plain call), a tool call (the model picks it, `get_weather` runs), answer (streamed). */
function openaiAgent(openai: OpenAI, toolPrompt = TOOL_PROMPT): Promise<AgentRun> {
  return workflow('agent', async () => {
    const plan = await step('plan', { number: 1 }, async () => {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Plan in one line.' },
          { role: 'user', content: QUESTION },
        ],
      });
      return reply.choices[0]!.message.content ?? '';
    });
    const tool = await step('tool-call', { number: 2 }, async () => {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `${toolPrompt}\nPlan: ${plan}` }],
        tools: [WEATHER_FUNCTION],
      });
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
    expect(recorded.run).toEqual({
      plan: PLAN.text,
      tool: { callId: 'call_weather_1', result: { city: 'Paris', sky: 'rain', tempC: 14 } },
      answer: 'Yes: rain is likely.',
    });
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
    expect(spanNamed(trace, 'agent').attributes).toMatchObject({
      'workflow.llm_calls': 3,
      'workflow.input_tokens': 40 + 60 + 90,
      'workflow.output_tokens': 12 + 9 + 8,
    });
  });

  it('a changed prompt in step 2 is a divergence at step 2, showing the old and new prompt; nothing reaches the fake', async () => {
    const replay = await replayed('replay-openai-diverged', { traceId: recorded.traceId }, () => openaiAgent(openai(), CHANGED_TOOL_PROMPT));
    expect(replay.error).toBeInstanceOf(ReplayDivergence);
    const divergence = replay.error as ReplayDivergence;
    expect(divergence).toMatchObject({
      traceId: recorded.traceId,
      stepPath: 'agent > tool-call',
      position: 0,
      kind: 'llm',
      reason: 'changed',
      spanName: 'chat gpt-4o-mini',
    });
    expect(divergence.changes).toEqual([
      {
        field: 'messages[0].parts[0].content',
        before: JSON.stringify(`${TOOL_PROMPT}\nPlan: ${PLAN.text}`),
        after: JSON.stringify(`${CHANGED_TOOL_PROMPT}\nPlan: ${PLAN.text}`),
      },
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

const ANTHROPIC_TOOL: FakeReply = {
  toolCalls: [{ id: 'toolu_weather_1', name: 'get_weather', arguments: { city: 'Paris' } }],
  usage: { inputTokens: 60, outputTokens: 9 },
};
const WEATHER_TOOL = { name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

/** Plan (create), a tool call (create with tools; `get_weather` runs), answer (`messages.stream()`). */
function anthropicAgent(anthropic: Anthropic, toolPrompt = TOOL_PROMPT): Promise<AgentRun> {
  return workflow('agent', async () => {
    const plan = await step('plan', { number: 1 }, async () => {
      const reply = await anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        system: 'Plan in one line.',
        messages: [{ role: 'user', content: QUESTION }],
      });
      return reply.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    });
    const tool = await step('tool-call', { number: 2 }, async () => {
      const reply = await anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        tools: [WEATHER_TOOL],
        messages: [{ role: 'user', content: `${toolPrompt}\nPlan: ${plan}` }],
      });
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
    expect(replay.error).toMatchObject({
      code: 'no_recorded_calls',
      message: expect.stringMatching(/1 LLM call\(s\) were recorded without content capture.*captureContent: true/),
    });
    expect(fake().requests).toHaveLength(1);
  });
});

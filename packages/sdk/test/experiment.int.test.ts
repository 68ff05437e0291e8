import type { DatasetChangeResponse } from '@spoor/model';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, makeKey, startTestServer } from '../../server/test/support/server.js';
import {
  assertNoRegression,
  ExperimentError,
  flush,
  init,
  instrumentOpenAI,
  RegressionError,
  runExperiment,
  step,
  traced,
  workflow,
  type ExperimentReport,
} from '../src/index.js';
import { startFakeLlm, type FakeLlm, type FakeReply } from './support/fake-llm.js';
import { openaiClient, useSpoorServer } from './support/llm-e2e.js';

/**
 * `runExperiment` end to end: the three-step agent (plan, a tool call, a streamed answer) recorded
 * for three cities with the real `openai` client against the loopback fake LLM, through
 * `@spoor/sdk` to a real Spoor server; a dataset made of those runs (`fromTrace`), then run again
 * as experiments scored by a deterministic server evaluator (`equals`, the recorded answer as the
 * expected output): with `all-but-target` only the changed step reaches the fake and the tool never
 * reruns; with `tools` every LLM call is live and the tool is not; with `none` everything is live;
 * a task that throws errors its item only; `assertNoRegression` fails a worse run and passes a
 * better one.
 */
const server = useSpoorServer();

const CITIES = ['Paris', 'Rome', 'Oslo'] as const;
const TOOL_PROMPT = 'Call the weather tool for the city in the plan.';
const CHANGED_TOOL_PROMPT = 'Call the weather tool for the one city the plan names.';
const RECORDED_ANSWER = 'Yes: rain is likely.';
const WEATHER_FUNCTION = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

/** The agent's tool: counts its live runs, which a replay must not add to. */
let toolRuns = 0;
const getWeather = traced({ name: 'get_weather', captureArgs: true }, async function getWeather(args: { city: string }) {
  toolRuns++;
  return { city: args.city, sky: 'rain', tempC: 14 };
});

/** Plan (a plain call), a tool call (the model picks it, `get_weather` runs), answer (streamed); resolves to the answer. */
function agent(openai: OpenAI, city: string, toolPrompt = TOOL_PROMPT): Promise<{ answer: string; traceId: string }> {
  return workflow('agent', async (span) => {
    const question = `Should I take an umbrella in ${city} today?`;
    const plan = await step('plan', { number: 1 }, async () => {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Plan in one line.' },
          { role: 'user', content: question },
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
      return { call, result: await getWeather(JSON.parse(call.function.arguments) as { city: string }) };
    });
    const answer = await step('answer', { number: 3 }, async () => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', tool_calls: [tool.call] },
          { role: 'tool', tool_call_id: tool.call.id, content: JSON.stringify(tool.result) },
        ],
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    });
    return { answer, traceId: span.spanContext().traceId };
  });
}

/** What the fake answers now for the answer step. */
let answerText = RECORDED_ANSWER;

/** The fake model: a plan naming the city asked about, a call of the weather tool for the city the plan names, the answer. */
function fakeModel(request: Record<string, unknown>): FakeReply {
  const text = JSON.stringify(request.messages);
  const city = /(?:umbrella|weather) in (\w+)/.exec(text)?.[1] ?? 'nowhere';
  if (request.tools !== undefined)
    return { toolCalls: [{ id: `call_${city}`, name: 'get_weather', arguments: { city } }], usage: { inputTokens: 60, outputTokens: 9 } };
  if (request.stream === true) return { chunks: answerText.split(/(?<= )/), usage: { inputTokens: 90, outputTokens: 8 } };
  return { text: `Look up the weather in ${city}, then answer.`, usage: { inputTokens: 40, outputTokens: 12 } };
}

describe('runExperiment over a dataset of recorded agent runs', () => {
  let fake: FakeLlm;
  let openai: OpenAI;
  const dataset = 'weather-questions';
  const cityOf = (item: { metadata: Record<string, unknown> }) => String(item.metadata.city);
  /** Requests that reached the fake and live tool runs during `fn`. */
  const counted = async <T>(fn: () => Promise<T>): Promise<{ value: T; requests: number; tools: number }> => {
    const requests = fake.requests.length;
    const tools = toolRuns;
    const value = await fn();
    return { value, requests: fake.requests.length - requests, tools: toolRuns - tools };
  };
  const call = (method: string, path: string, body?: unknown) => callJson<Record<string, unknown>>(server.url, method, path, body);

  beforeAll(async () => {
    fake = await startFakeLlm();
    fake.answerWith(fakeModel);
    openai = instrumentOpenAI(openaiClient(fake), { captureContent: true });
    init({
      serviceName: 'experiment-agent',
      endpoint: server.url,
      metricsIntervalMs: 60_000,
      logDestination: { write: () => undefined },
      onExportError: () => undefined,
    });
    const recorded: string[] = [];
    for (const city of CITIES) recorded.push((await agent(openai, city)).traceId);
    await flush();
    expect(await call('POST', '/api/evaluators', { name: 'exact-answer', kind: 'equals', target: 'trace', sampleRate: 0 })).toMatchObject({ status: 201 });
    expect(await call('POST', '/api/datasets', { name: dataset })).toMatchObject({ status: 201 });
    const items = recorded.map((traceId, i) => ({ fromTrace: { traceId }, metadata: { city: CITIES[i]! } }));
    const added = await call('POST', `/api/datasets/${dataset}/items`, { items });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect((added.body as unknown as DatasetChangeResponse).itemIds).toHaveLength(3);
  });
  afterAll(async () => {
    await fake?.close();
  });

  /** Each result's score of `exact-answer`, by city, in the dataset's order. */
  const exact = (report: ExperimentReport) => report.results.map((r) => r.scores['exact-answer']?.value ?? null);

  let good: ExperimentReport;
  let worse: ExperimentReport;

  it("'all-but-target' with step 2's prompt changed: only that call reaches the fake, the tool never reruns, every item scored", async () => {
    const run = await counted(() =>
      runExperiment({
        dataset,
        name: 'changed-tool-prompt',
        replay: 'all-but-target',
        evaluators: ['exact-answer', { name: 'mentions-rain', evaluate: ({ output }) => String(output).includes('rain') }],
        metadata: { prompt: 'v2' },
        task: async (item) => (await agent(openai, cityOf(item), CHANGED_TOOL_PROMPT)).answer,
      }),
    );
    good = run.value;
    expect(run.requests).toBe(3);
    expect(
      fake.requests
        .slice(-3)
        .map((r) => JSON.stringify(r.body))
        .every((body) => body.includes(CHANGED_TOOL_PROMPT)),
    ).toBe(true);
    expect(run.tools).toBe(0);
    expect(good.experiment).toMatchObject({
      name: 'changed-tool-prompt',
      dataset,
      state: 'done',
      itemCount: 3,
      itemsDone: 3,
      itemsErrored: 0,
      target: { kind: 'sdk', replay: 'all-but-target' },
      metadata: { prompt: 'v2' },
    });
    expect(good.results.map((r) => [r.output, r.error])).toEqual(CITIES.map(() => [RECORDED_ANSWER, null]));
    expect(exact(good)).toEqual([1, 1, 1]);
    expect(good.results.map((r) => r.scores['mentions-rain']?.value)).toEqual([1, 1, 1]);
    expect(good.results.map((r) => r.replay)).toEqual(
      good.results.map(() => expect.objectContaining({ replayed: 3, live: 1, divergences: ['agent > tool-call#0'] })),
    );
    expect(good.url).toBe(`${server.url}/datasets/${dataset}`);
    // Each item is a trace of its own, tagged with the experiment and the item, replaying its source.
    const trace = await server.detailOf(good.results[0]!.traceId!);
    const root = trace.spans.find((span) => span.parentSpanId === null)!;
    expect(root.name).toBe('experiment changed-tool-prompt');
    expect(root.attributes).toMatchObject({
      'spoor.experiment.id': good.experiment.id,
      'spoor.experiment.item': good.results[0]!.itemId,
      'spoor.replay.replayed': 3,
      'spoor.replay.live': 1,
    });
    expect(trace.spans.filter((span) => span.attributes['spoor.replay.outcome'] === 'live').map((span) => span.name)).toEqual(['chat gpt-4o-mini']);
  });

  it("'tools': every LLM call goes live, the recorded tool answers", async () => {
    const run = await counted(() =>
      runExperiment({
        dataset,
        name: 'tools-only',
        replay: 'tools',
        concurrency: 2,
        evaluators: ['exact-answer'],
        task: async (item) => (await agent(openai, cityOf(item))).answer,
      }),
    );
    expect(run.requests).toBe(9);
    expect(run.tools).toBe(0);
    expect(exact(run.value)).toEqual([1, 1, 1]);
    expect(run.value.results.map((r) => r.replay)).toEqual(run.value.results.map(() => expect.objectContaining({ replayed: 1, live: 3 })));
  });

  it("'none': everything runs live; an item whose task throws is errored and the rest are scored", async () => {
    const run = await counted(() =>
      runExperiment({
        dataset,
        name: 'one-city-throws',
        evaluators: ['exact-answer'],
        task: async (item) => {
          if (cityOf(item) === 'Oslo') throw new Error('no forecast for Oslo');
          return (await agent(openai, cityOf(item))).answer;
        },
      }),
    );
    expect([run.requests, run.tools]).toEqual([6, 2]);
    expect(run.value.experiment).toMatchObject({ state: 'done', itemsDone: 3, itemsErrored: 1 });
    expect(run.value.results.map((r) => [r.error, r.replay])).toEqual([
      [null, null],
      [null, null],
      ['no forecast for Oslo', null],
    ]);
    expect(exact(run.value).slice(0, 2)).toEqual([1, 1]);
    await expect(assertNoRegression(run.value, { baseline: good.experiment.id })).rejects.toThrow(
      /1 item\(s\) errored that did not in the baseline[\s\S]*errored: no forecast for Oslo/,
    );
  });

  it('assertNoRegression throws on a worse run, listing the score and the items, and passes a better one', async () => {
    answerText = 'Maybe.';
    try {
      worse = await runExperiment({
        dataset,
        name: 'new-answer-step',
        replay: 'all-but-target',
        target: 'answer',
        evaluators: ['exact-answer'],
        task: async (item) => (await agent(openai, cityOf(item))).answer,
      });
    } finally {
      answerText = RECORDED_ANSWER;
    }
    expect(exact(worse)).toEqual([0, 0, 0]);
    const failure = await assertNoRegression(worse, { baseline: good.experiment.id }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(RegressionError);
    const regression = failure as RegressionError;
    expect(regression.scores).toEqual([{ name: 'exact-answer', before: 1, after: 0, delta: -1 }]);
    expect(regression.items.map((item) => item.itemId).sort()).toEqual(good.results.map((r) => r.itemId).sort());
    expect(regression.message).toContain('exact-answer: mean 1 → 0 (-1)');
    // The same drop judged on another score only, or within the tolerance, passes.
    await expect(assertNoRegression(worse, { baseline: good.experiment.id, metric: 'exact-answer', tolerance: 1 })).resolves.toBeUndefined();
    await expect(assertNoRegression(good, { baseline: worse.experiment.id })).resolves.toBeUndefined();
    await expect(assertNoRegression(good, { baseline: 'new-answer-step' })).resolves.toBeUndefined();
  });

  it('says clearly when the dataset is unknown, the server unreachable, or the options wrong', async () => {
    const task = () => 'x';
    await expect(runExperiment({ dataset: 'no-such-dataset', name: 'x', task })).rejects.toMatchObject({
      name: 'ExperimentError',
      code: 'not_found',
      message: expect.stringContaining('no-such-dataset') as string,
    });
    await expect(runExperiment({ dataset, name: 'x', task, endpoint: 'http://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('is the Spoor server running there') as string,
    });
    await expect(runExperiment({ dataset, name: 'x', task, evaluators: ['no-such-evaluator'] })).rejects.toMatchObject({
      code: 'refused',
      message: expect.stringContaining("no evaluator named 'no-such-evaluator'") as string,
    });
    await expect(runExperiment({ dataset, name: 'x', task, replay: 'all' as never })).rejects.toBeInstanceOf(ExperimentError);
    await expect(runExperiment({ dataset, name: 'x', task, concurrency: 0 })).rejects.toMatchObject({
      code: 'bad_options',
      message: expect.stringContaining('concurrency') as string,
    });
  });
});

describe('runExperiment against a server that requires keys', () => {
  it('names a refused key and says which key an experiment needs', async () => {
    const keyed = await startTestServer();
    try {
      const admin = await makeKey(keyed.url, 'default', 'admin');
      const ingest = await makeKey(keyed.url, 'default', 'ingest', admin);
      await expect(runExperiment({ dataset: 'any', name: 'x', task: () => 'x', endpoint: keyed.url, apiKey: 'spoor_not_a_key' })).rejects.toMatchObject({
        code: 'unauthorized',
        message: expect.stringContaining('must be an admin key') as string,
      });
      // An ingest key may start an experiment but not read its dataset: the run is marked failed, with why.
      expect(await callJson(keyed.url, 'POST', '/api/datasets', { name: 'keyed' }, { key: admin })).toMatchObject({ status: 201 });
      expect(await callJson(keyed.url, 'POST', '/api/datasets/keyed/items', { items: [{ input: 'hi' }] }, { key: admin })).toMatchObject({ status: 201 });
      await expect(runExperiment({ dataset: 'keyed', name: 'x', task: () => 'x', endpoint: keyed.url, apiKey: ingest })).rejects.toMatchObject({
        code: 'unauthorized',
      });
      const list = await callJson<{ experiments: Array<{ state: string; error: string }> }>(keyed.url, 'GET', '/api/experiments', undefined, { key: admin });
      expect(list.body.experiments).toEqual([
        expect.objectContaining({ state: 'failed', error: expect.stringContaining('refused to read the items') as string }),
      ]);
    } finally {
      await keyed.stop();
    }
  });
});

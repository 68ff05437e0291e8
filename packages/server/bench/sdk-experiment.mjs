// `npm run bench:experiment-sdk`: what `runExperiment` costs over calling the task yourself.
//
// The SDK tests' three-step agent (plan, a tool call, a streamed answer) is recorded BENCH_ITEMS
// times (default 100, one city each) with the real `openai` client against a loopback fake
// OpenAI server, through `@spoor/sdk` to a `spoor serve` on DuckDB; a dataset is made of those
// runs (`fromTrace`) with an `equals` evaluator. Then, in alternating rounds, at the same
// concurrency (BENCH_CONCURRENCY, default 4), with step 2's prompt changed:
//   experiment  runExperiment({ replay: 'all-but-target' }): the experiment made, the items read,
//               each item's recording read, its task run under it, results posted (and judged by
//               the server), the run finished;
//   direct      the same task on each item under the same recording through the same per-item
//               scoping: each item's recording read (GET /api/traces/:id, as init({ replay })
//               reads it), its task run under it inside a root span; nothing posted;
//   preread     the same as direct, with every recording read before the round starts.
// Each makes the same calls: the changed step live to the fake; plan, tool and answer replayed.
// Prints each round and the median ratios (goal: experiment / direct at most 1.5).
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { flush, init, instrumentOpenAI, runExperiment, shutdown, step, traced, workflow } from '@spoor/sdk';
// Internal, for a baseline that differs from runExperiment only in what it adds.
import { alwaysLiveFor } from '../../sdk/dist/experiment/item-replay.js';
import { runItem } from '../../sdk/dist/experiment/item.js';
import { loadCassette } from '../../sdk/dist/replay/load.js';
import { ReplaySession } from '../../sdk/dist/replay/session.js';
import { median, startSpoor, stopChild } from './lib.mjs';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const TOOL_PROMPT = 'Call the weather tool for the city in the plan.';
const CHANGED_TOOL_PROMPT = 'Call the weather tool for the one city the plan names.';
const ANSWER = 'Yes: rain is likely.';
const WEATHER_FUNCTION = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

// --- a loopback fake of OpenAI chat completions: plan, tool call, streamed answer ----------------

let fakeRequests = 0;
function fakeReply(body) {
  fakeRequests++;
  const text = JSON.stringify(body.messages);
  const city = /(?:umbrella|weather) in (\w+)/.exec(text)?.[1] ?? 'nowhere';
  const base = { id: `chatcmpl-${fakeRequests}`, created: Math.floor(Date.now() / 1000), model: body.model };
  const usage = { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 };
  if (body.stream === true) {
    const chunk = (delta, finish) =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const words = ANSWER.split(/(?<= )/);
    const events = [chunk({ role: 'assistant', content: '' }, null), ...words.map((w) => chunk({ content: w }, null)), chunk({}, 'stop')];
    events.push(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`, 'data: [DONE]\n\n');
    return { stream: events };
  }
  const message =
    body.tools !== undefined
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: `call_${city}`, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify({ city }) } }],
        }
      : { role: 'assistant', content: `Look up the weather in ${city}, then answer.` };
  return {
    json: { ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: body.tools !== undefined ? 'tool_calls' : 'stop' }], usage },
  };
}

function startFake() {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const reply = fakeReply(JSON.parse(raw));
      if (reply.stream !== undefined) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of reply.stream) res.write(event);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.json));
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// --- the agent ---------------------------------------------------------------------------------

let toolRuns = 0;
const getWeather = traced({ name: 'get_weather', captureArgs: true }, async function getWeather(args) {
  toolRuns++;
  return { city: args.city, sky: 'rain', tempC: 14 };
});

function agent(openai, city, toolPrompt = TOOL_PROMPT) {
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
      return reply.choices[0].message.content ?? '';
    });
    const tool = await step('tool-call', { number: 2 }, async () => {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `${toolPrompt}\nPlan: ${plan}` }],
        tools: [WEATHER_FUNCTION],
      });
      const call = reply.choices[0].message.tool_calls[0];
      return { call, result: await getWeather(JSON.parse(call.function.arguments)) };
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

// --- the run -------------------------------------------------------------------------------------

const post = async (url, path, body) => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response.json();
};

async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-sdk-experiment-'));
const spoor = await startSpoor(dir);
const fake = await startFake();
try {
  const openai = instrumentOpenAI(new OpenAI({ baseURL: `http://127.0.0.1:${fake.address().port}/v1`, apiKey: 'sk-bench', maxRetries: 0 }), {
    captureContent: true,
  });
  init({
    serviceName: 'bench-agent',
    endpoint: spoor.url,
    metricsIntervalMs: 600_000,
    logDestination: { write: () => undefined },
    onExportError: (error) => console.error(`export failed: ${error.message}`),
  });
  const cities = Array.from({ length: ITEMS }, (_, i) => `City${i}`);
  const recorded = [];
  for (const city of cities) recorded.push((await agent(openai, city)).traceId);
  await flush();
  await post(spoor.url, '/api/evaluators', { name: 'exact-answer', kind: 'equals', target: 'trace', sampleRate: 0 });
  await post(spoor.url, '/api/datasets', { name: 'bench-weather' });
  await post(spoor.url, '/api/datasets/bench-weather/items', {
    items: recorded.map((traceId, i) => ({ fromTrace: { traceId }, metadata: { city: cities[i] } })),
  });
  const { items } = await (await fetch(`${spoor.url}/api/datasets/bench-weather/items?limit=1000`)).json();

  const task = async (item) => (await agent(openai, item.metadata.city, CHANGED_TOOL_PROMPT)).answer;
  const alwaysLive = alwaysLiveFor('all-but-target', []);
  const config = (traceId) => ({ traceId, endpoint: spoor.url, headers: {}, passthrough: true, onDivergence: undefined, alwaysLive });

  const experiment = async (round) => {
    const report = await runExperiment({
      dataset: 'bench-weather',
      name: `bench-${round}`,
      replay: 'all-but-target',
      concurrency: CONCURRENCY,
      evaluators: ['exact-answer'],
      task,
    });
    const scored = report.results.filter((r) => r.scores['exact-answer']?.value === 1).length;
    if (scored !== ITEMS) throw new Error(`experiment: ${scored} of ${ITEMS} items scored 1`);
  };
  const cassettes = new Map();
  for (const item of items) cassettes.set(item.itemId, await loadCassette(config(item.source.traceId)));
  // `reading`: each item's recording read in the round, as a replay of it (init({ replay })) reads it;
  // `preread`: every recording read before the round, so only the calls are left.
  const direct = async (reading) => {
    const answers = [];
    await pool(items, CONCURRENCY, async (item) => {
      const cassette = reading ? await loadCassette(config(item.source.traceId)) : cassettes.get(item.itemId);
      const session = new ReplaySession(config(item.source.traceId), cassette);
      const run = await runItem('direct', { experimentId: '0'.repeat(32), itemId: item.itemId }, session, () => task(item));
      answers.push(run.output);
    });
    if (answers.filter((a) => a === ANSWER).length !== ITEMS) throw new Error('direct: not every item answered as recorded');
  };

  // One of each to warm up (JIT, connections, the server's first experiment).
  const sides = {
    experiment: (round) => experiment(round),
    direct: () => direct(true),
    preread: () => direct(false),
  };
  // One of each to warm up (JIT, connections, the server's first experiment).
  for (const [name, run] of Object.entries(sides)) await run(`warmup-${name}`);
  const ratios = { direct: [], preread: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    const requests = fakeRequests;
    const tools = toolRuns;
    // Alternate the order, so drift (the server's store growing, a neighbour's load) hits every side alike.
    const order = round % 2 === 1 ? ['experiment', 'direct', 'preread'] : ['preread', 'direct', 'experiment'];
    const ms = {};
    for (const side of order) {
      const began = performance.now();
      await sides[side](round);
      ms[side] = performance.now() - began;
    }
    if (fakeRequests - requests !== 3 * ITEMS || toolRuns !== tools)
      throw new Error(
        `round ${round}: ${fakeRequests - requests} requests reached the fake (expected ${3 * ITEMS}), ${toolRuns - tools} tool runs (expected 0)`,
      );
    ratios.direct.push(ms.experiment / ms.direct);
    ratios.preread.push(ms.experiment / ms.preread);
    console.log(
      `round ${round}: experiment ${ms.experiment.toFixed(0)} ms, direct ${ms.direct.toFixed(0)} ms (${(ms.experiment / ms.direct).toFixed(2)}x), direct with recordings pre-read ${ms.preread.toFixed(0)} ms (${(ms.experiment / ms.preread).toFixed(2)}x)`,
    );
  }
  console.log(`${ITEMS} items of the three-step agent, replay 'all-but-target', concurrency ${CONCURRENCY}, ${ROUNDS} rounds:`);
  console.log(`  median ratio experiment / direct (each item's recording read as a replay reads it): ${median(ratios.direct).toFixed(2)} (goal <= 1.5)`);
  console.log(`  median ratio experiment / direct with every recording read before the round: ${median(ratios.preread).toFixed(2)}`);
} finally {
  await shutdown();
  await new Promise((resolve) => fake.close(resolve));
  await stopChild(spoor);
  await rm(dir, { recursive: true, force: true });
}

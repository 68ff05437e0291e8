// node packages/server/bench/experiment.mjs — an LLM-call experiment of BENCH_ITEMS items
// (default 1,000, each taken from a recorded call with fromTrace) at concurrency BENCH_CONCURRENCY
// (default 8), scored by a deterministic evaluator, against the same calls made straight to the
// fake LLM by the `openai` client with the same concurrency: the ratio is what an experiment adds
// to the calls it makes. The fake (a process of its own on loopback, OpenAI's chat completions
// wire form) answers after BENCH_DELAY_MS (default 50; a hosted model takes 0.5-5 s). Rounds
// alternate (direct, experiment, experiment, direct, …) BENCH_ROUNDS times (default 3); the
// median ratio is reported.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { median, startSpoor, stopChild, waitCommitted } from './lib.mjs';

const items = Number(process.env.BENCH_ITEMS ?? 1000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const delayMs = Number(process.env.BENCH_DELAY_MS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const KEY = 'sk-bench-experiment';

/** The fake provider: OpenAI chat completions, each answered after the delay with the question echoed. */
function startFake() {
  const code = `
    const http = require('node:http');
    let n = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const request = JSON.parse(body);
        const question = request.messages.at(-1).content;
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_' + (++n) });
          res.end(JSON.stringify({
            id: 'chatcmpl-' + n, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: request.model,
            choices: [{ index: 0, message: { role: 'assistant', content: 'Answer to: ' + question }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
          }));
        }, ${delayMs});
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(String(chunk));
      if (match) resolve({ url: match[1], child });
    });
    child.on('exit', (c) => reject(new Error(`the fake exited with ${c}`)));
  });
}

/** One recorded call per item: a trace of a root span and an LLM span with its messages. */
function recordedCalls(count) {
  const str = (key, value) => ({ key, value: { stringValue: value } });
  const start = BigInt(Date.now() - 120_000) * 1_000_000n;
  const spans = [];
  const refs = [];
  for (let i = 0; i < count; i++) {
    const traceId = i.toString(16).padStart(32, 'a');
    const root = (i + 1).toString(16).padStart(16, 'b');
    const spanId = (i + 1).toString(16).padStart(16, 'c');
    refs.push({ traceId, spanId });
    const at = start + BigInt(i) * 1_000_000n;
    spans.push(
      { traceId, spanId: root, name: 'answer', startTimeUnixNano: String(at), endTimeUnixNano: String(at + 900_000_000n) },
      {
        traceId,
        spanId,
        parentSpanId: root,
        name: 'chat gpt-4o',
        kind: 3,
        startTimeUnixNano: String(at + 1_000_000n),
        endTimeUnixNano: String(at + 800_000_000n),
        attributes: [
          str('gen_ai.provider.name', 'openai'),
          str('gen_ai.operation.name', 'chat'),
          str('gen_ai.request.model', 'gpt-4o'),
          str('gen_ai.system_instructions', JSON.stringify([{ type: 'text', content: 'You answer in one line.' }])),
          str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Question ${i}?` }] }])),
          str(
            'gen_ai.output.messages',
            JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `Answer to: Question ${i}?` }], finish_reason: 'stop' }]),
          ),
        ],
      },
    );
  }
  return { body: { resourceSpans: [{ resource: { attributes: [str('service.name', 'qa-bot')] }, scopeSpans: [{ spans }] }] }, refs };
}

async function call(url, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text === '' ? null : JSON.parse(text);
}

const fake = await startFake();
process.env.BENCH_OPENAI_KEY = KEY;
const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-experiment-'));
const spoor = await startSpoor(dir, ['--provider', `openai=env:BENCH_OPENAI_KEY,base=${fake.url}/v1,timeout=30s`]);
try {
  const { body, refs } = recordedCalls(items);
  await call(spoor.url, 'POST', '/v1/traces', body);
  await waitCommitted(spoor.url, '/api/traces?limit=1');
  await call(spoor.url, 'POST', '/api/datasets', { name: 'bench' });
  await call(spoor.url, 'POST', '/api/datasets/bench/items', { items: refs.map((r) => ({ fromTrace: r })) });
  await call(spoor.url, 'PUT', '/api/evaluators/exact', { kind: 'equals', target: 'trace' });

  // The reference: the same calls through the same client, uninstrumented, straight to the fake.
  const require = createRequire(join(process.cwd(), 'packages/server/package.json'));
  const { default: OpenAI } = await import(require.resolve('openai'));
  const client = new OpenAI({ apiKey: KEY, baseURL: `${fake.url}/v1`, maxRetries: 0 });
  const direct = async () => {
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < items) {
        const i = next++;
        await client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'You answer in one line.' },
            { role: 'user', content: `Question ${i}?` },
          ],
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return performance.now() - started;
  };
  let run = 0;
  const experiment = async () => {
    const started = performance.now();
    const made = await call(spoor.url, 'POST', '/api/experiments', {
      dataset: 'bench',
      name: `bench ${++run}`,
      target: { kind: 'llm-call', provider: 'openai', model: 'gpt-4o-mini' },
      evaluators: ['exact'],
      concurrency,
    });
    for (;;) {
      const e = await call(spoor.url, 'GET', `/api/experiments/${made.id}`);
      if (e.state !== 'running') {
        const ms = performance.now() - started;
        if (e.state !== 'done' || e.itemsDone !== items || e.itemsErrored !== 0)
          throw new Error(`the experiment ended ${e.state}: ${e.itemsDone} done, ${e.itemsErrored} errored (${e.error})`);
        const exact = e.scores.find((s) => s.name === 'exact');
        if (exact?.count !== items || exact.mean !== 1) throw new Error(`the evaluator scored ${exact?.count} items (mean ${exact?.mean})`);
        return ms;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await direct(); // warm both paths: connections, the clients' modules
  await experiment();
  const ratios = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [direct, experiment] : [experiment, direct];
    const [first, second] = [await order[0](), await order[1]()];
    const [d, e] = r % 2 === 0 ? [first, second] : [second, first];
    ratios.push(e / d);
    console.log(`round ${r + 1}: direct ${(d / 1000).toFixed(2)} s, experiment ${(e / 1000).toFixed(2)} s: ${(e / d).toFixed(3)}x`);
  }
  console.log(`${items} items, concurrency ${concurrency}, fake delay ${delayMs} ms: median ${median(ratios).toFixed(3)}x the direct calls (goal <= 1.3x)`);
} finally {
  await stopChild(spoor);
  fake.child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}

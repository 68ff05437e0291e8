import { randomBytes } from 'node:crypto';
import { type TraceDetail, costOf, DEFAULT_PRICES } from '@spoor/model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from '../../../sdk/test/support/fake-llm.js';
import { type TestServer, startTestServer } from '../../test/support/server.js';
import { until } from '../../test/support/wait.js';
import { PriceBooks } from '../pricing/price-books.js';
import type { Provider } from '../replay/providers.js';
import { JudgeError, type JudgeOutput } from './judge-answer.js';
import { createLlmJudgeKind, type LlmJudgeSpec } from './judge.js';
import { type EvaluationTarget, type EvaluatorKind, type JudgeContext, NothingToJudge } from './kind.js';

/**
 * The llm-judge kind with the real `openai` and `@anthropic-ai/sdk` clients against the loopback
 * fake LLM server: number and label outputs on both providers, the template filled, bad answers
 * and provider failures as errors that say which, and the judge's own call stored as a trace in a
 * real Spoor server, linked to the evaluated span and priced.
 */

const KEY = `sk-test-${randomBytes(8).toString('hex')}`;
const NUMBER: JudgeOutput = { type: 'number', min: 0, max: 1 };
const LABELS: JudgeOutput = { type: 'label', labels: ['pass', 'fail'] };
const PROMPT = 'Question: {{input}}\nAnswer: {{output}}\nDocuments:\n{{context}}\nIs the answer right?';

let fake: FakeLlm;
let server: TestServer;
let kind: EvaluatorKind<LlmJudgeSpec>;
let impatientKind: EvaluatorKind<LlmJudgeSpec>;
const books = new PriceBooks(null);
const context: JudgeContext = { signal: new AbortController().signal };

function target(fields: Partial<EvaluationTarget> = {}): EvaluationTarget {
  return {
    projectId: 'default',
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    input: 'What is the capital of Portugal?',
    output: 'Lisbon.',
    context: ['Lisbon is the capital of Portugal.', 'Porto is its second city.'],
    expected: null,
    durationMs: 900,
    costUsd: null,
    toolNames: [],
    ...fields,
  };
}

/** What the judge's call sent, as the fake received it. */
function sent(): Record<string, unknown> {
  expect(fake.requests).toHaveLength(1);
  return fake.requests[0]!.body as Record<string, unknown>;
}

async function failure(promise: Promise<unknown>): Promise<JudgeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JudgeError);
  return error as JudgeError;
}

beforeAll(async () => {
  fake = await startFakeLlm();
  server = await startTestServer();
  kind = judgeKind(30_000);
  // Only the test of a provider's timeout uses it: a busy machine must not time out the others.
  impatientKind = judgeKind(1000);
});

/** The kind over the fake's OpenAI and Anthropic, each call bounded by `timeoutMs`. */
function judgeKind(timeoutMs: number): EvaluatorKind<LlmJudgeSpec> {
  const providers: Provider[] = [
    { name: 'openai', apiKey: KEY, baseUrl: `${fake.baseUrl}/v1`, timeoutMs },
    { name: 'anthropic', apiKey: KEY, baseUrl: fake.baseUrl, timeoutMs },
  ];
  return createLlmJudgeKind({
    providers,
    priceBookFor: (projectId) => books.bookFor(projectId),
    ingest: async (_projectId, body) => {
      // A server stores its judges' traces through its own ingest; this judge runs outside one, so
      // it posts to the public endpoint, which refuses Spoor's reserved service name: the body's
      // name is changed in place (same length), and the rest is stored as the server would.
      const renamed = Buffer.from(Buffer.from(body).toString('latin1').replaceAll('spoor-replay', 'spoor-rEplay'), 'latin1');
      const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: renamed });
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
    },
  });
}

afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

describe('llm-judge on OpenAI', () => {
  const spec: LlmJudgeSpec = { name: 'correctness', provider: 'openai', model: 'gpt-4o-mini', prompt: PROMPT, output: NUMBER };

  it('fills the template, asks for a json_schema answer at temperature 0, and scores with the explanation as comment', async () => {
    fake.script({ text: JSON.stringify({ explanation: 'The documents say Lisbon.', score: 0.9 }) });
    const judgement = await kind.judge(spec, target(), context);
    expect(judgement).toMatchObject({ value: 0.9, label: null, comment: 'The documents say Lisbon.' });
    expect(judgement.costUsd).toBeGreaterThan(0);

    const body = sent();
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0 });
    const messages = body.messages as Array<{ role: string; content: string }>;
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content:
        'Question: What is the capital of Portugal?\nAnswer: Lisbon.\nDocuments:\n[1] Lisbon is the capital of Portugal.\n\n[2] Porto is its second city.\nIs the answer right?',
    });
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'judgement',
        strict: true,
        schema: { required: ['explanation', 'score'], properties: { score: { type: 'number', minimum: 0, maximum: 1 } } },
      },
    });
  });

  it('answers with a declared label', async () => {
    fake.script({ text: JSON.stringify({ explanation: 'Correct.', label: 'pass' }) });
    expect(await kind.judge({ ...spec, output: LABELS, temperature: 0.3 }, target(), context)).toMatchObject({
      value: null,
      label: 'pass',
      comment: 'Correct.',
    });
    expect(sent()).toMatchObject({
      temperature: 0.3,
      response_format: { json_schema: { schema: { properties: { label: { type: 'string', enum: ['pass', 'fail'] } } } } },
    });
  });

  it('says an answer that is not JSON is unparsable, and still counts what the call cost', async () => {
    fake.script({ text: 'I think it is fine.', usage: { inputTokens: 100, outputTokens: 10 } });
    const error = await failure(kind.judge(spec, target(), context));
    expect(error.failure).toBe('unparsable');
    expect(error.message).toMatch(/^the judge's answer is not JSON: I think it is fine\. \(judge trace [0-9a-f]{32}\)$/);
    expect(error.costUsd).toBeCloseTo((100 * 0.15 + 10 * 0.6) / 1e6, 12);
  });

  it('says a score outside the declared range is out of range', async () => {
    fake.script({ text: JSON.stringify({ explanation: 'Great.', score: 7 }) });
    const error = await failure(kind.judge(spec, target(), context));
    expect(error.failure).toBe('out_of_range');
    expect(error.message).toContain("the judge's score 7 is outside the declared range 0..1");
  });

  it('says a label that was not declared is unknown', async () => {
    fake.script({ text: JSON.stringify({ explanation: 'Hmm.', label: 'maybe' }) });
    const error = await failure(kind.judge({ ...spec, output: LABELS }, target(), context));
    expect(error.failure).toBe('unknown_label');
    expect(error.message).toContain("the judge's label 'maybe' is not one of the declared labels (pass, fail)");
  });

  it("says the provider's error and its status, without the key", async () => {
    fake.script({ error: { status: 500, message: 'the fake is down' } });
    const error = await failure(kind.judge(spec, target(), context));
    expect(error.failure).toBe('provider');
    expect(error.message).toBe("openai refused the judge's call (500: 500 the fake is down)");
    expect(error.message).not.toContain(KEY);
    expect(error.costUsd).toBe(0);
  });

  it('says a provider that does not answer within its timeout timed out', async () => {
    // Headers at once, then a byte every 300 ms: the body alone would take seconds past the deadline, which covers it too.
    fake.script({ byteDelayMs: 300, text: JSON.stringify({ explanation: 'late', score: 1 }) });
    const error = await failure(impatientKind.judge(spec, target(), context));
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('openai did not answer the judge within 1 s');
  });

  it('finds nothing to judge in a target without what the template names, calling no one', async () => {
    const error = await kind.judge(spec, target({ context: [] }), context).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NothingToJudge);
    expect((error as Error).message).toBe('the target has no context for {{context}} (no retriever span of the trace returned documents)');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('llm-judge on Anthropic', () => {
  const spec: LlmJudgeSpec = { name: 'correctness', provider: 'anthropic', model: 'claude-haiku-4-5', prompt: PROMPT, output: NUMBER };

  it('forces the answer tool and reads a number from its input', async () => {
    fake.script({ toolCalls: [{ name: 'record_judgement', arguments: { explanation: 'Supported.', score: 0.5 } }] });
    const judgement = await kind.judge(spec, target(), context);
    expect(judgement).toMatchObject({ value: 0.5, label: null, comment: 'Supported.' });
    expect(judgement.costUsd).toBeGreaterThan(0);
    const body = sent();
    // @anthropic-ai/sdk v1 sends the key as a bearer token.
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(body).toMatchObject({ model: 'claude-haiku-4-5', temperature: 0, tool_choice: { type: 'tool', name: 'record_judgement' } });
    expect(body.tools).toEqual([
      expect.objectContaining({ name: 'record_judgement', input_schema: expect.objectContaining({ required: ['explanation', 'score'] }) }),
    ]);
    expect((body.messages as Array<{ content: Array<{ text: string }> }>)[0]!.content[0]!.text).toContain('Answer: Lisbon.\n');
  });

  it('reads a declared label', async () => {
    fake.script({ toolCalls: [{ name: 'record_judgement', arguments: { explanation: 'Wrong city.', label: 'fail' } }] });
    expect(await kind.judge({ ...spec, output: LABELS }, target(), context)).toMatchObject({ value: null, label: 'fail', comment: 'Wrong city.' });
  });

  it('says an answer without the tool call is unparsable', async () => {
    fake.script({ text: 'Score: 0.8' });
    const error = await failure(kind.judge(spec, target(), context));
    expect(error.failure).toBe('unparsable');
    expect(error.message).toContain('the judge did not call record_judgement; it said: Score: 0.8');
  });

  it('says a score out of range', async () => {
    fake.script({ toolCalls: [{ name: 'record_judgement', arguments: { explanation: 'x', score: -1 } }] });
    expect((await failure(kind.judge(spec, target(), context))).failure).toBe('out_of_range');
  });
});

describe('built-in judges', () => {
  it('fill the prompt and output of faithfulness from the built-in', async () => {
    fake.script({ text: JSON.stringify({ explanation: 'All claims supported.', score: 1 }) });
    const judgement = await kind.judge({ provider: 'openai', model: 'gpt-4o-mini', builtin: 'faithfulness' }, target(), context);
    expect(judgement).toMatchObject({ value: 1, comment: 'All claims supported.' });
    const prompt = (sent().messages as Array<{ content: string }>).at(-1)!.content;
    expect(prompt).toContain('<context>\n[1] Lisbon is the capital of Portugal.\n\n[2] Porto is its second city.\n</context>');
    expect(prompt).toContain('<answer>\nLisbon.\n</answer>');
  });

  it('answer pii-leak with its labels', async () => {
    fake.script({ toolCalls: [{ name: 'record_judgement', arguments: { explanation: 'An email address of a third person.', label: 'leak' } }] });
    expect(await kind.judge({ provider: 'anthropic', model: 'claude-haiku-4-5', builtin: 'pii-leak' }, target(), context)).toMatchObject({ label: 'leak' });
    expect((sent().tools as Array<{ input_schema: { properties: { label: { enum: string[] } } } }>)[0]!.input_schema.properties.label.enum).toEqual([
      'leak',
      'clean',
    ]);
  });
});

describe("the judge's own trace", () => {
  it('is stored, linked to the evaluated span, with tokens and the cost the judgement reports (cached input at the cache rate)', async () => {
    const evaluated = target();
    fake.script({ text: JSON.stringify({ explanation: 'Fine.', score: 0.6 }), usage: { inputTokens: 1000, cachedTokens: 600, outputTokens: 50 } });
    const judgement = await kind.judge({ name: 'correctness', provider: 'openai', model: 'gpt-4o-mini', prompt: PROMPT, output: NUMBER }, evaluated, context);
    // 400 uncached at 0.15, 600 cached at 0.075, 50 out at 0.60 USD per million tokens.
    const price = DEFAULT_PRICES.models.find((m) => m.model === 'gpt-4o-mini')!;
    const expected = costOf({ inputTokens: 1000, outputTokens: 50, cacheReadInputTokens: 600, cacheCreationInputTokens: null, reasoningTokens: null }, price)!;
    expect(expected).toBeCloseTo((400 * 0.15 + 600 * 0.075 + 50 * 0.6) / 1e6, 12);
    expect(judgement.costUsd).toBeCloseTo(expected, 12);

    // The judge's trace is found by what it evaluated, as a user would find it.
    const judgeTraceId = await until('the judge trace', async () => {
      const response = await fetch(`${server.url}/api/traces?attr=${encodeURIComponent(`spoor.evaluation.of=${evaluated.traceId}`)}`);
      return ((await response.json()) as { traces: Array<{ traceId: string }> }).traces[0]?.traceId;
    });
    const trace = (await (await fetch(`${server.url}/api/traces/${judgeTraceId}`)).json()) as TraceDetail;
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.attributes).toMatchObject({
      'spoor.evaluation.of': evaluated.traceId,
      'spoor.evaluation.span': evaluated.spanId,
      'spoor.evaluation.name': 'correctness',
    });
    expect(root.name).toBe('judge correctness');
    expect(root.links).toEqual([expect.objectContaining({ traceId: evaluated.traceId, spanId: evaluated.spanId })]);
    const call = trace.spans.find((s) => s.llm !== null)!;
    expect(call.llm).toMatchObject({ requestModel: 'gpt-4o-mini', inputTokens: 1000, cacheReadInputTokens: 600, outputTokens: 50 });
    expect(call.llm!.costUsd).toBeCloseTo(judgement.costUsd, 12);
    expect(JSON.stringify(trace)).not.toContain(KEY);
  });

  it('names a whole trace it judged by the attribute alone, with no link (a link needs a span)', async () => {
    const evaluated = target({ spanId: null });
    fake.script({ text: JSON.stringify({ explanation: 'Fine.', score: 1 }) });
    await kind.judge({ provider: 'openai', model: 'gpt-4o-mini', builtin: 'answer-relevance' }, evaluated, context);
    const judgeTraceId = await until('the judge trace', async () => {
      const response = await fetch(`${server.url}/api/traces?attr=${encodeURIComponent(`spoor.evaluation.of=${evaluated.traceId}`)}`);
      return ((await response.json()) as { traces: Array<{ traceId: string }> }).traces[0]?.traceId;
    });
    const trace = (await (await fetch(`${server.url}/api/traces/${judgeTraceId}`)).json()) as TraceDetail;
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.name).toBe('judge answer-relevance');
    expect(root.attributes['spoor.evaluation.span']).toBeUndefined();
    expect(root.links).toEqual([]);
  });
});

describe('a judgement not made', () => {
  it('is cancelled before any call when the runner has given up', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(kind.judge({ provider: 'openai', model: 'gpt-4o-mini', builtin: 'toxicity' }, target(), { signal: controller.signal }));
    expect(error.failure).toBe('cancelled');
    expect(fake.requests).toHaveLength(0);
  });

  it('names a provider the server no longer has', async () => {
    const none = createLlmJudgeKind({ providers: [], priceBookFor: (p) => books.bookFor(p), ingest: async () => {} });
    const error = await failure(none.judge({ provider: 'anthropic', model: 'claude-haiku-4-5', builtin: 'toxicity' }, target(), context));
    expect(error.failure).toBe('provider');
    expect(error.message).toBe('this Spoor has no anthropic provider any more (it has none)');
    expect(none.problem({ provider: 'anthropic', model: 'claude-haiku-4-5', builtin: 'toxicity' })).toBe(
      'provider: this Spoor has no provider to judge with: start it with --provider anthropic=env:ANTHROPIC_API_KEY (and ,base=URL for a gateway)',
    );
  });
});

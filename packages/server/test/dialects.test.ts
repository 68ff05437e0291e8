import { readFileSync } from 'node:fs';
import { DEFAULT_PRICES, PriceBook, type Attributes, type LlmFields, type SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { llmMessagesFrom } from '../src/normalize/messages.js';
import { normalizeSpans } from '../src/normalize/normalize.js';

/**
 * The crosswalk against what real emitters send: every fixture in fixtures/dialects was captured
 * from the real instrumentation package and client SDK (see its README). The fake LLM server
 * behind them always reported the same usage, so every dialect must come out as the same
 * canonical numbers, unless the emitter itself dropped them.
 */

interface FixtureSpan {
  case: string;
  name: string;
  kind: string;
  parent: string | null;
  scope: { name: string; version?: string };
  attributes: Attributes;
}

interface Fixture {
  generator: string;
  spans: FixtureSpan[];
}

const book = new PriceBook([{ table: DEFAULT_PRICES, origin: 'default' }]);

function load(file: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/dialects/${file}`, import.meta.url), 'utf8')) as Fixture;
}

/** The spans of one call (`case`) as records: ids made up, parents linked by name. */
function normalizedCase(fixture: Fixture, name: string): SpanRecord[] {
  const spans = fixture.spans.filter((s) => s.case === name);
  const ids = spans.map((_, i) => (i + 1).toString(16).padStart(16, '0'));
  const records = spans.map(
    (s, i): SpanRecord => ({
      projectId: 'default',
      traceId: 'a'.repeat(32),
      spanId: ids[i]!,
      parentSpanId: null,
      traceState: '',
      flags: 1,
      name: s.name,
      kind: 'client',
      serviceName: 'svc',
      startTimeUs: 1,
      endTimeUs: 2,
      status: { code: 'unset', message: '' },
      attributes: s.attributes,
      resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
      scope: { name: s.scope.name, version: s.scope.version ?? '', attributes: {}, droppedAttributesCount: 0 },
      events: [],
      links: [],
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      llm: null,
      sessionId: null,
      userId: null,
      category: 'other',
    }),
  );
  records.forEach((record, i) => {
    const parent = spans[i]!.parent;
    const at = parent === null ? -1 : spans.findIndex((s) => s.name === parent);
    record.parentSpanId = at >= 0 ? ids[at]! : null;
  });
  normalizeSpans(records, book);
  return records;
}

function llmSpans(records: SpanRecord[]): SpanRecord[] {
  return records.filter((r) => r.llm !== null);
}

// What the fake returned, in canonical terms (input includes the cache, output the reasoning).
const OPENAI = { inputTokens: 1_200, outputTokens: 300, totalTokens: 1_500, cacheReadInputTokens: 1_000, reasoningTokens: 100 };
const ANTHROPIC = { inputTokens: 1_700, outputTokens: 300, totalTokens: 2_000, cacheReadInputTokens: 1_000, cacheCreationInputTokens: 500 };
// gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per million tokens.
const OPENAI_COST = (200 * 0.15 + 1_000 * 0.075 + 300 * 0.6) / 1e6;
// gpt-4o-mini when the emitter dropped the cached count: all 1,200 bill as fresh input.
const OPENAI_COST_NO_CACHE = (1_200 * 0.15 + 300 * 0.6) / 1e6;
// claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million tokens.
const ANTHROPIC_COST = (200 * 3 + 1_000 * 0.3 + 500 * 3.75 + 300 * 15) / 1e6;

type Expected = Partial<Omit<LlmFields, 'costUsd'>> & { costUsd?: number | null };

const CASES: [file: string, caseName: string, expected: Expected][] = [
  // The Anthropic SDK's own spans: inclusive input, `cache_write`, stop reason as a scalar.
  [
    'anthropic-sdk-native.json',
    'anthropic.messages.plain',
    {
      provider: 'anthropic',
      operation: 'chat',
      requestModel: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250929',
      ...ANTHROPIC,
      finishReasons: ['end_turn'],
      costUsd: ANTHROPIC_COST,
    },
  ],
  ['anthropic-sdk-native.json', 'anthropic.messages.tool', { ...ANTHROPIC, finishReasons: ['tool_use'] }],
  ['anthropic-sdk-native.json', 'anthropic.messages.stream', { ...ANTHROPIC, costUsd: ANTHROPIC_COST }],
  [
    'anthropic-sdk-native.json',
    'anthropic.messages.ratelimit429',
    { requestModel: 'claude-sonnet-4-5-ratelimit', inputTokens: null, outputTokens: null, costUsd: null },
  ],
  // OpenInference >= 0.2 around the Anthropic SDK's own span: one call, counted once (the inner span).
  ['openinference-anthropic.json', 'anthropic.messages.plain', { provider: 'anthropic', ...ANTHROPIC, costUsd: ANTHROPIC_COST }],
  ['openinference-anthropic.json', 'anthropic.messages.tool', { ...ANTHROPIC, finishReasons: ['tool_use'] }],
  // OpenInference 0.1 passed Anthropic's uncached count on, and nothing about the cache: 200 is all there is.
  [
    'openinference-legacy-anthropic.json',
    'anthropic.messages.plain',
    {
      provider: 'anthropic',
      requestModel: 'claude-sonnet-4-5-20250929',
      responseModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 200,
      outputTokens: 300,
      cacheReadInputTokens: null,
    },
  ],
  [
    'openinference-openai.json',
    'openai.chat.plain',
    {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini-2024-07-18',
      responseModel: 'gpt-4o-mini-2024-07-18',
      ...OPENAI,
      finishReasons: ['stop'],
      costUsd: OPENAI_COST,
    },
  ],
  ['openinference-openai.json', 'openai.chat.tool', { ...OPENAI, finishReasons: ['tool_calls'] }],
  ['openinference-openai.json', 'openai.responses.plain', { ...OPENAI, costUsd: OPENAI_COST }],
  // OpenInference drops the usage chunk of a chat stream: no counts, and no made-up zeros.
  [
    'openinference-openai.json',
    'openai.chat.stream',
    { requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini', inputTokens: null, outputTokens: null, costUsd: null },
  ],
  // OpenLLMetry 0.27 passes Anthropic's uncached `input_tokens` on beside its cache counts: added back.
  [
    'openllmetry-anthropic.json',
    'anthropic.messages.plain',
    { provider: 'anthropic', responseModel: 'claude-sonnet-4-5-20250929', ...ANTHROPIC, costUsd: ANTHROPIC_COST },
  ],
  ['openllmetry-anthropic.json', 'anthropic.messages.stream', { ...ANTHROPIC, costUsd: ANTHROPIC_COST }],
  ['openllmetry-legacy-anthropic.json', 'anthropic.messages.plain', { provider: 'anthropic', operation: 'chat', inputTokens: 200, outputTokens: 300 }],
  // OpenLLMetry 0.22: `gen_ai.system` "OpenAI", `llm.request.type`, prompt/completion names, per-choice finish reasons.
  [
    'openllmetry-legacy-openai.json',
    'openai.chat.plain',
    {
      provider: 'openai',
      operation: 'chat',
      responseModel: 'gpt-4o-mini-2024-07-18',
      inputTokens: 1_200,
      outputTokens: 300,
      totalTokens: 1_500,
      cacheReadInputTokens: null,
      finishReasons: ['stop'],
      costUsd: OPENAI_COST_NO_CACHE,
    },
  ],
  ['openllmetry-openai.json', 'openai.chat.plain', { provider: 'openai', inputTokens: 1_200, outputTokens: 300, costUsd: OPENAI_COST_NO_CACHE }],
  [
    'otel-genai-openai.json',
    'openai.chat.plain',
    { provider: 'openai', operation: 'chat', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 1_200, outputTokens: 300, finishReasons: ['stop'] },
  ],
  ['otel-genai-openai.json', 'openai.chat.ratelimit429', { requestModel: 'gpt-4o-mini-ratelimit', inputTokens: null, costUsd: null }],
  // Vercel AI SDK 6: inclusive counts with details; the doGenerate/doStream span is the call.
  [
    'vercel-ai-openai.json',
    'openai.responses.generateText',
    {
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      ...OPENAI,
      finishReasons: ['stop'],
      costUsd: OPENAI_COST,
    },
  ],
  ['vercel-ai-openai.json', 'openai.chat.generateText', { provider: 'openai', ...OPENAI, costUsd: OPENAI_COST }],
  ['vercel-ai-anthropic.json', 'anthropic.generateText', { provider: 'anthropic', ...ANTHROPIC, costUsd: ANTHROPIC_COST }],
  ['vercel-ai-anthropic.json', 'anthropic.streamText', { provider: 'anthropic', ...ANTHROPIC, costUsd: ANTHROPIC_COST }],
  // Vercel AI SDK 4: Anthropic's uncached `promptTokens`, the cache only in provider metadata.
  ['vercel-ai-v4-anthropic.json', 'anthropic.generateText', { provider: 'anthropic', ...ANTHROPIC, costUsd: ANTHROPIC_COST }],
  ['vercel-ai-v4-openai.json', 'openai.responses.generateText', { provider: 'openai', ...OPENAI, costUsd: OPENAI_COST }],
];

describe('the crosswalk reads every dialect as the real emitters send it', () => {
  it.each(CASES)('%s, %s', (file, caseName, expected) => {
    const calls = llmSpans(normalizedCase(load(file), caseName));
    expect(calls, 'one LLM span per call').toHaveLength(1);
    const { costUsd, ...fields } = expected;
    expect(calls[0]!.llm).toMatchObject(fields);
    if (costUsd === null) expect(calls[0]!.llm!.costUsd).toBeNull();
    else if (costUsd !== undefined) expect(calls[0]!.llm!.costUsd).toBeCloseTo(costUsd, 12);
    expect(calls[0]!.category).toBe('llm');
  });

  it('takes time to first token in milliseconds, from seconds (Anthropic SDK) or milliseconds (Vercel AI SDK)', () => {
    const native = llmSpans(normalizedCase(load('anthropic-sdk-native.json'), 'anthropic.messages.stream'))[0]!;
    const seconds = native.attributes['gen_ai.response.time_to_first_chunk'] as number;
    expect(native.llm!.timeToFirstTokenMs).toBeCloseTo(seconds * 1000, 9);
    const vercel = llmSpans(normalizedCase(load('vercel-ai-openai.json'), 'openai.responses.streamText'))[0]!;
    expect(vercel.llm!.timeToFirstTokenMs).toBe(vercel.attributes['ai.response.msToFirstChunk']);
    expect(vercel.llm!.timeToFirstTokenMs).toBeGreaterThan(1);
  });

  it('counts each step of a Vercel AI SDK tool loop once, and not again on the generateText span around them', () => {
    const records = normalizedCase(load('vercel-ai-openai.json'), 'openai.responses.generateText.tool(2 steps)');
    const steps = llmSpans(records);
    expect(steps.map((s) => s.name)).toEqual(['ai.generateText.doGenerate', 'ai.generateText.doGenerate']);
    expect(steps.map((s) => s.llm!.finishReasons)).toEqual([['tool-calls'], ['stop']]);
    expect(records.find((r) => r.name === 'ai.generateText')).toMatchObject({ llm: null, category: 'step' });
    expect(records.find((r) => r.name === 'ai.toolCall')).toMatchObject({ llm: null, category: 'tool' });
  });

  it('makes the instrumentation span around the Anthropic SDK span a step, so the call counts once', () => {
    const records = normalizedCase(load('openinference-anthropic.json'), 'anthropic.messages.plain');
    expect(records.map((r) => [r.name, r.category, r.llm === null])).toEqual([
      ['Anthropic Messages', 'step', true],
      ['anthropic.messages.create', 'llm', false],
    ]);
  });

  it('classifies workflow, task, agent and tool spans of every convention', () => {
    const sdk = load('openllmetry-sdk.json');
    const records = normalizedCase(sdk, 'workflow+task > openai.chat.plain');
    expect(records.map((r) => [r.name, r.category])).toEqual([
      ['chat gpt-4o-mini', 'llm'],
      ['ask_llm.task', 'step'],
      ['greet.workflow', 'workflow'],
    ]);
    const runner = normalizedCase(load('anthropic-sdk-native.json'), 'anthropic.beta.messages.toolRunner[contentMode=content]');
    expect(runner.map((r) => r.category)).toEqual(['llm', 'tool', 'llm', 'agent']);
  });

  it('takes session and user ids from OpenInference, OpenLLMetry association properties and Vercel AI metadata', () => {
    const openinference = normalizedCase(load('openinference-openai.json'), 'openai.chat.plain[setSession/setUser/setMetadata context]');
    expect(openinference[0]).toMatchObject({ sessionId: expect.any(String), userId: expect.any(String) });
    const traceloop = normalizedCase(load('openllmetry-sdk.json'), 'withAssociationProperties + withConversation > openai.chat.plain (no workflow)');
    expect(traceloop.find((r) => r.llm !== null)).toMatchObject({ sessionId: expect.any(String) });
  });
});

describe('the prompt and completion read the same from every dialect', () => {
  const user = { role: 'user', parts: [{ type: 'text', content: 'Say hello' }] };
  const reply = { role: 'assistant', parts: [{ type: 'text', content: 'Hello there!' }] };
  it.each([
    ['anthropic-sdk-native.json', 'anthropic.messages.plain[contentMode=content]', 'anthropic.messages.create'],
    ['openllmetry-openai.json', 'openai.chat.plain', 'chat gpt-4o-mini'],
    ['openllmetry-anthropic.json', 'anthropic.messages.plain', 'chat claude-sonnet-4-5'],
    ['openllmetry-legacy-openai.json', 'openai.chat.plain', 'openai.chat'],
    ['openllmetry-legacy-anthropic.json', 'anthropic.messages.plain', 'anthropic.chat'],
    ['openinference-openai.json', 'openai.chat.plain', 'OpenAI Chat Completions'],
    ['openinference-anthropic.json', 'anthropic.messages.plain', 'Anthropic Messages'],
    ['vercel-ai-openai.json', 'openai.responses.generateText', 'ai.generateText.doGenerate'],
    ['vercel-ai-anthropic.json', 'anthropic.generateText', 'ai.generateText.doGenerate'],
  ])('%s, %s', (file, caseName, spanName) => {
    const span = load(file).spans.find((s) => s.case === caseName && s.name === spanName)!;
    const messages = llmMessagesFrom(span.attributes);
    // The system prompt is a message of its own in some dialects, the system instructions in others.
    const system = messages.system.length > 0 ? messages.system : messages.input.find((m) => m.role === 'system')?.parts;
    expect(system).toEqual([{ type: 'text', content: 'You are terse.' }]);
    expect(messages.input.filter((m) => m.role !== 'system')).toMatchObject([user]);
    expect(messages.output).toMatchObject([reply]);
  });

  it('reads tool calls the model asked for', () => {
    const span = load('vercel-ai-openai.json').spans.find(
      (s) => s.case === 'openai.chat.generateText.tool(2 steps)' && s.name === 'ai.generateText.doGenerate',
    )!;
    const call = llmMessagesFrom(span.attributes).output[0]!.parts.find((p) => p.type === 'tool_call');
    expect(call).toEqual({ type: 'tool_call', id: 'call_fake1', name: 'get_weather', arguments: { city: 'Paris' } });
  });

  it('is empty for a span without content, never an invented message', () => {
    expect(llmMessagesFrom({ 'gen_ai.request.model': 'gpt-4o' })).toEqual({ system: [], input: [], output: [] });
  });
});

import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { type TraceDetail, type TraceSummary } from '@spoor/model';
import { generateText, streamText, type LanguageModel } from 'ai';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FakeReply } from './support/fake-llm.js';
import { COST_DIGITS, expectLlm, spanNamed, useLlmScenario, useSpoorServer } from './support/llm-e2e.js';

/**
 * The Vercel AI SDK end to end: `generateText` and `streamText` with `experimental_telemetry`,
 * through the OpenAI chat and Responses APIs and Anthropic, each call a trace of its own. The
 * setup and the cost arithmetic are in ./support/llm-e2e.ts.
 */

const server = useSpoorServer();

describe('4. Vercel AI SDK generateText / streamText with experimental_telemetry', () => {
  const SERVICE = 'llm-e2e-vercel';
  const STREAM_DELAY_MS = 70;
  /** Each call's trace (each generateText / streamText is a root of its own), by request model. */
  const traces = new Map<string, { summary: TraceSummary; trace: TraceDetail }>();

  interface VercelCase {
    title: string;
    kind: 'generate' | 'stream';
    provider: 'openai' | 'anthropic';
    api: 'chat' | 'responses' | 'messages';
    model: string;
    reply: FakeReply;
    expected: { inputTokens: number; outputTokens: number; cacheRead: number | null; cacheWrite: number | null; reasoning: number | null; costUsd: number };
  }

  const CASES: VercelCase[] = [
    {
      title: 'openai .chat(o3), generateText',
      kind: 'generate',
      provider: 'openai',
      api: 'chat',
      model: 'o3',
      reply: { text: 'Reasoned.', usage: { inputTokens: 900, cachedTokens: 600, outputTokens: 200, reasoningTokens: 150 } },
      // o3: 300 uncached × $2 + 600 cache reads × $0.50 + 200 output (150 reasoning) × $8
      expected: { inputTokens: 900, outputTokens: 200, cacheRead: 600, cacheWrite: null, reasoning: 150, costUsd: (300 * 2 + 600 * 0.5 + 200 * 8) / 1e6 }, // = 0.0025
    },
    {
      title: 'openai .chat(gpt-4o-mini), streamText',
      kind: 'stream',
      provider: 'openai',
      api: 'chat',
      model: 'gpt-4o-mini',
      reply: { chunks: ['Chat ', 'stream.'], delayMs: STREAM_DELAY_MS, usage: { inputTokens: 1000, cachedTokens: 400, outputTokens: 120 } },
      // gpt-4o-mini: 600 uncached × $0.15 + 400 cache reads × $0.075 + 120 output × $0.60
      expected: { inputTokens: 1000, outputTokens: 120, cacheRead: 400, cacheWrite: null, reasoning: 0, costUsd: (600 * 0.15 + 400 * 0.075 + 120 * 0.6) / 1e6 }, // = 0.000192
    },
    {
      title: 'openai Responses (default model, gpt-4o), generateText',
      kind: 'generate',
      provider: 'openai',
      api: 'responses',
      model: 'gpt-4o',
      reply: { text: 'Responded.', usage: { inputTokens: 1300, cachedTokens: 1000, outputTokens: 90 } },
      // gpt-4o: 300 uncached × $2.50 + 1000 cache reads × $1.25 + 90 output × $10
      expected: { inputTokens: 1300, outputTokens: 90, cacheRead: 1000, cacheWrite: null, reasoning: 0, costUsd: (300 * 2.5 + 1000 * 1.25 + 90 * 10) / 1e6 }, // = 0.0029
    },
    {
      title: 'openai Responses (default model, gpt-4.1), streamText',
      kind: 'stream',
      provider: 'openai',
      api: 'responses',
      model: 'gpt-4.1',
      reply: {
        chunks: ['Responses ', 'stream.'],
        delayMs: STREAM_DELAY_MS,
        usage: { inputTokens: 2048, cachedTokens: 1024, outputTokens: 256, reasoningTokens: 64 },
      },
      // gpt-4.1: 1024 uncached × $2 + 1024 cache reads × $0.50 + 256 output (64 reasoning) × $8
      expected: { inputTokens: 2048, outputTokens: 256, cacheRead: 1024, cacheWrite: null, reasoning: 64, costUsd: (1024 * 2 + 1024 * 0.5 + 256 * 8) / 1e6 }, // = 0.004608
    },
    {
      title: 'anthropic (claude-sonnet-4-6), generateText',
      kind: 'generate',
      provider: 'anthropic',
      api: 'messages',
      model: 'claude-sonnet-4-6',
      reply: { text: 'Cached.', usage: { inputTokens: 3000, cachedTokens: 2000, cacheCreationTokens: 500, outputTokens: 150 } },
      // claude-sonnet-4-6: 500 uncached × $3 + 2000 cache reads × $0.30 + 500 cache writes × $3.75 + 150 output × $15
      expected: {
        inputTokens: 3000,
        outputTokens: 150,
        cacheRead: 2000,
        cacheWrite: 500,
        reasoning: null,
        costUsd: (500 * 3 + 2000 * 0.3 + 500 * 3.75 + 150 * 15) / 1e6,
      }, // = 0.006225
    },
    {
      title: 'anthropic (claude-haiku-4-5), streamText',
      kind: 'stream',
      provider: 'anthropic',
      api: 'messages',
      model: 'claude-haiku-4-5',
      reply: {
        chunks: ['Haiku ', 'stream.'],
        delayMs: STREAM_DELAY_MS,
        usage: { inputTokens: 1200, cachedTokens: 800, cacheCreationTokens: 300, outputTokens: 60 },
      },
      // claude-haiku-4-5: 100 uncached × $1 + 800 cache reads × $0.10 + 300 cache writes × $1.25 + 60 output × $5
      expected: {
        inputTokens: 1200,
        outputTokens: 60,
        cacheRead: 800,
        cacheWrite: 300,
        reasoning: null,
        costUsd: (100 * 1 + 800 * 0.1 + 300 * 1.25 + 60 * 5) / 1e6,
      }, // = 0.000855
    },
  ];

  const TELEMETRY = { isEnabled: true, functionId: 'answer', metadata: { sessionId: 's-ai', userId: 'u-ai' } };

  const scenario = useLlmScenario(server, SERVICE, async (llm) => {
    const openai = createOpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test' });
    const anthropic = createAnthropic({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-ant-test' });
    for (const c of CASES) {
      const model: LanguageModel = c.provider === 'anthropic' ? anthropic(c.model) : c.api === 'chat' ? openai.chat(c.model) : openai(c.model);
      llm.script(c.reply);
      if (c.kind === 'generate') {
        await generateText({ model, prompt: 'hi', maxRetries: 0, experimental_telemetry: TELEMETRY });
      } else {
        const result = streamText({ model, prompt: 'hi', maxRetries: 0, experimental_telemetry: TELEMETRY });
        await result.consumeStream();
        await result.usage;
      }
    }
  });

  // Read back after the calls: each call's trace, keyed by the model its inner span requested.
  beforeAll(async () => {
    for (const summary of await server.tracesOf(SERVICE)) {
      const trace = await server.detailOf(summary.traceId);
      const inner = trace.spans.find((span) => /^ai\.(generateText\.doGenerate|streamText\.doStream)$/.test(span.name));
      const model = inner?.attributes['gen_ai.request.model'];
      if (typeof model === 'string') traces.set(model, { summary, trace });
    }
  });

  it('exported without errors: one trace per call, each request to the endpoint of its API', () => {
    expect(scenario.exportErrors).toEqual([]);
    expect(scenario.llm.pending()).toBe(0);
    expect(scenario.llm.requests.map((r) => r.endpoint)).toEqual(CASES.map((c) => c.api));
    expect([...traces.keys()].sort()).toEqual(CASES.map((c) => c.model).sort());
  });

  for (const c of CASES) {
    describe(c.title, () => {
      const outerName = c.kind === 'generate' ? 'ai.generateText' : 'ai.streamText';
      const innerName = c.kind === 'generate' ? 'ai.generateText.doGenerate' : 'ai.streamText.doStream';

      it(`the outer ${outerName} span is a step with llm: null (its summed usage is not counted again), with the session and user`, () => {
        const { trace } = traces.get(c.model)!;
        const outer = spanNamed(trace, outerName);
        expect(outer.parentSpanId).toBeNull();
        expect(outer.llm).toBeNull();
        expect(outer.category).toBe('step');
        expect(outer.sessionId).toBe('s-ai');
        expect(outer.userId).toBe('u-ai');
        // It does carry the usage, which is why it must not count.
        expect(outer.attributes['ai.usage.inputTokens']).toBe(c.expected.inputTokens);
        expect(outer.attributes['ai.telemetry.functionId']).toBe('answer');
      });

      it(`the inner ${innerName} span has the llm fields, the session and the user`, () => {
        const { trace } = traces.get(c.model)!;
        const outer = spanNamed(trace, outerName);
        const inner = spanNamed(trace, innerName);
        expect(inner.parentSpanId).toBe(outer.spanId);
        expect(inner.category).toBe('llm');
        expect(inner.sessionId).toBe('s-ai');
        expect(inner.userId).toBe('u-ai');
        const e = c.expected;
        expectLlm(inner, {
          provider: c.provider,
          operation: 'chat',
          requestModel: c.model,
          responseModel: c.model,
          inputTokens: e.inputTokens,
          outputTokens: e.outputTokens,
          totalTokens: e.inputTokens + e.outputTokens,
          cacheReadInputTokens: e.cacheRead,
          cacheCreationInputTokens: e.cacheWrite,
          reasoningTokens: e.reasoning,
          costUsd: e.costUsd,
          costSource: 'price_table',
          finishReasons: ['stop'],
        });
        if (c.kind === 'stream') {
          expect(inner.llm!.timeToFirstTokenMs).toBeGreaterThanOrEqual(STREAM_DELAY_MS);
          expect(inner.llm!.timeToFirstTokenMs).toBe(inner.attributes['ai.response.msToFirstChunk']);
        } else {
          expect(inner.llm!.timeToFirstTokenMs).toBeNull();
        }
      });

      it("the trace summary counts the call once: its tokens and cost equal the inner span's", () => {
        const { summary, trace } = traces.get(c.model)!;
        expect(trace.spans.filter((span) => span.llm !== null).map((span) => span.name)).toEqual([innerName]);
        expect(summary.rootName).toBe(outerName);
        expect(summary.inputTokens).toBe(c.expected.inputTokens);
        expect(summary.outputTokens).toBe(c.expected.outputTokens);
        expect(summary.costUsd).toBeCloseTo(c.expected.costUsd, COST_DIGITS);
      });
    });
  }
});

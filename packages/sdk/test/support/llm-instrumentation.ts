import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import OpenAI, { type ClientOptions } from 'openai';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { instrumentOpenAI, type LlmInstrumentationOptions, type SpoorOptions } from '../../src/index.js';
import { startFakeLlm, type FakeLlm, type FakeReply } from './fake-llm.js';
import { initInMemory, pointValue, shutdown, type MemorySdk } from './memory.js';

/**
 * Shared setup of the `instrumentOpenAI()` / `instrumentAnthropic()` tests: each test gets a fresh
 * loopback fake LLM and an in-memory SDK, and helpers to read the GenAI spans and metrics back.
 */

/** How a test file makes its provider's client. */
export interface LlmClients<C> {
  /** A client as the app makes it, pointed at a fake's base URL. */
  raw(baseUrl: string): C;
  /** The instrumentation under test. */
  instrument(client: C, options?: LlmInstrumentationOptions): C;
  /** The client of an {@link LlmTestEnv.uninstrumented} baseline run; default {@link raw}. */
  baseline?(baseUrl: string): C;
}

export interface HistogramValue {
  count: number;
  sum: number;
  buckets: { boundaries: number[]; counts: number[] };
}

/** The current test's fake and SDK, and helpers bound to them; the helpers may be destructured. */
export interface LlmTestEnv<C> {
  /** This test's fake LLM. */
  readonly llm: FakeLlm;
  /** This test's in-memory SDK. */
  readonly sdk: MemorySdk;
  /** An instrumented client on this test's fake. */
  client(options?: LlmInstrumentationOptions): C;
  /**
   * Runs `run` with an uninstrumented client against a fresh fake scripted with `replies`. A fresh
   * fake numbers its generated ids as the test's own fake does for its first requests, so the two
   * runs can be compared value for value.
   */
  uninstrumented<T>(replies: FakeReply[], run: (client: C) => Promise<T>): Promise<T>;
  /** Shuts the SDK down and initializes it again with `options`. */
  reinitSdk(options: SpoorOptions): Promise<void>;
  /** The GenAI spans exported so far. */
  llmSpans(): Promise<ReadableSpan[]>;
  /** The one GenAI span exported so far; other spans may be there too. */
  onlyLlmSpan(): Promise<ReadableSpan>;
  /** The one span exported so far, of any kind, which must be named `name`. */
  onlySpan(name: string): Promise<ReadableSpan>;
  /** The value of the histogram's point whose attributes include `labels`. */
  histogramPoint(name: string, labels: Record<string, unknown>): Promise<HistogramValue | undefined>;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that start a fake LLM and an in-memory SDK for each test
 * (with `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` cleared, since content capture is off
 * unless that variable says otherwise), and stop them after it. Call at the top of a test file.
 */
export function setupLlmInstrumentation<C>(clients: LlmClients<C>): LlmTestEnv<C> {
  let llm: FakeLlm | undefined;
  let sdk: MemorySdk | undefined;

  beforeEach(async () => {
    // Keep the machine's value out of it.
    vi.stubEnv('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT', '');
    llm = await startFakeLlm();
    sdk = initInMemory();
  });

  afterEach(async () => {
    await shutdown();
    await llm?.close();
    llm = undefined;
    sdk = undefined;
    vi.unstubAllEnvs();
  });

  const current = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only there inside a test`);
    return value;
  };
  const currentLlm = () => current(llm, 'the fake LLM');
  const currentSdk = () => current(sdk, 'the SDK');

  const llmSpans = async () => (await currentSdk().spans()).filter((span) => span.attributes['gen_ai.operation.name'] !== undefined);

  return {
    get llm() {
      return currentLlm();
    },
    get sdk() {
      return currentSdk();
    },
    client: (options) => clients.instrument(clients.raw(currentLlm().baseUrl), options),
    async uninstrumented(replies, run) {
      const twin = await startFakeLlm();
      try {
        twin.script(...replies);
        return await run((clients.baseline ?? clients.raw)(twin.baseUrl));
      } finally {
        await twin.close();
      }
    },
    async reinitSdk(options) {
      await shutdown();
      sdk = initInMemory(options);
    },
    llmSpans,
    async onlyLlmSpan() {
      const spans = await llmSpans();
      expect(spans.map((span) => span.name)).toHaveLength(1);
      return spans[0]!;
    },
    async onlySpan(name) {
      const spans = await currentSdk().spans();
      expect(spans.map((span) => span.name)).toEqual([name]);
      return spans[0]!;
    },
    async histogramPoint(name, labels) {
      return pointValue((await currentSdk().metrics()).get(name), labels) as HistogramValue | undefined;
    },
  };
}

export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** The span attribute `key`, which must be a JSON string, parsed. */
export function json(span: ReadableSpan, key: string): unknown {
  const value = span.attributes[key];
  expect(typeof value, `${key} is a JSON string`).toBe('string');
  return JSON.parse(value as string);
}

/** Without the fields that carry the wall-clock second. */
export function stable<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, item: unknown) => (key === 'created' || key === 'created_at' || key === 'completed_at' ? undefined : item)),
  ) as T;
}

export const HI = [{ role: 'user' as const, content: 'hi' }];
export const WEATHER_ARGS = { city: 'Paris', unit: 'celsius', days: [1, 2, 3] };

// The OpenAI side, shared by the llm-openai-*.int.test.ts files.

export const OPENAI_MODEL = 'gpt-4o-mini';
export const OPENAI_RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
/** 1200 input tokens of which 1000 from the cache; 300 output of which 120 reasoning. */
export const OPENAI_USAGE = { inputTokens: 1200, outputTokens: 300, cachedTokens: 1000, reasoningTokens: 120 };

/** An `openai` client as the app makes it, on a fake, with no retries. */
export const openaiClient = (baseUrl: string, options: ClientOptions = {}) =>
  new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'test', maxRetries: 0, ...options });

/** {@link setupLlmInstrumentation} for `instrumentOpenAI()` on the `openai` client. */
export const setupOpenAI = () => setupLlmInstrumentation<OpenAI>({ raw: (baseUrl) => openaiClient(baseUrl), instrument: instrumentOpenAI });

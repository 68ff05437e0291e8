import Anthropic from '@anthropic-ai/sdk';
import { type LlmFields, type Span, type TraceDetail, type TraceListResponse, type TraceSummary } from '@spoor/model';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect } from 'vitest';
import { getJson, startTestServer, type TestServer } from '../../../server/test/support/server.js';
import { init, shutdown } from '../../src/index.js';
import { startFakeLlm, type FakeLlm } from './fake-llm.js';

/**
 * Shared setup of the `llm-e2e-*.int.test.ts` files: LLM calls made with the real `openai`,
 * `@anthropic-ai/sdk` and Vercel `ai` clients against the loopback fake LLM, exported over OTLP by
 * `init()` to a real Spoor server, and read back through the REST API: the canonical `llm` fields,
 * the category, the session and user, and the cost, which every test works out by hand from the
 * price table.
 *
 * Canonical counts: input includes cache reads and writes, output includes reasoning. Cost per
 * million tokens: uncached input × input + cache reads × cacheRead + cache writes × cacheWrite +
 * output × output (reasoning at the output price: none of these models has a reasoning price).
 */

/**
 * The prices (USD per million tokens) of the models used by the `llm-e2e-*` files, copied from
 * packages/model/src/default-prices.ts. llm-e2e-prices.int.test.ts checks that the server prices
 * with these.
 */
export const PRICES = {
  'gpt-4o': { provider: 'openai', input: 2.5, output: 10, cacheRead: 1.25 },
  'gpt-4o-mini': { provider: 'openai', input: 0.15, output: 0.6, cacheRead: 0.075 },
  'gpt-4.1': { provider: 'openai', input: 2, output: 8, cacheRead: 0.5 },
  o3: { provider: 'openai', input: 2, output: 8, cacheRead: 0.5 },
  'text-embedding-3-small': { provider: 'openai', input: 0.02, output: 0 },
  'claude-sonnet-4-6': { provider: 'anthropic', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-5-5': {
    provider: 'anthropic',
    input: 0.1,
    output: 0.5,
    cacheRead: 0.01,
    cacheWrite: 0.125,
    longContext: { aboveInputTokens: 100_000, input: 0.5, output: 2.5, cacheRead: 0.05, cacheWrite: 0.625 },
  },
  'claude-haiku-4-5': { provider: 'anthropic', input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
} as const;

/** A model no price table knows. */
export const UNPRICED_MODEL = 'spoor-e2e-unpriced-model';

/** Costs are sums of products of decimals: equal to 1e-12 USD. */
export const COST_DIGITS = 12;

/** The one-message conversation most calls send. */
export const HI = [{ role: 'user' as const, content: 'hi' }];

// --- the server ---------------------------------------------------------------------------------

/** A Spoor server, as `useSpoorServer` provides, and the reads the tests make of it. */
export interface SpoorServer {
  readonly url: string;
  /** GETs a JSON API path: status and parsed body. */
  getJson<T>(path: string): Promise<{ status: number; body: T }>;
  /** The traces of `service` (GET /api/traces?service=…), failing on any status but 200. */
  tracesOf(service: string): Promise<TraceSummary[]>;
  /** One trace with its spans (GET /api/traces/:id), failing on any status but 200. */
  detailOf(traceId: string): Promise<TraceDetail>;
  /** The one trace of `service`, its summary and its spans. */
  onlyTraceOf(service: string): Promise<{ summary: TraceSummary; trace: TraceDetail }>;
}

/**
 * Starts a Spoor server before the tests of the calling file; after them, shuts the SDK down and
 * stops the server. Read it inside tests and hooks, not at load time.
 */
export function useSpoorServer(): SpoorServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await shutdown();
    await server?.stop();
  });
  const url = (): string => {
    if (server === undefined) throw new Error('the test server is started in beforeAll');
    return server.url;
  };
  const getOk = async <T>(path: string): Promise<T> => {
    const { status, body } = await getJson<T>(url(), path);
    if (status !== 200) throw new Error(`GET ${path}: ${status}`);
    return body;
  };
  const spoor: SpoorServer = {
    get url() {
      return url();
    },
    getJson: (path) => getJson(url(), path),
    tracesOf: async (service) => (await getOk<TraceListResponse>(`/api/traces?service=${service}`)).traces,
    detailOf: (traceId) => getOk<TraceDetail>(`/api/traces/${traceId}`),
    async onlyTraceOf(service) {
      const traces = await spoor.tracesOf(service);
      if (traces.length !== 1) throw new Error(`expected one trace of ${service}, got ${traces.length}`);
      return { summary: traces[0]!, trace: await spoor.detailOf(traces[0]!.traceId) };
    },
  };
  return spoor;
}

// --- one scenario: a fake LLM, the SDK, the calls -------------------------------------------------

/** A scenario's fake LLM and export failures, as `useLlmScenario` provides. */
export interface LlmScenario {
  /** The fake LLM the calls went to. */
  readonly llm: FakeLlm;
  /** What `onExportError` reported, as `signal: message`. */
  readonly exportErrors: string[];
}

/**
 * Registers the hooks of one scenario in the calling `describe`. Before its tests: starts a fake
 * LLM and `init()` exporting as `service` to `server` (export failures collected, not printed),
 * runs `calls`, and shuts the SDK down so that everything is exported. After them: closes the
 * fake LLM. Hooks registered after this one run after the calls.
 */
export function useLlmScenario(server: SpoorServer, service: string, calls: (llm: FakeLlm) => Promise<void>): LlmScenario {
  const exportErrors: string[] = [];
  let llm: FakeLlm | undefined;
  beforeAll(async () => {
    llm = await startFakeLlm();
    init({
      serviceName: service,
      endpoint: server.url,
      // One metric export, at shutdown.
      metricsIntervalMs: 60_000,
      logDestination: { write: () => undefined },
      onExportError: (error, signal) => void exportErrors.push(`${signal}: ${error.message}`),
    });
    await calls(llm);
    await shutdown();
  });
  afterAll(async () => {
    await shutdown();
    await llm?.close();
  });
  return {
    get llm() {
      if (llm === undefined) throw new Error('the fake LLM is started in beforeAll');
      return llm;
    },
    exportErrors,
  };
}

/** A scenario whose calls make one trace, as `useOneTraceScenario` provides. */
export interface OneTraceScenario extends LlmScenario {
  readonly summary: TraceSummary;
  readonly trace: TraceDetail;
}

/** `useLlmScenario`, then the one trace of `service` read back from the server. */
export function useOneTraceScenario(server: SpoorServer, service: string, calls: (llm: FakeLlm) => Promise<void>): OneTraceScenario {
  const scenario = useLlmScenario(server, service, calls);
  let read: { summary: TraceSummary; trace: TraceDetail } | undefined;
  beforeAll(async () => {
    read = await server.onlyTraceOf(service);
  });
  const ofRead = () => {
    if (read === undefined) throw new Error(`the trace of ${service} is read in beforeAll`);
    return read;
  };
  return {
    get llm() {
      return scenario.llm;
    },
    exportErrors: scenario.exportErrors,
    get summary() {
      return ofRead().summary;
    },
    get trace() {
      return ofRead().trace;
    },
  };
}

/** An `openai` client of the fake LLM; no retries, so a scripted error reaches the app. */
export function openaiClient(llm: FakeLlm): OpenAI {
  return new OpenAI({ baseURL: `${llm.baseUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 });
}

/** An `@anthropic-ai/sdk` client of the fake LLM; no retries. */
export function anthropicClient(llm: FakeLlm): Anthropic {
  return new Anthropic({ baseURL: llm.baseUrl, apiKey: 'sk-ant-test', maxRetries: 0 });
}

/** Reads a stream to the end. */
export async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of stream) {
    // Read to the end.
  }
}

// --- spans ----------------------------------------------------------------------------------------

export function spanNamed(trace: TraceDetail, name: string): Span {
  const found = trace.spans.filter((span) => span.name === name);
  expect(found, `spans named '${name}' among ${trace.spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

/** The one child span of the step named `stepName`: the LLM call made inside it. */
export function callIn(trace: TraceDetail, stepName: string): Span {
  const parent = spanNamed(trace, stepName);
  const children = trace.spans.filter((span) => span.parentSpanId === parent.spanId);
  expect(
    children.map((span) => span.name),
    `children of step '${stepName}'`,
  ).toHaveLength(1);
  return children[0]!;
}

/** Every field of `llm` but `timeToFirstTokenMs` (each test checks that itself); `costUsd` to 1e-12 USD. */
export function expectLlm(span: Span, expected: Omit<LlmFields, 'costUsd' | 'timeToFirstTokenMs'> & { costUsd: number | null }): void {
  expect(span.llm, `llm fields of '${span.name}'`).not.toBeNull();
  const { costUsd, timeToFirstTokenMs: _ttft, ...rest } = span.llm!;
  const { costUsd: expectedCost, ...expectedRest } = expected;
  expect(rest, `llm fields of '${span.name}'`).toEqual(expectedRest);
  if (expectedCost === null) expect(costUsd, `costUsd of '${span.name}'`).toBeNull();
  else expect(costUsd, `costUsd of '${span.name}'`).toBeCloseTo(expectedCost, COST_DIGITS);
}

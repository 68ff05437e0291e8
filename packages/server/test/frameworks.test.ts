import type { LlmFields, SpanCategory } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { normalizeSpans } from '../src/normalize/normalize.js';
import { book, load, normalizedCase } from './support/framework-fixtures.js';

/**
 * Agent frameworks against what they really send. Every fixture in fixtures/frameworks was captured
 * from the real framework, instrumentation and client SDK (see its README). Each model call reported
 * the same usage as in fixtures/dialects. Per case this checks:
 * - the LLM records: one per model call, with their provider, models, tokens and cost;
 * - the category of every span;
 * - the session and the user.
 */

// One call's usage in canonical terms, as the emitter passed it on (see the README's quirks).
const OPENAI = { provider: 'openai', inputTokens: 1_200, outputTokens: 300, totalTokens: 1_500 };
const ANTHROPIC = { provider: 'anthropic', outputTokens: 300 };
// gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per million tokens.
const OPENAI_COST = (200 * 0.15 + 1_000 * 0.075 + 300 * 0.6) / 1e6;
const OPENAI_COST_NO_CACHE = (1_200 * 0.15 + 300 * 0.6) / 1e6;
// claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million tokens.
const ANTHROPIC_COST = (200 * 3 + 1_000 * 0.3 + 500 * 3.75 + 300 * 15) / 1e6;

// OpenInference LangChain: inclusive input, the cache read, reasoning; no cache write, no response model.
const OI_OPENAI = { ...OPENAI, requestModel: 'gpt-4o-mini', responseModel: null, cacheReadInputTokens: 1_000, reasoningTokens: 100, costUsd: OPENAI_COST };
const OI_ANTHROPIC = {
  ...ANTHROPIC,
  requestModel: 'claude-sonnet-4-5',
  responseModel: null,
  inputTokens: 1_700,
  cacheReadInputTokens: 1_000,
  cacheCreationInputTokens: null,
  costUsd: (700 * 3 + 1_000 * 0.3 + 300 * 15) / 1e6,
};
// OpenLLMetry LangChain: OpenAI without details; Anthropic's uncached input on an invoke, the inclusive one on a stream.
const TL_OPENAI = { ...OPENAI, requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini', cacheReadInputTokens: null, costUsd: OPENAI_COST_NO_CACHE };
const TL_ANTHROPIC_INVOKE = {
  ...ANTHROPIC,
  requestModel: 'claude-sonnet-4-5',
  responseModel: 'claude-sonnet-4-5-20250929',
  inputTokens: 200,
  costUsd: (200 * 3 + 300 * 15) / 1e6,
};
// The client instrumentations under the Traceloop SDK.
const CLIENT_OPENAI = { ...OPENAI, responseModel: 'gpt-4o-mini-2024-07-18', costUsd: OPENAI_COST_NO_CACHE };
const CLIENT_ANTHROPIC = {
  ...ANTHROPIC,
  responseModel: 'claude-sonnet-4-5-20250929',
  inputTokens: 1_700,
  totalTokens: 2_000,
  cacheReadInputTokens: 1_000,
  cacheCreationInputTokens: 500,
  costUsd: ANTHROPIC_COST,
};
// Mastra: one generation per agent loop, with the usage of all its steps (two calls here).
const MASTRA_OPENAI_2 = {
  provider: 'openai',
  requestModel: 'gpt-4o-mini',
  inputTokens: 2_400,
  outputTokens: 600,
  totalTokens: 3_000,
  cacheReadInputTokens: 2_000,
  reasoningTokens: 200,
  costUsd: 2 * OPENAI_COST,
};
// Anthropic through the AI SDK: uncached 400 plus the 2,000 cache reads; the cache writes are lost.
const MASTRA_ANTHROPIC_2 = {
  provider: 'anthropic',
  requestModel: 'claude-sonnet-4-5',
  inputTokens: 2_400,
  outputTokens: 600,
  cacheReadInputTokens: 2_000,
  costUsd: (400 * 3 + 2_000 * 0.3 + 600 * 15) / 1e6,
};

// OpenAI Agents SDK under OpenInference: the Responses model's span names only the dated model the
// response gave; the Chat Completions model's names only the alias the agent asked for.
const AGENTS_RESPONSES = {
  ...OPENAI,
  requestModel: 'gpt-4o-mini-2024-07-18',
  responseModel: 'gpt-4o-mini-2024-07-18',
  cacheReadInputTokens: 1_000,
  reasoningTokens: 100,
  costUsd: OPENAI_COST,
};
const AGENTS_CHAT = { ...AGENTS_RESPONSES, requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini' };

type Expected = Partial<Omit<LlmFields, 'costUsd'>> & { costUsd?: number | null };

interface Case {
  /** Each LLM record, in span order. */
  calls: Expected[];
  /** The category of every span, by name (or by `name (scope)` where two scopes share a name, `name (root)` for a root that shares it). */
  categories: Record<string, SpanCategory>;
  session?: string;
  user?: string;
}

const OI = 'openinference-langchain.json';
const OI_AGENT = { LangGraph: 'agent', __start__: 'step', model_request: 'step', RunnableLambda: 'step', tools: 'step', get_weather: 'tool' } as const;
const OI_GRAPH = {
  LangGraph: 'workflow',
  __start__: 'step',
  agent: 'step',
  RunnableSequence: 'step',
  prompt: 'step',
  RunnableLambda: 'step',
  tools: 'step',
  get_weather: 'tool',
} as const;
const TL = 'openllmetry-langchain.json';
const TL_GRAPH = {
  'workflow CompiledStateGraph': 'workflow',
  'workflow RunnableSequence': 'workflow',
  'workflow RunnableLambda': 'workflow',
  'execute_tool DynamicStructuredTool': 'tool',
  'chat gpt-4o-mini': 'llm',
  'chat claude-sonnet-4-5-20250929': 'llm',
} as const;
const SDK = 'openllmetry-sdk-langchain.json';
const LC = '@traceloop/instrumentation-langchain';
const SDK_TWINS = {
  [`chat gpt-4o-mini (${LC})`]: 'step',
  'chat gpt-4o-mini (@traceloop/instrumentation-openai)': 'llm',
  [`chat claude-sonnet-4-5-20250929 (${LC})`]: 'step',
  [`chat claude-sonnet-4-5 (${LC})`]: 'step',
  'chat claude-sonnet-4-5 (@traceloop/instrumentation-anthropic)': 'llm',
} as const;
const MASTRA = 'mastra.json';
const MASTRA_AGENT = {
  'agent.weather-agent': 'agent',
  'chat gpt-4o-mini': 'llm',
  'chat claude-sonnet-4-5': 'llm',
  'step: 0': 'step',
  'step: 1': 'step',
  "chunk: 'tool-call'": 'other',
  "chunk: 'tool-result'": 'other',
  "chunk: 'text'": 'other',
  'tool.execute get_weather': 'tool',
} as const;

const AGENTS = 'openinference-openai-agents.json';
const AGENTS_RUN = {
  'Agent workflow (root)': 'workflow',
  'Agent workflow': 'step',
  'Weather agent': 'agent',
  turn: 'step',
  get_weather: 'tool',
  response: 'llm',
  generation: 'llm',
} as const;

const LLAMA = 'openllmetry-llamaindex.json';
const LLAMA_AGENT = { 'open_ai_agent.agent': 'agent', 'chat gpt-4o-mini': 'llm' } as const;
const LLAMA_STREAM = { provider: 'openai', requestModel: 'gpt-4o-mini', responseModel: 'gpt-4o-mini', inputTokens: null, outputTokens: null, costUsd: null };

const GENKIT = 'genkit.json';
const GENKIT_RUN = { generate: 'step', 'openai/gpt-4o-mini': 'llm', get_weather: 'tool' } as const;
// Genkit's usage has no cache or reasoning counts here, and no response model.
const GENKIT_OPENAI = { ...OPENAI, requestModel: 'gpt-4o-mini', responseModel: null, cacheReadInputTokens: null, costUsd: OPENAI_COST_NO_CACHE };

const CASES: [file: string, caseName: string, expected: Case][] = [
  [OI, 'openai.invoke', { calls: [{ ...OI_OPENAI, operation: 'chat', finishReasons: ['stop'] }], categories: { ChatOpenAI: 'llm' } }],
  [OI, 'anthropic.invoke', { calls: [{ ...OI_ANTHROPIC, totalTokens: 2_000, finishReasons: ['end_turn'] }], categories: { ChatAnthropic: 'llm' } }],
  [OI, 'openai.stream', { calls: [OI_OPENAI], categories: { ChatOpenAI: 'llm' } }],
  // LangChain adds message_start's one output token to message_delta's 300.
  [
    OI,
    'anthropic.stream',
    {
      calls: [{ ...OI_ANTHROPIC, outputTokens: 301, totalTokens: 2_001, costUsd: (700 * 3 + 1_000 * 0.3 + 301 * 15) / 1e6 }],
      categories: { ChatAnthropic: 'llm' },
    },
  ],
  [OI, 'openai.invoke[metadata session_id/user_id]', { calls: [OI_OPENAI], categories: { ChatOpenAI: 'llm' }, session: 'session-meta-1', user: 'user-meta-1' }],
  [OI, 'openai.invoke[setSession/setUser context]', { calls: [OI_OPENAI], categories: { ChatOpenAI: 'llm' }, session: 'session-ctx-1', user: 'user-ctx-1' }],
  [
    OI,
    'openai.createAgent.tool(2 model calls)[thread_id, metadata]',
    {
      calls: [
        { ...OI_OPENAI, finishReasons: ['tool_calls'] },
        { ...OI_OPENAI, finishReasons: ['stop'] },
      ],
      categories: { ...OI_AGENT, ChatOpenAI: 'llm' },
      session: 'session-meta-1',
      user: 'user-meta-1',
    },
  ],
  [
    OI,
    'anthropic.createAgent.tool(2 model calls)[thread_id, metadata]',
    {
      calls: [OI_ANTHROPIC, OI_ANTHROPIC],
      categories: { ...OI_AGENT, ChatAnthropic: 'llm' },
      session: 'session-meta-1',
      user: 'user-meta-1',
    },
  ],
  [
    OI,
    'langgraph.createReactAgent.openai.tool(2 model calls)[thread_id]',
    { calls: [OI_OPENAI, OI_OPENAI], categories: { ...OI_GRAPH, ChatOpenAI: 'llm' }, session: 'thread-react' },
  ],
  [
    OI,
    'langgraph.StateGraph.anthropic.tool(2 model calls)[thread_id]',
    { calls: [OI_ANTHROPIC, OI_ANTHROPIC], categories: { ...OI_GRAPH, ChatAnthropic: 'llm' }, session: 'thread-graph' },
  ],

  [TL, 'openai.invoke', { calls: [{ ...TL_OPENAI, operation: 'chat', finishReasons: ['stop'] }], categories: TL_GRAPH }],
  [TL, 'anthropic.invoke', { calls: [TL_ANTHROPIC_INVOKE], categories: TL_GRAPH }],
  [
    TL,
    'anthropic.stream',
    {
      calls: [{ ...ANTHROPIC, inputTokens: 1_700, outputTokens: 301, costUsd: (1_700 * 3 + 301 * 15) / 1e6 }],
      categories: { 'chat claude-sonnet-4-5': 'llm' },
    },
  ],
  // The `workflow` spans (provider `langchain`) are not LLM calls: two calls, two records.
  [TL, 'openai.createAgent.tool(2 model calls)[thread_id, metadata]', { calls: [TL_OPENAI, TL_OPENAI], categories: TL_GRAPH }],
  [TL, 'anthropic.createAgent.tool(2 model calls)[thread_id, metadata]', { calls: [TL_ANTHROPIC_INVOKE, TL_ANTHROPIC_INVOKE], categories: TL_GRAPH }],
  [TL, 'langgraph.createReactAgent.openai.tool(2 model calls)[thread_id]', { calls: [TL_OPENAI, TL_OPENAI], categories: TL_GRAPH }],
  [TL, 'langgraph.StateGraph.anthropic.tool(2 model calls)[thread_id]', { calls: [TL_ANTHROPIC_INVOKE, TL_ANTHROPIC_INVOKE], categories: TL_GRAPH }],

  // Under the Traceloop SDK each call is a LangChain span and a client span, not nested: the client's counts.
  [SDK, 'openai.invoke', { calls: [CLIENT_OPENAI], categories: SDK_TWINS }],
  [SDK, 'anthropic.invoke', { calls: [CLIENT_ANTHROPIC], categories: SDK_TWINS }],
  [SDK, 'anthropic.stream', { calls: [CLIENT_ANTHROPIC], categories: SDK_TWINS }],
  // ...except where the SDK estimated an OpenAI stream with tiktoken (6 tokens): LangChain's count is the provider's.
  [
    SDK,
    'openai.stream',
    {
      calls: [{ ...TL_OPENAI }],
      categories: { [`chat gpt-4o-mini (${LC})`]: 'llm', 'chat gpt-4o-mini (@traceloop/instrumentation-openai)': 'step' },
    },
  ],
  [SDK, 'openai.createAgent.tool(2 model calls)[thread_id, metadata]', { calls: [CLIENT_OPENAI, CLIENT_OPENAI], categories: { ...TL_GRAPH, ...SDK_TWINS } }],
  [
    SDK,
    'anthropic.createAgent.tool(2 model calls)[thread_id, metadata]',
    { calls: [CLIENT_ANTHROPIC, CLIENT_ANTHROPIC], categories: { ...TL_GRAPH, ...SDK_TWINS } },
  ],
  [
    SDK,
    'langgraph.createReactAgent.openai.tool(2 model calls)[thread_id]',
    { calls: [CLIENT_OPENAI, CLIENT_OPENAI], categories: { ...TL_GRAPH, ...SDK_TWINS } },
  ],
  [
    SDK,
    'langgraph.StateGraph.anthropic.tool(2 model calls)[thread_id]',
    { calls: [CLIENT_ANTHROPIC, CLIENT_ANTHROPIC], categories: { ...TL_GRAPH, ...SDK_TWINS } },
  ],
  [SDK, 'openai.invoke[withAssociationProperties]', { calls: [CLIENT_OPENAI], categories: SDK_TWINS, session: 'session-assoc-1', user: 'user-assoc-1' }],
  [
    SDK,
    'withWorkflow > openai.createAgent.tool(2 model calls)[withAssociationProperties]',
    {
      calls: [CLIENT_OPENAI, CLIENT_OPENAI],
      categories: { 'weather.workflow': 'workflow', ...TL_GRAPH, ...SDK_TWINS },
      session: 'session-assoc-1',
      user: 'user-assoc-1',
    },
  ],

  // Mastra: the generation holds the usage; its steps and chunks are not calls of their own.
  [
    MASTRA,
    'openai(responses).generate.tool(2 model calls)',
    { calls: [{ ...MASTRA_OPENAI_2, operation: 'chat', finishReasons: ['stop'] }], categories: MASTRA_AGENT },
  ],
  [MASTRA, 'openai.chat.generate.tool(2 model calls)', { calls: [MASTRA_OPENAI_2], categories: MASTRA_AGENT }],
  [MASTRA, 'anthropic.generate.tool(2 model calls)', { calls: [MASTRA_ANTHROPIC_2], categories: MASTRA_AGENT }],
  [MASTRA, 'anthropic.stream.tool(2 model calls)', { calls: [MASTRA_ANTHROPIC_2], categories: MASTRA_AGENT }],
  [
    MASTRA,
    'openai(responses).stream.plain',
    {
      calls: [{ provider: 'openai', inputTokens: 1_200, outputTokens: 300, cacheReadInputTokens: 1_000, reasoningTokens: 100, costUsd: OPENAI_COST }],
      categories: MASTRA_AGENT,
    },
  ],
  [
    MASTRA,
    'openai(responses).generate.tool[tracingOptions.metadata sessionId/userId]',
    { calls: [MASTRA_OPENAI_2], categories: MASTRA_AGENT, session: 'session-meta-1', user: 'user-meta-1' },
  ],
  // The new memory thread's title is a third call, a generation of its own.
  [
    MASTRA,
    'openai(responses).generate.tool[memory thread/resource]',
    {
      calls: [MASTRA_OPENAI_2, { provider: 'openai', inputTokens: 1_200, costUsd: OPENAI_COST }],
      categories: { ...MASTRA_AGENT, 'agent.remembering-agent': 'agent' },
      session: 'thread-1',
      user: 'user-1',
    },
  ],

  // OpenAI Agents SDK: the trace is the workflow, its task and turns are steps; `llm.system` on every span names no call.
  [
    AGENTS,
    'responses.run.tool(2 model calls)',
    { calls: [{ ...AGENTS_RESPONSES, operation: 'chat', finishReasons: ['stop'] }, AGENTS_RESPONSES], categories: AGENTS_RUN },
  ],
  [
    AGENTS,
    'chat_completions.run.tool(2 model calls)',
    {
      calls: [
        { ...AGENTS_CHAT, finishReasons: ['tool_calls'] },
        { ...AGENTS_CHAT, finishReasons: ['stop'] },
      ],
      categories: AGENTS_RUN,
    },
  ],
  [AGENTS, 'responses.run.stream.tool(2 model calls)', { calls: [AGENTS_RESPONSES, AGENTS_RESPONSES], categories: AGENTS_RUN }],
  [AGENTS, 'chat_completions.run.stream.tool(2 model calls)', { calls: [AGENTS_CHAT, AGENTS_CHAT], categories: AGENTS_RUN }],
  [AGENTS, 'responses.run.plain', { calls: [AGENTS_RESPONSES], categories: { ...AGENTS_RUN, 'Plain agent': 'agent' } }],
  // withTrace's groupId and metadata reach no attribute: no session, no user.
  [
    AGENTS,
    'withTrace[groupId, metadata session_id/user_id] > responses.run.tool(2 model calls)',
    {
      calls: [AGENTS_RESPONSES, AGENTS_RESPONSES],
      categories: { ...AGENTS_RUN, 'weather workflow (root)': 'workflow' },
    },
  ],
  [
    AGENTS,
    'responses.run.tool[setSession/setUser context]',
    {
      calls: [AGENTS_RESPONSES, AGENTS_RESPONSES],
      categories: AGENTS_RUN,
      session: 'session-ctx-1',
      user: 'user-ctx-1',
    },
  ],

  // LlamaIndex under OpenLLMetry: OpenAI's counts without their details; a stream has none; the tool leaves no span.
  [LLAMA, 'openai.chat', { calls: [{ ...TL_OPENAI, operation: 'chat', finishReasons: ['stop'] }], categories: LLAMA_AGENT }],
  [LLAMA, 'openai.chat.stream', { calls: [LLAMA_STREAM], categories: LLAMA_AGENT }],
  [
    LLAMA,
    'OpenAIAgent.chat.tool(2 model calls)',
    {
      calls: [
        { ...TL_OPENAI, finishReasons: ['tool_call'] },
        { ...TL_OPENAI, finishReasons: ['stop'] },
      ],
      categories: LLAMA_AGENT,
    },
  ],
  // The instrumentation breaks a streamed agent chat after its first call (README): that call is all there is.
  [LLAMA, 'OpenAIAgent.chat.stream.tool(2 model calls)', { calls: [{ ...LLAMA_STREAM, finishReasons: ['tool_call'] }], categories: LLAMA_AGENT }],

  // Genkit: the model action is the call (usage read from its output JSON); generate is a step, the flow a workflow.
  [GENKIT, 'openai.generate', { calls: [{ ...GENKIT_OPENAI, operation: 'chat', finishReasons: ['stop'] }], categories: GENKIT_RUN }],
  [GENKIT, 'openai.generateStream', { calls: [GENKIT_OPENAI], categories: GENKIT_RUN }],
  [GENKIT, 'openai.generate.tool(2 model calls)', { calls: [GENKIT_OPENAI, GENKIT_OPENAI], categories: GENKIT_RUN }],
  [
    GENKIT,
    'defineFlow > openai.generate.tool(2 model calls)',
    { calls: [GENKIT_OPENAI, GENKIT_OPENAI], categories: { ...GENKIT_RUN, weatherFlow: 'workflow' } },
  ],

  [
    'openllmetry-mcp.json',
    'client.callTool(get_weather) over InMemoryTransport',
    {
      calls: [],
      categories: {
        'agent turn': 'other',
        'mcp.client.session': 'other',
        'initialize.mcp': 'other',
        'tools/list.mcp': 'other',
        'get_weather.tool': 'tool',
        lookup_weather: 'other',
      },
    },
  ],
  [
    'openinference-mcp.json',
    'client.callTool(get_weather) over Streamable HTTP',
    { calls: [], categories: { 'agent turn': 'other', lookup_weather: 'other' } },
  ],
];

describe('agent frameworks read as their emitters send them', () => {
  it.each(CASES)('%s, %s', (file, caseName, expected) => {
    const records = normalizedCase(file, caseName);
    const calls = records.filter((r) => r.llm !== null);
    expect(calls, 'one LLM record per model call').toHaveLength(expected.calls.length);
    calls.forEach((call, i) => {
      const { costUsd, ...fields } = expected.calls[i]!;
      expect(call.llm, `call ${i + 1}`).toMatchObject(fields);
      if (costUsd === null) expect(call.llm!.costUsd).toBeNull();
      else if (costUsd !== undefined) expect(call.llm!.costUsd, `cost of call ${i + 1}`).toBeCloseTo(costUsd, 12);
    });
    const categories = records.map((r) => [
      r.name,
      (r.parentSpanId === null ? expected.categories[`${r.name} (root)`] : undefined) ??
        expected.categories[`${r.name} (${r.scope.name})`] ??
        expected.categories[r.name] ??
        '(not expected)',
    ]);
    expect(records.map((r) => [r.name, r.category])).toEqual(categories);
    expect(new Set(records.map((r) => r.sessionId).filter((s) => s !== null))).toEqual(new Set(expected.session === undefined ? [] : [expected.session]));
    expect(new Set(records.map((r) => r.userId).filter((u) => u !== null))).toEqual(new Set(expected.user === undefined ? [] : [expected.user]));
  });

  it('makes as many LLM records as the app made model calls, under every instrumentation that traces calls', () => {
    for (const file of [OI, TL, SDK, AGENTS, GENKIT]) {
      for (const { case: caseName, requests } of load(file).requests) {
        expect(
          normalizedCase(file, caseName).filter((r) => r.llm !== null),
          `${file}, ${caseName}`,
        ).toHaveLength(requests.length);
      }
    }
  });

  it("counts a Mastra agent's tokens once: the generation's, not again on its steps", () => {
    const records = normalizedCase(MASTRA, 'openai(responses).generate.tool(2 model calls)');
    const input = records.reduce((sum, r) => sum + (r.llm?.inputTokens ?? 0), 0);
    expect(input).toBe(2 * 1_200);
    expect(records.filter((r) => r.attributes['gen_ai.operation.name'] === 'model.step').map((r) => [r.llm, r.category])).toEqual([
      [null, 'step'],
      [null, 'step'],
    ]);
  });

  it('does not take a LangChain span for a call twin of a client call that does not overlap it in time', () => {
    const records = normalizedCase(SDK, 'openai.invoke');
    const [chain, client] = [records.find((r) => r.scope.name === LC)!, records.find((r) => r.scope.name !== LC)!];
    chain.startTimeUs = client.endTimeUs + 1_000_000;
    chain.endTimeUs = chain.startTimeUs + 100_000;
    chain.llm = null;
    client.llm = null;
    normalizeSpans(records, book);
    expect(records.filter((r) => r.llm !== null)).toHaveLength(2);
  });
});

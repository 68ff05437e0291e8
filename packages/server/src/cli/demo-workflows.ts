import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { conversationOf, subjectOf } from './demo-content.js';
import type { PlannedRun, Random } from './demo-history.js';
import { type DemoService, type DemoTelemetry, passOnFailure, recordFailure } from './demo-telemetry.js';

/*
 * Records one planned history run (see `demo-history.ts`) the way an instrumented agent app
 * would: a workflow span, steps, LLM calls with `gen_ai.*` usage including cached input, the
 * web_search tool served by the retrieval service (an embedding and a vector query), and log
 * records correlated to the spans they were written in.
 */

/** The chat models of the history, all in Spoor's price table, and roughly how fast each writes. */
const MODELS = {
  'gpt-4o': { provider: 'openai', responseModel: 'gpt-4o-2024-08-06', msPerToken: 14 },
  'gpt-4o-mini': { provider: 'openai', responseModel: 'gpt-4o-mini-2024-07-18', msPerToken: 8 },
  'claude-sonnet-4-6': { provider: 'anthropic', responseModel: 'claude-sonnet-4-6', msPerToken: 18 },
  'claude-haiku-4-5': { provider: 'anthropic', responseModel: 'claude-haiku-4-5-20251001', msPerToken: 7 },
} as const;
type Model = keyof typeof MODELS;

const EMBEDDING_MODEL = 'text-embedding-3-small';
/** How long the retrieval service waits for the vector store. */
const SEARCH_TIMEOUT_MS = 10_000;
/** Calls of a rate-limited model before the app gives up. */
const MAX_ATTEMPTS = 3;

/**
 * Stack frames below the exceptions the history throws: library frames first, then the app's, so
 * that the Errors page names a function of the app (Spoor skips `node_modules` and `node:` frames).
 */
const FRAMES = {
  openai: [
    'at OpenAI.makeStatusError (/app/node_modules/openai/client.js:455:25)',
    'at OpenAI.makeRequest (/app/node_modules/openai/client.js:630:30)',
    'at async callModel (/app/src/llm/call-model.ts:42:18)',
    'at async runStep (/app/src/workflows/run-step.ts:27:5)',
  ],
  vectorStore: [
    'at Timeout._onTimeout (/srv/retrieval/node_modules/@qdrant/js-client-rest/dist/cjs/api-client.js:43:41)',
    'at listOnTimeout (node:internal/timers:608:17)',
    'at async searchVectors (/srv/retrieval/src/search/vectors.ts:58:19)',
    'at async handleSearch (/srv/retrieval/src/routes/search.ts:21:21)',
  ],
  searchTool: [
    'at callRetrieval (/app/src/tools/web-search.ts:31:13)',
    'at async executeTool (/app/src/tools/registry.ts:64:20)',
    'at async runStep (/app/src/workflows/run-step.ts:27:5)',
  ],
};

function demoError(name: string, message: string, frames: readonly string[]): Error {
  const error = new Error(message);
  error.name = name;
  error.stack = [`${name}: ${message}`, ...frames.map((frame) => `    ${frame}`)].join('\n');
  return error;
}

/** A failure on its way up a run's spans, from the time the last span it passed through ended. */
class RunFailure extends Error {
  constructor(
    readonly error: Error,
    readonly atMs: number,
  ) {
    super(error.message);
  }
}

export function recordRun(telemetry: DemoTelemetry, run: PlannedRun): void {
  new RunRecorder(telemetry, run).record();
}

class RunRecorder {
  private readonly agent: DemoService;
  private readonly retrieval: DemoService;
  private readonly random: Random;
  /** 429s that the run's next OpenAI calls get before one goes through. */
  private rateLimits: number;
  /** The run's question, report topic or thread, which its calls talk about. */
  private readonly subject: string;

  constructor(
    private readonly telemetry: DemoTelemetry,
    private readonly run: PlannedRun,
  ) {
    this.random = run.random;
    this.rateLimits = run.failure === 'rate-limit' ? MAX_ATTEMPTS : run.retriedRateLimit ? 1 : 0;
    ({ agent: this.agent, retrieval: this.retrieval } = telemetry.release(run.release));
    this.subject = subjectOf(run.workflow, this.random);
  }

  record(): void {
    const { run, agent } = this;
    const root = this.telemetry.span(
      agent,
      `workflow ${run.workflow}`,
      null,
      run.startMs,
      {
        'spoor.kind': 'workflow',
        'workflow.name': run.workflow,
        'workflow.run_id': `run-${run.startMs}`,
        'session.id': run.sessionId,
        'user.id': run.userId,
        'gen_ai.agent.name': 'orchestrator',
      },
      SpanKind.SERVER,
    );
    this.log(agent, root, run.startMs + 1, SeverityNumber.INFO, 'workflow started', { 'workflow.name': run.workflow });
    try {
      const t = run.startMs + 5;
      const endMs =
        run.workflow === 'answer-question'
          ? this.answerQuestion(root, t)
          : run.workflow === 'research-report'
            ? this.researchReport(root, t)
            : this.summarizeThread(root, t);
      const durationMs = endMs + 5 - run.startMs;
      this.log(agent, root, endMs + 3, SeverityNumber.INFO, `workflow finished in ${(durationMs / 1000).toFixed(1)} s`, { 'workflow.duration_ms': durationMs });
      root.end(endMs + 5);
    } catch (failure) {
      if (!(failure instanceof RunFailure)) throw failure;
      passOnFailure(root, failure.error);
      // `error.type`, not `exception.*`: a log record with an exception would make an error
      // group of its own, next to the span's.
      this.log(agent, root, failure.atMs + 3, SeverityNumber.ERROR, 'workflow failed', { 'error.type': failure.error.name });
      root.end(failure.atMs + 5);
    }
  }

  /** A quick question: search, then one answer. */
  private answerQuestion(root: Span, t: number): number {
    const model = this.random.pick<Model>(['gpt-4o-mini', 'gpt-4o-mini', 'claude-sonnet-4-6']);
    const searched = this.step(root, 'step search', { 'step.id': 'search', 'step.number': 1, 'gen_ai.agent.name': 'researcher' }, t, (step) =>
      this.search(step, t + 5),
    );
    return this.step(root, 'step answer', { 'step.id': 'answer', 'step.number': 2, 'gen_ai.agent.name': 'answerer' }, searched + 10, (step) =>
      this.chat(step, 'answer', searched + 15, model, this.random.int(1_800, 6_500), this.random.int(120, 650)),
    );
  }

  /** The main run's workflow: plan, search and read, sometimes analyze, write. */
  private researchReport(root: Span, t: number): number {
    const { agent, random } = this;
    const planned = this.step(root, 'agent planner', { 'gen_ai.agent.name': 'planner', 'step.number': 0 }, t, (step) => {
      const endMs = this.chat(step, 'plan', t + 5, 'gpt-4o', random.int(700, 1_100), random.int(120, 260));
      const steps = random.int(2, 4);
      this.log(agent, step, endMs + 2, SeverityNumber.INFO, `plan ready: ${steps} steps`, { 'plan.steps': steps });
      return endMs + 3;
    });
    let done = this.step(root, 'step search', { 'step.id': 'search', 'step.number': 1, 'gen_ai.agent.name': 'researcher' }, planned + 10, (step) => {
      const found = this.search(step, planned + 15);
      return this.chat(step, 'research', found + 5, 'claude-sonnet-4-6', random.int(3_500, 7_000), random.int(250, 600));
    });
    if (random.chance(0.6)) {
      const start = done + 10;
      done = this.step(root, 'step analyze', { 'step.id': 'analyze', 'step.number': 2, 'gen_ai.agent.name': 'analyst' }, start, (step) =>
        this.chat(step, 'analyze', start + 5, 'gpt-4o-mini', random.int(2_500, 4_500), random.int(400, 900)),
      );
    }
    const start = done + 10;
    return this.step(root, 'step write', { 'step.id': 'write', 'step.number': 3, 'gen_ai.agent.name': 'writer' }, start, (step) => {
      const outputTokens = random.int(700, 1_400);
      const endMs = this.chat(step, 'write', start + 5, 'gpt-4o', random.int(3_500, 6_000), outputTokens);
      const words = Math.round(outputTokens * 0.75);
      this.log(agent, step, endMs + 2, SeverityNumber.INFO, `report written: ${words} words`, { 'report.words': words });
      return endMs + 3;
    });
  }

  /** A conversation summary: load the thread from the database, one call to a small model with a long, mostly cached prompt. */
  private summarizeThread(root: Span, t: number): number {
    const { agent, random } = this;
    const loaded = this.step(root, 'step load-history', { 'step.id': 'load-history', 'step.number': 1 }, t, (step) => {
      const messages = random.int(12, 80);
      const endMs = t + 5 + random.int(15, 120);
      this.telemetry
        .span(
          agent,
          'SELECT conversation_messages',
          step,
          t + 5,
          {
            'db.system.name': 'postgresql',
            'db.operation.name': 'SELECT',
            'db.collection.name': 'conversation_messages',
            'db.response.returned_rows': messages,
          },
          SpanKind.CLIENT,
        )
        .end(endMs);
      this.log(agent, step, endMs + 1, SeverityNumber.DEBUG, `loaded ${messages} messages`, { 'conversation.messages': messages });
      return endMs + 2;
    });
    return this.step(root, 'step summarize', { 'step.id': 'summarize', 'step.number': 2, 'gen_ai.agent.name': 'summarizer' }, loaded + 5, (step) =>
      this.chat(step, 'summarize', loaded + 10, 'claude-haiku-4-5', random.int(6_000, 18_000), random.int(180, 450)),
    );
  }

  /** A step of the workflow; `body` records what happens in it and returns when that ended. */
  private step(parent: Span, name: string, attributes: Attributes, startMs: number, body: (step: Span) => number): number {
    // `spoor.kind` is what @spoor/sdk sets; the views colour and count spans by it.
    const kind = name.startsWith('agent ') ? 'agent' : 'step';
    const span = this.telemetry.span(this.agent, name, parent, startMs, { 'spoor.kind': kind, ...attributes });
    try {
      const endMs = body(span) + 2;
      span.end(endMs);
      return endMs;
    } catch (failure) {
      if (!(failure instanceof RunFailure)) throw failure;
      passOnFailure(span, failure.error);
      span.end(failure.atMs + 2);
      throw new RunFailure(failure.error, failure.atMs + 2);
    }
  }

  /** The web_search tool: the retrieval service embeds the query and asks the vector store. Returns when the tool returned. */
  private search(parent: Span, t: number): number {
    const { telemetry, agent, retrieval, random } = this;
    const tool = telemetry.span(
      agent,
      'execute_tool web_search',
      parent,
      t,
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'web_search',
        'gen_ai.tool.call.id': `call_${this.random.hex(8)}`,
      },
      SpanKind.CLIENT,
    );
    const serverStart = t + random.int(8, 25);
    const server = telemetry.span(retrieval, 'POST /search', tool, serverStart, { 'http.request.method': 'POST', 'http.route': '/search' }, SpanKind.SERVER);
    const queryTokens = random.int(12, 60);
    const embedded = serverStart + 3 + random.int(40, 160);
    telemetry
      .llmSpan(retrieval, server, serverStart + 3, {
        operation: 'embeddings',
        provider: 'openai',
        model: EMBEDDING_MODEL,
        responseModel: EMBEDDING_MODEL,
        inputTokens: queryTokens,
      })
      .end(embedded);
    this.log(retrieval, server, embedded + 1, SeverityNumber.DEBUG, `embedded the query: ${queryTokens} tokens`, { 'gen_ai.request.model': EMBEDDING_MODEL });

    const topK = 8;
    const vector = telemetry.span(retrieval, 'vector.query', server, embedded + 2, {
      'db.system.name': 'qdrant',
      'db.collection.name': 'web-pages',
      'retrieval.top_k': topK,
    });
    if (this.run.failure === 'search-timeout') {
      const atMs = embedded + 2 + SEARCH_TIMEOUT_MS;
      const timeout = demoError('TimeoutError', `vector search timed out after ${SEARCH_TIMEOUT_MS} ms`, FRAMES.vectorStore);
      recordFailure(vector, timeout, atMs);
      vector.end(atMs);
      this.log(retrieval, vector, atMs + 1, SeverityNumber.ERROR, 'vector search timed out', { 'error.type': timeout.name, 'db.collection.name': 'web-pages' });
      server.setAttribute('http.response.status_code', 504);
      passOnFailure(server, timeout);
      server.end(atMs + 3);
      // The tool's client raises the service's error again, from the agent's own code: one error
      // group in each service, each naming where it surfaced.
      const raised = demoError(timeout.name, timeout.message, FRAMES.searchTool);
      recordFailure(tool, raised, atMs + 6);
      tool.end(atMs + 6);
      this.log(agent, tool, atMs + 7, SeverityNumber.ERROR, 'tool web_search failed', { 'error.type': raised.name, 'gen_ai.tool.name': 'web_search' });
      throw new RunFailure(raised, atMs + 7);
    }
    const slow = random.chance(0.1);
    const searchMs = slow ? random.int(1_800, 3_600) : random.int(60, 420);
    const found = random.chance(0.12) ? random.int(1, 2) : random.int(4, topK);
    const searched = embedded + 2 + searchMs;
    vector.setAttribute('retrieval.documents', found);
    vector.end(searched);
    if (slow) this.log(retrieval, vector, searched + 1, SeverityNumber.WARN, `slow vector search: ${searchMs} ms`, { 'db.collection.name': 'web-pages' });
    this.log(retrieval, server, searched + 2, SeverityNumber.INFO, `search returned ${found} documents`, { 'retrieval.documents': found });
    server.setAttribute('http.response.status_code', 200);
    server.end(searched + 4);
    tool.end(searched + 9);
    if (found < 3) {
      this.log(agent, parent, searched + 10, SeverityNumber.WARN, `only ${found} documents above the relevance threshold`, { 'retrieval.documents': found });
    } else {
      this.log(agent, parent, searched + 10, SeverityNumber.INFO, `retrieved ${found} documents`, { 'retrieval.documents': found });
    }
    return searched + 10;
  }

  /**
   * A chat call, returning when it ended. An OpenAI call may first be refused with a 429 (see
   * `rateLimits`): the app waits and tries again, and gives up after MAX_ATTEMPTS calls.
   */
  private chat(parent: Span, purpose: string, t: number, model: Model, inputTokens: number, outputTokens: number): number {
    const { provider, responseModel, msPerToken } = MODELS[model];
    const { agent, random } = this;
    let start = t;
    for (let attempt = 1; provider === 'openai' && this.rateLimits > 0; attempt++) {
      this.rateLimits--;
      const span = this.telemetry.llmSpan(agent, parent, start, { provider, model, messages: conversationOf(purpose, this.subject, random, false) });
      const endMs = start + random.int(150, 450);
      const message =
        `429 Rate limit reached for ${model} in organization org-demo on tokens per min (TPM): Limit 30000, ` +
        `Used ${random.int(27_000, 29_900)}, Requested ${inputTokens}. Please try again in ${random.int(200, 2_000)}ms.`;
      const error = demoError('RateLimitError', message, FRAMES.openai);
      span.setAttribute('error.type', error.name);
      recordFailure(span, error, endMs);
      span.end(endMs);
      if (this.rateLimits === 0 && this.run.failure === 'rate-limit') {
        this.log(agent, parent, endMs + 1, SeverityNumber.ERROR, `giving up on ${model} after ${attempt} rate-limited calls`, { 'error.type': error.name });
        throw new RunFailure(error, endMs + 1);
      }
      const waitMs = 1_000 * 2 ** (attempt - 1) + random.int(0, 400);
      this.log(agent, parent, endMs + 1, SeverityNumber.WARN, `rate limited by openai (429), retrying in ${(waitMs / 1000).toFixed(1)} s`, {
        'retry.attempt': attempt,
        'error.type': error.name,
      });
      start = endMs + waitMs;
    }
    const firstChunkMs = random.int(250, 900) + (provider === 'anthropic' ? 200 : 0);
    const endMs = start + firstChunkMs + Math.round(outputTokens * msPerToken * (0.8 + random.next() * 0.5));
    this.telemetry
      .llmSpan(agent, parent, start, {
        provider,
        model,
        responseModel,
        responseId: `${provider === 'openai' ? 'chatcmpl-' : 'msg_'}${this.random.hex(24)}`,
        inputTokens,
        outputTokens,
        ...this.cachedInput(provider, inputTokens),
        timeToFirstChunkMs: firstChunkMs,
        messages: conversationOf(purpose, this.subject, random),
      })
      .end(endMs);
    return endMs;
  }

  /**
   * Prompt caching as each provider does it: OpenAI reads a cached prefix of 1,024 tokens or more,
   * in steps of 128, when one is warm; Anthropic writes the marked prefix once, then reads it.
   */
  private cachedInput(provider: string, inputTokens: number): { cacheReadTokens?: number; cacheWriteTokens?: number } {
    const { random } = this;
    if (provider === 'openai') {
      if (inputTokens < 1_280 || !random.chance(0.6)) return {};
      return { cacheReadTokens: 1_024 + 128 * random.int(0, Math.floor((inputTokens * 0.8 - 1_024) / 128)) };
    }
    const prefix = Math.min(Math.floor(inputTokens * 0.7), random.int(2, 5) * 1_024);
    return random.chance(0.7) ? { cacheReadTokens: prefix } : { cacheWriteTokens: prefix };
  }

  private log(service: DemoService, span: Span, timeMs: number, severity: SeverityNumber, message: string, attributes: Attributes): void {
    this.telemetry.log(service, span, timeMs, severity, message, attributes);
  }
}

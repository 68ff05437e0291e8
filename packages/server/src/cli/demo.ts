import { type Attributes, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { BIG_TRACE_SPANS, recordBigTrace, sendAppMetrics } from './demo-extras.js';
import { planEarlierDays, planHistory } from './demo-history.js';
import { runLiveAgent } from './demo-live.js';
import { type SeedResult, seedDemo } from './demo-seed.js';
import { type DemoService, DemoTelemetry, type LlmCall, recordFailure } from './demo-telemetry.js';
import { recordRun } from './demo-workflows.js';

/** What `spoor demo` sends without `--runs`: enough history for the charts, sessions and errors to say something. */
export const DEFAULT_DEMO_RUNS = 24;
export const MAX_DEMO_RUNS = 1000;

/**
 * History runs recorded between two flushes. Each flush sends them in one export per service
 * (under the SDK's 512-span batch), so a run's spans arrive together and Spoor can tell an
 * exception passed on to a parent from a new one.
 */
const RUNS_PER_EXPORT = 16;

export interface DemoOptions {
  /** Base URL of an OTLP/HTTP receiver; `/v1/traces` and `/v1/logs` are appended. */
  endpoint: string;
  /** When the main run starts, epoch ms. Default: 20 seconds ago. */
  startMs?: number;
  /**
   * How many runs to send, 1 to 1000: the main run, and `runs - 1` earlier ones spread over the
   * hour before it. Default 1, the main run alone, as before there was a choice; `spoor demo`
   * sends `DEFAULT_DEMO_RUNS`.
   */
  runs?: number;
  /** Days before that hour with runs of their own, each under the release that ran then (0 to 3). Default 0. */
  earlierDays?: number;
  /** Runs on each of those days. Default 12. */
  runsPerDay?: number;
}

/**
 * Sends a realistic multi-agent app's telemetry through the real OpenTelemetry JS SDK and its
 * OTLP/protobuf exporters, and returns the trace id of the main run: a workflow with a planner and
 * three steps, nested LLM calls with `gen_ai.*` attributes, a tool call handled by a second
 * service, one failing step with a recorded exception, and log records correlated to their spans.
 * With `runs` above 1, the history before it comes first (see `demo-history.ts`), so the main
 * run is the newest trace.
 */
export async function runDemo(options: DemoOptions): Promise<string> {
  const runs = options.runs ?? 1;
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_DEMO_RUNS) {
    throw new Error(`the number of demo runs must be an integer from 1 to ${MAX_DEMO_RUNS}, not ${runs}`);
  }
  const base = options.endpoint.replace(/\/+$/, '');
  // The SDK's exporters only log failed exports; check first so the user gets a clear error.
  await fetch(`${base}/health`).catch((error: unknown) => {
    throw new Error(`no Spoor server answers at ${base} (${(error as Error).message}); start one with 'npm start' or 'npx spoor serve'`);
  });
  const startMs = options.startMs ?? Date.now() - 20_000;
  const telemetry = new DemoTelemetry(base);
  try {
    return await sendRuns(telemetry, options, runs, startMs);
  } finally {
    await telemetry.shutdown();
  }
}

async function sendRuns(telemetry: DemoTelemetry, options: DemoOptions, runs: number, startMs: number): Promise<string> {
  const history = [...planEarlierDays(options.earlierDays ?? 0, options.runsPerDay ?? 12, startMs), ...planHistory(runs - 1, startMs)];
  for (let i = 0; i < history.length; i += RUNS_PER_EXPORT) {
    for (const run of history.slice(i, i + RUNS_PER_EXPORT)) recordRun(telemetry, run);
    await telemetry.flush();
  }
  const traceId = recordMainRun(telemetry, startMs);
  await telemetry.flush();
  return traceId;
}

/** What `runEverything` made, for the CLI to print. */
export interface DemoEverything {
  traceId: string;
  bigTraceId: string;
  seeded: SeedResult;
  liveRuns: number;
}

/**
 * `spoor demo`: the runs of `runDemo` over three earlier days as well, the app's metrics, the big
 * trace, and what `seedDemo` makes through the API; with `liveMinutes`, then the agent at work
 * for that long (`demo-live.ts`). `say` reports each part as it is done.
 */
export async function runEverything(
  options: DemoOptions & { liveMinutes?: number; say: (line: string) => void; signal?: AbortSignal },
): Promise<DemoEverything> {
  const base = options.endpoint.replace(/\/+$/, '');
  await fetch(`${base}/health`).catch((error: unknown) => {
    throw new Error(`no Spoor server answers at ${base} (${(error as Error).message}); start one with 'npm start' or 'npx spoor serve'`);
  });
  const startMs = options.startMs ?? Date.now() - 20_000;
  const runs = options.runs ?? DEFAULT_DEMO_RUNS;
  const earlierDays = options.earlierDays ?? 3;
  const telemetry = new DemoTelemetry(base);
  try {
    // Before the runs: a trace list sorted by start shows the main run first, the big trace among the hour's.
    const bigTraceId = await recordBigTrace(telemetry, startMs - 25 * 60_000);
    const traceId = await sendRuns(telemetry, { ...options, earlierDays }, runs, startMs);
    options.say(
      `${runs + earlierDays * (options.runsPerDay ?? 12)} runs of the research agent over ${earlierDays + 1} days (releases 1.2.0 to 1.4.0), and a trace of ${BIG_TRACE_SPANS} spans`,
    );
    await sendAppMetrics(base, Date.now());
    options.say("an hour of the agent's own metrics (agent.runs, agent.queue.depth, agent.run.duration)");
    const seeded = await seedDemo(base, startMs - (earlierDays + 1) * 86_400_000, traceId, options.say);
    let liveRuns = 0;
    if (options.liveMinutes !== undefined) {
      options.say(`the agent at work for ${options.liveMinutes} minute${options.liveMinutes === 1 ? '' : 's'}: watch ${base}/traces (Ctrl-C stops it)`);
      liveRuns = await runLiveAgent(telemetry, Date.now() + options.liveMinutes * 60_000, options.say, options.signal);
    }
    return { traceId, bigTraceId, seeded, liveRuns };
  } finally {
    await telemetry.shutdown();
  }
}

/** The main run, the one `spoor demo` prints the link of: the same every time, starting at `t0`. */
function recordMainRun(telemetry: DemoTelemetry, t0: number): string {
  const { agent, retrieval } = telemetry;
  // Times are offsets from t0 here, as the run is the same every time.
  const span = (service: DemoService, name: string, parent: Span | null, offsetMs: number, attributes: Attributes, kind?: SpanKind) =>
    telemetry.span(service, name, parent, t0 + offsetMs, attributes, kind);
  const log = (parent: Span, offsetMs: number, severity: SeverityNumber, message: string, attributes: Attributes = {}) =>
    telemetry.log(agent, parent, t0 + offsetMs, severity, message, attributes);
  const llmCall = (parent: Span, offsetMs: number, durationMs: number, call: LlmCall) =>
    telemetry
      .llmSpan(agent, parent, t0 + offsetMs, { ...call, responseId: `resp_${call.model.replace(/\W/g, '')}_${offsetMs}` })
      .end(t0 + offsetMs + durationMs);

  const workflow = span(
    agent,
    'workflow research-report',
    null,
    0,
    {
      'spoor.kind': 'workflow',
      'workflow.name': 'research-report',
      'workflow.run_id': `run-${t0}`,
      'session.id': 'demo-session-1',
      'user.id': 'user-ada',
      'gen_ai.agent.name': 'orchestrator',
    },
    SpanKind.SERVER,
  );
  log(workflow, 1, SeverityNumber.INFO, 'workflow started', { 'workflow.name': 'research-report' });

  const planner = span(agent, 'agent planner', workflow, 5, { 'spoor.kind': 'agent', 'gen_ai.agent.name': 'planner', 'step.number': 0 });
  llmCall(planner, 10, 1_180, {
    provider: 'openai',
    model: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    inputTokens: 812,
    outputTokens: 164,
    messages: {
      system: 'You plan research reports. Answer with the steps to take, one per line.',
      input: [{ role: 'user', parts: [{ type: 'text', content: 'Write a short report on heat pumps in cold climates, citing every source.' }] }],
      output: [
        {
          role: 'assistant',
          parts: [
            {
              type: 'text',
              content:
                '1. search: field studies of heat pumps below -15 °C\n2. analyze: efficiency (COP) against outdoor temperature\n3. write: a 300-word report citing every source',
            },
          ],
          finish_reason: 'stop',
        },
      ],
    },
  });
  log(planner, 1_195, SeverityNumber.INFO, 'plan ready: search, analyze, write', { 'plan.steps': 3 });
  planner.end(t0 + 1_200);

  const search = span(agent, 'step search', workflow, 1_210, {
    'spoor.kind': 'step',
    'step.id': 'search',
    'step.number': 1,
    'gen_ai.agent.name': 'researcher',
  });
  const tool = span(
    agent,
    'execute_tool web_search',
    search,
    1_220,
    {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'web_search',
      'gen_ai.tool.call.id': 'call_7f3a',
    },
    SpanKind.CLIENT,
  );
  const server = span(
    retrieval,
    'POST /search',
    tool,
    1_240,
    {
      'http.request.method': 'POST',
      'http.route': '/search',
      'http.response.status_code': 200,
    },
    SpanKind.SERVER,
  );
  const vector = span(retrieval, 'vector.query', server, 1_260, { 'db.system.name': 'qdrant', 'retrieval.top_k': 8 });
  vector.end(t0 + 1_690);
  server.end(t0 + 1_720);
  tool.end(t0 + 1_730);
  log(search, 1_735, SeverityNumber.INFO, 'retrieved 8 documents', { 'retrieval.documents': 8 });
  llmCall(search, 1_740, 2_150, {
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    responseModel: 'claude-sonnet-4-6',
    inputTokens: 5_230,
    outputTokens: 402,
    messages: {
      system: 'You are a researcher. Use web_search, then summarise what the sources say.',
      input: [
        { role: 'user', parts: [{ type: 'text', content: 'Find field studies of heat pumps below -15 °C.' }] },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_7f3a', name: 'web_search', arguments: { query: 'cold climate heat pump field study COP', top_k: 8 } }],
        },
        {
          role: 'tool',
          parts: [
            {
              type: 'tool_call_response',
              id: 'call_7f3a',
              response: { documents: 8, titles: ['Cold-climate heat pump field trial, 2023', 'Heat pump performance in Nordic homes'] },
            },
          ],
        },
      ],
      output: [
        {
          role: 'assistant',
          parts: [
            {
              type: 'text',
              content: 'Eight sources; two field studies measured a COP of 1.8 to 2.4 at -20 °C, and all units kept the homes at set temperature.',
            },
          ],
          finish_reason: 'end_turn',
        },
      ],
    },
  });
  search.end(t0 + 3_900);

  const analyze = span(agent, 'step analyze', workflow, 3_910, {
    'spoor.kind': 'step',
    'step.id': 'analyze',
    'step.number': 2,
    'gen_ai.agent.name': 'analyst',
  });
  llmCall(analyze, 3_920, 3_050, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    inputTokens: 3_120,
    outputTokens: 655,
    messages: {
      system: 'You are an analyst. Compare the sources and name where they disagree.',
      input: [{ role: 'user', parts: [{ type: 'text', content: 'Compare what the eight sources say about heat pump efficiency (COP) below -15 °C.' }] }],
      output: [
        {
          role: 'assistant',
          parts: [
            {
              type: 'text',
              content:
                'COP falls from about 3.5 at 0 °C to 1.8-2.4 at -20 °C in both field studies [1][2]. The sources disagree on backup heating: ' +
                'one trial ran the resistive backup 4% of the hours, the other 11% [3]. Two sources are manufacturer data sheets and report higher figures [7][8].',
            },
          ],
          finish_reason: 'stop',
        },
      ],
    },
  });
  analyze.end(t0 + 6_980);

  const write = span(agent, 'step write', workflow, 6_990, { 'spoor.kind': 'step', 'step.id': 'write', 'step.number': 3, 'gen_ai.agent.name': 'writer' });
  // The report the citation check then refuses: [9] names no source the search returned.
  llmCall(write, 7_000, 4_020, {
    provider: 'openai',
    model: 'gpt-4o',
    responseModel: 'gpt-4o-2024-08-06',
    inputTokens: 4_410,
    outputTokens: 1_024,
    messages: {
      system: 'You write short reports. Cite every source as [n]; cite only the sources in the notes.',
      input: [
        { role: 'user', parts: [{ type: 'text', content: 'Write a 300-word report on heat pumps in cold climates from these notes, citing every source.' }] },
      ],
      output: [
        {
          role: 'assistant',
          parts: [
            {
              type: 'text',
              content:
                '# Heat pumps in cold climates\n\nModern air-source heat pumps keep homes at set temperature down to -20 °C [1][2]. ' +
                'Their efficiency falls as it gets colder, from a COP of about 3.5 at 0 °C to 1.8-2.4 at -20 °C [1], still about twice as efficient as resistive heating. ' +
                'Backup heaters ran 4-11% of the hours in the trials [3]. Installers report a 30% lower cost when the work replaces a failing boiler [9].',
            },
          ],
          finish_reason: 'stop',
        },
      ],
    },
  });
  const error = new Error('citation check failed: 2 of 9 sources could not be verified');
  error.name = 'CitationError';
  recordFailure(write, error, t0 + 11_030);
  log(write, 11_031, SeverityNumber.ERROR, 'step write failed', {
    'exception.type': error.name,
    'exception.message': error.message,
  });
  write.end(t0 + 11_040);

  workflow.setStatus({ code: SpanStatusCode.ERROR, message: 'step write failed' });
  log(workflow, 11_045, SeverityNumber.WARN, 'workflow finished with errors', { 'workflow.failed_steps': 1 });
  workflow.end(t0 + 11_050);
  return workflow.spanContext().traceId;
}

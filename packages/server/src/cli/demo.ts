import { type Attributes, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { planHistory } from './demo-history.js';
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
    const history = planHistory(runs - 1, startMs);
    for (let i = 0; i < history.length; i += RUNS_PER_EXPORT) {
      for (const run of history.slice(i, i + RUNS_PER_EXPORT)) recordRun(telemetry, run);
      await telemetry.flush();
    }
    const traceId = recordMainRun(telemetry, startMs);
    await telemetry.flush();
    return traceId;
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

  const workflow = span(agent, 'workflow research-report', null, 0, {
    'spoor.kind': 'workflow',
    'workflow.name': 'research-report',
    'workflow.run_id': `run-${t0}`,
    'session.id': 'demo-session-1',
    'user.id': 'user-ada',
    'gen_ai.agent.name': 'orchestrator',
  }, SpanKind.SERVER);
  log(workflow, 1, SeverityNumber.INFO, 'workflow started', { 'workflow.name': 'research-report' });

  const planner = span(agent, 'agent planner', workflow, 5, { 'spoor.kind': 'agent', 'gen_ai.agent.name': 'planner', 'step.number': 0 });
  llmCall(planner, 10, 1_180, {
    provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 812, outputTokens: 164,
    messages: {
      system: 'You plan research reports. Answer with the steps to take, one per line.',
      input: [{ role: 'user', parts: [{ type: 'text', content: 'Write a short report on heat pumps in cold climates, citing every source.' }] }],
      output: [{
        role: 'assistant',
        parts: [{ type: 'text', content: '1. search: field studies of heat pumps below -15 °C\n2. analyze: efficiency (COP) against outdoor temperature\n3. write: a 300-word report citing every source' }],
        finish_reason: 'stop',
      }],
    },
  });
  log(planner, 1_195, SeverityNumber.INFO, 'plan ready: search, analyze, write', { 'plan.steps': 3 });
  planner.end(t0 + 1_200);

  const search = span(agent, 'step search', workflow, 1_210, { 'spoor.kind': 'step', 'step.id': 'search', 'step.number': 1, 'gen_ai.agent.name': 'researcher' });
  const tool = span(agent, 'execute_tool web_search', search, 1_220, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'web_search',
    'gen_ai.tool.call.id': 'call_7f3a',
  }, SpanKind.CLIENT);
  const server = span(retrieval, 'POST /search', tool, 1_240, {
    'http.request.method': 'POST', 'http.route': '/search', 'http.response.status_code': 200,
  }, SpanKind.SERVER);
  const vector = span(retrieval, 'vector.query', server, 1_260, { 'db.system.name': 'qdrant', 'retrieval.top_k': 8 });
  vector.end(t0 + 1_690);
  server.end(t0 + 1_720);
  tool.end(t0 + 1_730);
  log(search, 1_735, SeverityNumber.INFO, 'retrieved 8 documents', { 'retrieval.documents': 8 });
  llmCall(search, 1_740, 2_150, {
    provider: 'anthropic', model: 'claude-sonnet-4-6', responseModel: 'claude-sonnet-4-6', inputTokens: 5_230, outputTokens: 402,
    messages: {
      system: 'You are a researcher. Use web_search, then summarise what the sources say.',
      input: [
        { role: 'user', parts: [{ type: 'text', content: 'Find field studies of heat pumps below -15 °C.' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_7f3a', name: 'web_search', arguments: { query: 'cold climate heat pump field study COP', top_k: 8 } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_7f3a', response: { documents: 8, titles: ['Cold-climate heat pump field trial, 2023', 'Heat pump performance in Nordic homes'] } }] },
      ],
      output: [{
        role: 'assistant',
        parts: [{ type: 'text', content: 'Eight sources; two field studies measured a COP of 1.8 to 2.4 at -20 °C, and all units kept the homes at set temperature.' }],
        finish_reason: 'end_turn',
      }],
    },
  });
  search.end(t0 + 3_900);

  const analyze = span(agent, 'step analyze', workflow, 3_910, { 'spoor.kind': 'step', 'step.id': 'analyze', 'step.number': 2, 'gen_ai.agent.name': 'analyst' });
  llmCall(analyze, 3_920, 3_050, {
    provider: 'openai', model: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 3_120, outputTokens: 655,
  });
  analyze.end(t0 + 6_980);

  const write = span(agent, 'step write', workflow, 6_990, { 'spoor.kind': 'step', 'step.id': 'write', 'step.number': 3, 'gen_ai.agent.name': 'writer' });
  llmCall(write, 7_000, 4_020, {
    provider: 'openai', model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', inputTokens: 4_410, outputTokens: 1_024,
  });
  const error = new Error('citation check failed: 2 of 9 sources could not be verified');
  error.name = 'CitationError';
  recordFailure(write, error, t0 + 11_030);
  log(write, 11_031, SeverityNumber.ERROR, 'step write failed', {
    'exception.type': error.name, 'exception.message': error.message,
  });
  write.end(t0 + 11_040);

  workflow.setStatus({ code: SpanStatusCode.ERROR, message: 'step write failed' });
  log(workflow, 11_045, SeverityNumber.WARN, 'workflow finished with errors', { 'workflow.failed_steps': 1 });
  workflow.end(t0 + 11_050);
  return workflow.spanContext().traceId;
}

import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { conversationOf, subjectOf } from './demo-content.js';
import { Random } from './demo-history.js';
import type { DemoTelemetry } from './demo-telemetry.js';

/*
 * `spoor demo --live`: the research agent at work for a few minutes, in real time. Each run's
 * spans are sent as they end, so the live trace list and a run's live view fill in while it runs;
 * one run in six is rate limited for good and fails.
 */

/** How long `--live` runs when no number of minutes is given. */
export const DEFAULT_LIVE_MINUTES = 3;

const STEPS = [
  { name: 'agent planner', purpose: 'plan', agent: 'planner', model: 'gpt-4o' },
  { name: 'step search', purpose: 'research', agent: 'researcher', model: 'claude-sonnet-4-6' },
  { name: 'step analyze', purpose: 'analyze', agent: 'analyst', model: 'gpt-4o-mini' },
  { name: 'step write', purpose: 'write', agent: 'writer', model: 'gpt-4o' },
] as const;

/** Runs the agent until `untilMs` (or `signal` aborts), a run after another; `say` reports each run as it starts. Returns the runs made. */
export async function runLiveAgent(telemetry: DemoTelemetry, untilMs: number, say: (line: string) => void, signal?: AbortSignal): Promise<number> {
  const random = new Random(Date.now() & 0xffff);
  let runs = 0;
  while (Date.now() < untilMs && signal?.aborted !== true) {
    runs++;
    const traceId = await liveRun(telemetry, random, runs, signal);
    say(`live run ${runs}: ${traceId}`);
    await sleep(random.int(1_000, 3_000), signal);
  }
  return runs;
}

async function liveRun(telemetry: DemoTelemetry, random: Random, n: number, signal?: AbortSignal): Promise<string> {
  const { agent } = telemetry;
  const subject = subjectOf('research-report', random);
  const failing = n % 6 === 0;
  const root = telemetry.span(
    agent,
    'workflow research-report',
    null,
    Date.now(),
    {
      'spoor.kind': 'workflow',
      'workflow.name': 'research-report',
      'workflow.run_id': `live-${Date.now()}`,
      'session.id': 'demo-session-live',
      'user.id': 'user-ada',
      'gen_ai.agent.name': 'orchestrator',
    },
    SpanKind.SERVER,
  );
  telemetry.log(agent, root, Date.now(), SeverityNumber.INFO, 'workflow started', { 'workflow.name': 'research-report' });
  await telemetry.flush();
  for (const [i, s] of STEPS.entries()) {
    const step = telemetry.span(agent, s.name, root, Date.now(), { 'spoor.kind': i === 0 ? 'agent' : 'step', 'step.number': i, 'gen_ai.agent.name': s.agent });
    await sleep(random.int(150, 400), signal);
    const provider = s.model.startsWith('claude') ? 'anthropic' : 'openai';
    const refused = failing && i === STEPS.length - 1;
    const call = telemetry.llmSpan(agent, step, Date.now(), {
      provider,
      model: s.model,
      ...(refused ? {} : { responseModel: s.model, inputTokens: random.int(600, 5_000), outputTokens: random.int(120, 900) }),
      messages: conversationOf(s.purpose, subject, random, !refused),
    });
    await sleep(random.int(1_500, 5_000), signal);
    if (refused) {
      const error = new Error(`429 Rate limit reached for ${s.model} in organization org-demo on tokens per min (TPM)`);
      error.name = 'RateLimitError';
      call.recordException(error);
      call.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      call.setAttribute('error.type', error.name);
      call.end();
      failStep(step, error);
      step.end();
      telemetry.log(agent, step, Date.now(), SeverityNumber.ERROR, `giving up on ${s.model} after a rate-limited call`, { 'error.type': error.name });
      failStep(root, error);
      root.end();
      await telemetry.flush();
      return root.spanContext().traceId;
    }
    call.end();
    step.end();
    await telemetry.flush();
  }
  telemetry.log(agent, root, Date.now(), SeverityNumber.INFO, 'workflow finished', {});
  root.end();
  await telemetry.flush();
  return root.spanContext().traceId;
}

function failStep(span: Span, error: Error): void {
  span.setAttribute('error.type', error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

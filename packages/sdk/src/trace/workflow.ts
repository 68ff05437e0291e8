import { randomUUID } from 'node:crypto';
import { context, type Attributes, type Span } from '@opentelemetry/api';
import { WORKFLOW_KEY, type WorkflowFrame } from '../context/keys.js';
import { counter, SECONDS_BUCKETS, histogram } from '../metrics/instruments.js';
import { runtime } from '../runtime.js';
import { runInSpan } from './run-in-span.js';
import { optionsAndFn, parentFor, spanOptionsFrom, type SpanHelperOptions } from './span-options.js';
import { NOOP_SPAN } from './with-span.js';

/** Options of {@link workflow}. */
export interface WorkflowOptions extends SpanHelperOptions {
  /** Id of this run. Default: a new UUID. */
  runId?: string;
  /** How the workflow runs, e.g. `sequential`, `parallel`, `react`. */
  mode?: string;
  /** The agent running it. */
  agent?: string;
  /** The main model it uses. */
  model?: string;
  /** Conversation or user session the run belongs to (`session.id`), for the sessions view. */
  sessionId?: string;
}

/** Options of {@link step}. */
export interface StepOptions extends SpanHelperOptions {
  stepId?: string;
  agent?: string;
  /** Position of the step in its workflow, from 1. */
  number?: number;
}

/**
 * Runs an agent workflow as a span and records `workflow.duration`, `workflow.count` (by
 * status), and `workflow.tokens` and `workflow.cost` summed from the LLM calls inside.
 * @example
 * await workflow('answer-question', { agent: 'researcher', sessionId: chat.id }, async () => {
 *   const plan = await step('plan', { number: 1 }, () => planner.plan(question));
 *   return step('write', { number: 2 }, () => writer.write(plan));
 * });
 */
export function workflow<R>(name: string, fn: (span: Span) => R): R;
export function workflow<R>(name: string, options: WorkflowOptions, fn: (span: Span) => R): R;
export function workflow<R>(name: string, optionsOrFn: WorkflowOptions | ((span: Span) => R), maybeFn?: (span: Span) => R): R {
  const [options, fn] = optionsAndFn<WorkflowOptions, (span: Span) => R>(optionsOrFn, maybeFn);
  if (runtime.off) return fn(NOOP_SPAN);
  const active = context.active();
  const runId = options?.runId ?? randomUUID();
  const attributes: Attributes = { 'spoor.kind': 'workflow', 'workflow.name': name, 'workflow.run_id': runId };
  if (options?.mode !== undefined) attributes['workflow.mode'] = options.mode;
  if (options?.agent !== undefined) attributes['workflow.agent'] = options.agent;
  if (options?.model !== undefined) attributes['workflow.model'] = options.model;
  if (options?.sessionId !== undefined) attributes['session.id'] = options.sessionId;
  const parent = parentFor(options, active);
  const span = runtime.tracer.startSpan(name, spanOptionsFrom(options, attributes), parent);
  const around = active.getValue(WORKFLOW_KEY) as WorkflowFrame | undefined;
  const frame: WorkflowFrame = {
    name,
    runId,
    // A workflow started as a new root is its own run; it does not add to the one around it.
    parent: options?.root === true ? undefined : around,
    sessionId: options?.sessionId ?? around?.sessionId,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    llmCalls: 0,
  };
  const began = performance.now();
  return runInSpan(
    span,
    parent.setValue(WORKFLOW_KEY, frame),
    () => fn(span),
    (ended, failed) => {
      const status = failed ? 'error' : 'ok';
      const labels = { 'workflow.name': name, status };
      WORKFLOW_METRICS.duration.record((performance.now() - began) / 1000, labels);
      WORKFLOW_METRICS.count.add(1, labels);
      if (frame.llmCalls > 0) {
        ended.setAttributes({
          'workflow.llm_calls': frame.llmCalls,
          'workflow.input_tokens': frame.inputTokens,
          'workflow.output_tokens': frame.outputTokens,
        });
        WORKFLOW_METRICS.tokens.add(frame.inputTokens, { 'workflow.name': name, 'token.type': 'input' });
        WORKFLOW_METRICS.tokens.add(frame.outputTokens, { 'workflow.name': name, 'token.type': 'output' });
      }
      if (frame.costUsd > 0) {
        ended.setAttribute('workflow.cost_usd', frame.costUsd);
        WORKFLOW_METRICS.cost.add(frame.costUsd, { 'workflow.name': name });
      }
    },
  );
}

/**
 * Runs one step of a workflow as a span and records `step.duration`.
 * @example const plan = await step('plan', { agent: 'planner', number: 1 }, () => planner.plan(goal));
 */
export function step<R>(name: string, fn: (span: Span) => R): R;
export function step<R>(name: string, options: StepOptions, fn: (span: Span) => R): R;
export function step<R>(name: string, optionsOrFn: StepOptions | ((span: Span) => R), maybeFn?: (span: Span) => R): R {
  const [options, fn] = optionsAndFn<StepOptions, (span: Span) => R>(optionsOrFn, maybeFn);
  if (runtime.off) return fn(NOOP_SPAN);
  const active = context.active();
  const attributes: Attributes = { 'spoor.kind': 'step', 'step.name': name };
  if (options?.stepId !== undefined) attributes['step.id'] = options.stepId;
  if (options?.agent !== undefined) attributes['step.agent'] = options.agent;
  if (options?.number !== undefined) attributes['step.number'] = options.number;
  const frame = active.getValue(WORKFLOW_KEY) as WorkflowFrame | undefined;
  if (frame !== undefined) attributes['workflow.name'] = frame.name;
  const parent = parentFor(options, active);
  const span = runtime.tracer.startSpan(name, spanOptionsFrom(options, attributes), parent);
  const began = performance.now();
  return runInSpan(
    span,
    parent,
    () => fn(span),
    (_ended, failed) => {
      const labels: Attributes = { 'step.name': name, status: failed ? 'error' : 'ok' };
      if (frame !== undefined) labels['workflow.name'] = frame.name;
      WORKFLOW_METRICS.stepDuration.record((performance.now() - began) / 1000, labels);
    },
  );
}

/**
 * Runs one stage of a request pipeline as a span named by its id, so per-stage statistics group
 * by it. Stages nest.
 * @example await stage('retrieval', 'Retrieve documents', () => retrieve(query));
 */
export function stage<R>(id: string, name: string, fn: (span: Span) => R): R {
  if (runtime.off) return fn(NOOP_SPAN);
  const parent = context.active();
  const span = runtime.tracer.startSpan(id, spanOptionsFrom(undefined, { 'spoor.kind': 'stage', 'stage.id': id, 'stage.name': name }), parent);
  return runInSpan(span, parent, () => fn(span));
}

const WORKFLOW_METRICS = {
  duration: histogram('workflow.duration', { unit: 's', buckets: SECONDS_BUCKETS, description: 'Duration of workflow runs.' }),
  count: counter('workflow.count', { description: 'Workflow runs, by status.' }),
  tokens: counter('workflow.tokens', { unit: '{token}', description: 'LLM tokens used by workflow runs, by token type.' }),
  cost: counter('workflow.cost', { unit: 'USD', description: 'Cost of the LLM calls made by workflow runs.' }),
  stepDuration: histogram('step.duration', { unit: 's', buckets: SECONDS_BUCKETS, description: 'Duration of workflow steps.' }),
};

import type { Attributes, Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WORKFLOW_KEY, type WorkflowFrame } from '../context/keys.js';

/** Token counts and cost one LLM span reports, in any of the attribute names SDKs use. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  /** 0 when the span carries no cost; the server prices tokens itself. */
  costUsd: number;
}

/** The usage on a span's attributes, or undefined when it is not an LLM call. */
export function usageOf(attributes: Attributes): LlmUsage | undefined {
  const input = attributes['gen_ai.usage.input_tokens'] ?? attributes['gen_ai.usage.prompt_tokens'];
  const output = attributes['gen_ai.usage.output_tokens'] ?? attributes['gen_ai.usage.completion_tokens'];
  if (input === undefined && output === undefined) return undefined;
  const cost = attributes['gen_ai.usage.cost'] ?? attributes['llm.cost_usd'];
  return { inputTokens: numberOr0(input), outputTokens: numberOr0(output), costUsd: numberOr0(cost) };
}

/** Adds one call's usage to the workflow and every workflow around it. */
export function addUsage(frame: WorkflowFrame | undefined, usage: LlmUsage): void {
  for (let at = frame; at !== undefined; at = at.parent) {
    at.inputTokens += usage.inputTokens;
    at.outputTokens += usage.outputTokens;
    at.costUsd += usage.costUsd;
    at.llmCalls += 1;
  }
}

/**
 * Sums the LLM calls inside a workflow into its totals, whichever instrumentation made the span.
 * The workflow is the one the span started in (a batching client may end it anywhere), noted
 * only for spans started inside a workflow.
 */
export class UsageSpanProcessor implements SpanProcessor {
  private readonly frames = new WeakMap<object, WorkflowFrame>();

  onStart(span: Span, parent: Context): void {
    const frame = parent.getValue(WORKFLOW_KEY) as WorkflowFrame | undefined;
    if (frame !== undefined) this.frames.set(span, frame);
  }

  onEnd(span: ReadableSpan): void {
    const frame = this.frames.get(span);
    if (frame === undefined) return;
    const usage = usageOf(span.attributes);
    if (usage !== undefined) addUsage(frame, usage);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

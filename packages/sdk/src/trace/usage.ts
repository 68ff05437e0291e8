import type { Attributes, AttributeValue, Context } from '@opentelemetry/api';
import { costByBook, DEFAULT_PRICES, PriceBook } from '@spoor/model';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace-base';
import { WORKFLOW_KEY, type WorkflowFrame } from '../context/keys.js';

/** Token counts and cost one LLM span reports, in any of the attribute names SDKs use. */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  /**
   * The cost the span reports, else its tokens priced by Spoor's table (the server's, shipped in
   * `@spoor/model`); 0 for a model the table does not know. The server prices every span again
   * on arrival, with the prices in force there.
   */
  costUsd: number;
}

let prices: PriceBook | undefined;

/** The usage on a span's attributes, or undefined when it is not an LLM call. */
export function usageOf(attributes: Attributes): LlmUsage | undefined {
  const input = attributes['gen_ai.usage.input_tokens'] ?? attributes['gen_ai.usage.prompt_tokens'];
  const output = attributes['gen_ai.usage.output_tokens'] ?? attributes['gen_ai.usage.completion_tokens'];
  if (input === undefined && output === undefined) return undefined;
  const reported = attributes['gen_ai.usage.cost'] ?? attributes['llm.cost_usd'];
  const usage = { inputTokens: numberOr0(input), outputTokens: numberOr0(output), costUsd: numberOr0(reported) };
  if (reported === undefined) usage.costUsd = tableCost(attributes, usage.inputTokens, usage.outputTokens);
  return usage;
}

/** The span's tokens priced by the shipped table (input including the cache, as GenAI counts it). */
function tableCost(attributes: Attributes, inputTokens: number, outputTokens: number): number {
  const requestModel = attributes['gen_ai.request.model'];
  const responseModel = attributes['gen_ai.response.model'];
  if (typeof requestModel !== 'string' && typeof responseModel !== 'string') return 0;
  prices ??= new PriceBook([{ table: DEFAULT_PRICES, origin: 'default' }]);
  const cost = costByBook(
    {
      inputTokens,
      outputTokens,
      cacheReadInputTokens: countOrNull(attributes['gen_ai.usage.cache_read.input_tokens']),
      cacheCreationInputTokens: countOrNull(attributes['gen_ai.usage.cache_creation.input_tokens'] ?? attributes['gen_ai.usage.cache_write.input_tokens']),
      reasoningTokens: countOrNull(attributes['gen_ai.usage.reasoning.output_tokens']),
      requestModel: typeof requestModel === 'string' ? requestModel : null,
      responseModel: typeof responseModel === 'string' ? responseModel : null,
    },
    prices,
  );
  return cost ?? 0;
}

function countOrNull(value: AttributeValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
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
 * only for spans started inside a workflow. Fed by the SDK's span processor.
 */
export class WorkflowUsage {
  private readonly frames = new WeakMap<object, WorkflowFrame>();

  /** Notes the workflow a span starts in, if any. */
  started(span: Span, parent: Context): void {
    const frame = parent.getValue(WORKFLOW_KEY) as WorkflowFrame | undefined;
    if (frame !== undefined) this.frames.set(span, frame);
  }

  /** Adds an ended LLM span's usage to the workflow it started in. */
  ended(span: ReadableSpan): void {
    const frame = this.frames.get(span);
    if (frame === undefined) return;
    const usage = usageOf(span.attributes);
    if (usage !== undefined) addUsage(frame, usage);
  }
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

import type Anthropic from '@anthropic-ai/sdk';
import type { Link } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type Attributes, type PriceBook, costByBook } from '@spoor/model';
import type OpenAI from 'openai';
import { DeadlineError, withDeadline } from '../deadline.js';
import { AppError } from '../errors.js';
import type { WaitingShares } from '../shares.js';
import { llmFieldsFrom } from '../normalize/llm.js';
import type { Provider, ProviderName } from '../replay/providers.js';
import { type Ingest, type RecordedTrace, anthropicClientFor, openAiClientFor, otlpBodyOf, recordTrace } from '../replay/replayer.js';
import { type JudgeOutput, JudgeError, answerFromAnthropic, answerFromOpenAi, judgeRequest, outputProblem } from './judge-answer.js';
import { BUILTIN_JUDGES, BUILTIN_JUDGE_SPECS, type BuiltinJudgeName, isBuiltinJudge } from './judge-builtins.js';
import { renderTemplate, templateProblem, templateValuesOf } from './judge-template.js';
import type { EvaluationTarget, EvaluatorKind, JudgeContext, Judgement } from './kind.js';
import { EVALUATION_OF } from './targets.js';

/**
 * The `llm-judge` evaluator kind: a prompt filled from the target, sent to a `--provider` model
 * with structured output, and the answer (a number in a declared range, or one of declared labels,
 * with an explanation that becomes the score's comment) checked before it becomes a score. The
 * judge's own call is a trace of its own, recorded as a replay is (`recordTrace`): a root span
 * `judge <name>` with `spoor.evaluation.of` (the evaluated trace id) and a link to the evaluated
 * span, and the call's GenAI span with tokens and cost, handed to this server's ingest.
 */

export const LLM_JUDGE_KIND = 'llm-judge';

/** What an `llm-judge` may spend a UTC day when its spec names no `dailyBudgetUsd` (docs/quality.md: Evaluators). */
export const DEFAULT_JUDGE_BUDGET_USD = 10;

/** An `llm-judge` evaluator's own fields; with `builtin`, the built-in supplies `prompt` and `output`. */
export interface LlmJudgeSpec {
  /** The evaluator's name, naming the judge's trace (`judge <name>`). */
  name?: string;
  provider: ProviderName;
  model: string;
  builtin?: BuiltinJudgeName;
  prompt?: string;
  output?: JudgeOutput;
  /** Default 0: the same target should get the same judgement. */
  temperature?: number;
}

/** The fields `problem` checks; the runner owns every other field of an evaluator spec. */
export const LLM_JUDGE_FIELDS = ['provider', 'model', 'builtin', 'prompt', 'output', 'temperature'] as const;

/** What the kind needs from the server, for its lifetime. */
export interface LlmJudgeConfig {
  /** The configured providers (`--provider`, `parseProviders`). */
  providers: readonly Provider[];
  /** Where the judge's trace goes: this server's own ingest, as the replayer's. */
  ingest: Ingest;
  /** The project's price book (`PriceService.bookFor`), which prices the judge's call as ingest prices its span. */
  priceBookFor: (projectId: string) => PriceBook | Promise<PriceBook>;
  /** The provider calls the server's projects share (`--provider-calls-max`); without it, unbounded. */
  providerCalls?: WaitingShares;
}

/** Creates the kind over the server's providers, ingest and prices. */
export function createLlmJudgeKind(config: LlmJudgeConfig): EvaluatorKind<LlmJudgeSpec> {
  const providers = new Map(config.providers.map((p) => [p.name, p]));
  return {
    kind: LLM_JUDGE_KIND,
    fields: LLM_JUDGE_FIELDS,
    defaultDailyBudgetUsd: DEFAULT_JUDGE_BUDGET_USD,
    problem: (spec) => llmJudgeProblem(spec, [...providers.keys()]),
    judge: async (spec, target, context) => {
      const provider = providers.get(spec.provider);
      if (provider === undefined)
        throw new JudgeError('provider', `this Spoor has no ${spec.provider} provider any more (it has ${[...providers.keys()].join(', ') || 'none'})`);
      return judgeWith(config, provider, spec, target, context);
    },
  };
}

/** Why a spec's judge fields are wrong, naming the field, or `null`. `providers`: the configured names. */
export function llmJudgeProblem(spec: Record<string, unknown>, providers: readonly string[]): string | null {
  const { provider, model, builtin, prompt, output, temperature } = spec;
  if (typeof provider !== 'string' || provider === '')
    return `provider: an llm-judge needs a provider (${providers.length === 0 ? 'none is configured' : `configured: ${providers.join(', ')}`})`;
  if (!providers.includes(provider)) {
    return providers.length === 0
      ? `provider: this Spoor has no provider to judge with: start it with --provider ${provider}=env:${provider.toUpperCase()}_API_KEY (and ,base=URL for a gateway)`
      : `provider: this Spoor has no ${provider} provider (it has ${providers.join(', ')}): add --provider ${provider}=env:VARIABLE, or name one of those`;
  }
  if (typeof model !== 'string' || model.trim() === '') return 'model: an llm-judge needs a model, e.g. "gpt-4o-mini"';
  if (temperature !== undefined && (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0 || temperature > 2)) {
    return 'temperature: must be a number from 0 to 2';
  }
  if (builtin !== undefined) {
    if (!isBuiltinJudge(builtin)) return `builtin: ${JSON.stringify(builtin)} is not a built-in judge (${BUILTIN_JUDGES.join(', ')})`;
    if (prompt !== undefined) return `prompt: the built-in judge ${builtin} brings its own prompt; leave out prompt, or builtin to write your own`;
    if (output !== undefined) return `output: the built-in judge ${builtin} brings its own output; leave out output, or builtin to write your own`;
    return null;
  }
  if (prompt === undefined) return `prompt: an llm-judge needs a prompt template, or a builtin (${BUILTIN_JUDGES.join(', ')})`;
  if (typeof prompt !== 'string') return 'prompt: must be a text template';
  return (
    templateProblem(prompt) ??
    (output === undefined
      ? 'output: an llm-judge needs an output, { "type": "number", "min": 0, "max": 1 } or { "type": "label", "labels": [...] }'
      : outputProblem(output))
  );
}

/** The prompt and output a spec judges with: its built-in's, else its own. */
function promptAndOutput(spec: LlmJudgeSpec): { prompt: string; output: JudgeOutput } {
  if (spec.builtin !== undefined) return BUILTIN_JUDGE_SPECS[spec.builtin];
  return { prompt: spec.prompt!, output: spec.output! };
}

async function judgeWith(config: LlmJudgeConfig, provider: Provider, spec: LlmJudgeSpec, target: EvaluationTarget, context: JudgeContext): Promise<Judgement> {
  const { prompt, output } = promptAndOutput(spec);
  // A variable the target lacks throws `MissingVariableError`: nothing to judge, no call made.
  const text = renderTemplate(prompt, templateValuesOf(target));
  if (context.signal.aborted) throw new JudgeError('cancelled', 'the judgement was cancelled before the judge was called');
  const request = judgeRequest(provider.name, spec.model, text, output, spec.temperature ?? 0);
  const name = spec.name ?? spec.builtin ?? LLM_JUDGE_KIND;
  const attributes: Record<string, string> = { [EVALUATION_OF]: target.traceId, 'spoor.evaluation.name': name, 'spoor.evaluation.provider': provider.name };
  if (target.spanId !== null) attributes['spoor.evaluation.span'] = target.spanId;
  // A link needs a span: a trace target is named by the attribute alone.
  const links: Link[] =
    target.spanId === null
      ? []
      : [{ context: { traceId: target.traceId, spanId: target.spanId, traceFlags: 1 }, attributes: { 'spoor.link.type': 'evaluation_of' } }];

  let recorded: RecordedTrace<unknown>;
  // A judge's call takes a slot as an experiment's does: one project's judging cannot crowd the provider.
  const release = await config.providerCalls?.wait(target.projectId);
  try {
    if (context.signal.aborted) throw new JudgeError('cancelled', 'the judgement was cancelled while it waited for a provider slot');
    recorded = await recordTrace(`judge ${name}`, { attributes, links }, () =>
      withDeadline(provider.timeoutMs, (deadline) => callJudge(provider, request, AbortSignal.any([deadline, context.signal]))),
    );
  } catch (error) {
    throw error instanceof JudgeError ? error : callError(provider, error, context.signal);
  } finally {
    release?.();
  }
  const costUsd = costOfCall(recorded.spans, await config.priceBookFor(target.projectId));
  try {
    await config.ingest(target.projectId, await otlpBodyOf(recorded.spans));
  } catch (error) {
    throw new JudgeError('record', `the judge answered, but its trace could not be stored: ${(error as Error).message}`, costUsd, { cause: error });
  }
  try {
    const answer = provider.name === 'anthropic' ? answerFromAnthropic(recorded.result, output) : answerFromOpenAi(recorded.result, output);
    return { ...answer, costUsd };
  } catch (error) {
    if (error instanceof JudgeError) throw new JudgeError(error.failure, `${error.message} (judge trace ${recorded.traceId})`, costUsd);
    throw error;
  }
}

/** The call itself, bounded by `signal` alone (the clients' own timeout ends at the headers); the answer as the provider sent it. */
async function callJudge(provider: Provider, request: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
  if (provider.name === 'anthropic') {
    const client = await anthropicClientFor(provider);
    return client.messages.create(request as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal });
  }
  const client = await openAiClientFor(provider);
  return client.chat.completions.create(request as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal });
}

/** The call's failure as a `JudgeError` saying which: cancelled, timed out, or refused by the provider (its status and message; the key never appears). */
function callError(provider: Provider, error: unknown, signal: AbortSignal): JudgeError {
  // What records the call could not be loaded (`recordTrace`): no call was made.
  if (error instanceof AppError && error.code === 'ERR_INTERNAL') return new JudgeError('record', error.message, 0, { cause: error });
  if (error instanceof DeadlineError)
    return new JudgeError('timeout', `${provider.name} did not answer the judge within ${provider.timeoutMs / 1000} s`, 0, { cause: error });
  if (signal.aborted) return new JudgeError('cancelled', 'the judgement was cancelled while the judge was called', 0, { cause: error });
  const status = (error as { status?: number }).status;
  const message = (error as Error).message ?? String(error);
  return new JudgeError('provider', `${provider.name} refused the judge's call (${status === undefined ? message : `${status}: ${message}`})`, 0, {
    cause: error,
  });
}

/**
 * What the judge's call cost by the project's prices, read from its GenAI span as ingest reads it
 * (so cached input is priced at the cache rate); 0 for a model the book has no price for.
 */
function costOfCall(spans: readonly ReadableSpan[], book: PriceBook): number {
  let total = 0;
  for (const span of spans) {
    const llm = llmFieldsFrom(span.attributes as Attributes, span.instrumentationScope.name);
    if (llm !== null) total += costByBook(llm, book) ?? 0;
  }
  return total;
}

/**
 * `@spoor/sdk`: one `init()`, then every workflow, step and function you mark is a span, every
 * log line carries the trace, span and correlation ids, and your numbers are metrics, all sent
 * over OTLP to a Spoor server or any OpenTelemetry endpoint.
 *
 * @example
 * import { init, workflow, step, logger } from '@spoor/sdk';
 * init({ serviceName: 'research-agent' });
 * await workflow('answer', { agent: 'researcher' }, async () => {
 *   logger.info('planning');
 *   await step('plan', () => plan(question));
 * });
 */

// Setup
export { init, shutdown, flush } from './init.js';
export { spoorProcessors } from './join.js';
export type { SpoorProcessors, SpoorProcessorsOptions } from './join.js';
export { SpoorConfigError } from './config.js';
export type { SpoorOptions, SpoorConfig, SpoorExporters, LogLevel, LogDestination } from './config.js';

// Tracing
export { traced } from './trace/traced.js';
export type { TracedOptions } from './trace/traced.js';
export { withSpan } from './trace/with-span.js';
export { workflow, step, stage } from './trace/workflow.js';
export type { WorkflowOptions, StepOptions } from './trace/workflow.js';
export type { SpanHelperOptions, SpanKindName } from './trace/span-options.js';
export type { FunctionWrapper, AnyFunction } from './wrap.js';

// LLM clients
export { instrumentOpenAI } from './llm/openai.js';
export { instrumentAnthropic } from './llm/anthropic.js';
export type { LlmInstrumentationOptions } from './llm/openai.js';

// Scores and user feedback, sent as the OpenTelemetry gen_ai.evaluation.result event
export { score, feedback } from './score/score.js';
export type { ScoreOptions, FeedbackOptions, ScoreTarget } from './score/score-event.js';

// Replay: re-run a recorded agent run offline (cassettes)
export { getReplayReport, whenReplayLoaded } from './init.js';
export { ReplayDivergence, ReplayError, ReplayedFailure } from './replay/errors.js';
export type { DivergenceDetails, DivergenceReason, ReplayErrorCode } from './replay/errors.js';
export type { ReplayOptions } from './replay/options.js';
export type { ReplayReport } from './replay/session.js';
export type { RequestChange } from './replay/diff.js';

// Experiments: run your code over a dataset, replaying each item's recording, and fail CI on a regression
export { runExperiment } from './experiment/run.js';
export type { ExperimentOptions, ExperimentReport, ExperimentItemReport } from './experiment/run.js';
export { assertNoRegression } from './experiment/regression.js';
export type { NoRegressionOptions } from './experiment/regression.js';
export { ExperimentError, RegressionError } from './experiment/errors.js';
export type { ExperimentErrorCode, WorseScore, WorseItem } from './experiment/errors.js';
export type { ExperimentEvaluator, LocalEvaluator, EvaluatorInput, EvaluatorAnswer } from './experiment/evaluators.js';
export type { ExperimentReplay, ItemReplayCounts } from './experiment/item-replay.js';

// Correlation and context propagation
export { withCorrelation, getCorrelationId, injectContext, extractContext } from './context/correlation.js';

// Logs
export { logger, withLogContext, LOG_CATEGORIES } from './log/logger.js';
export type { LogCategory } from './log/logger.js';

// Metrics
export { counter, gauge, histogram, timer } from './metrics/instruments.js';
export type { Counter, Gauge, Histogram, Timer, Labels, InstrumentOptions, HistogramOptions } from './metrics/instruments.js';
export { measureTime, countCalls, measureErrors } from './metrics/wrappers.js';
export { prometheusHandler } from './metrics/prometheus.js';

// Sampling and masking
export { keepsKey } from './sampling/sampler.js';
export { createRedactor } from '@spoor/model';
export type { Redactor, RedactOptions, RedactRule, RedactMode, DetectorName, TextPattern } from '@spoor/model';

// Prompts: LLM calls made with a prompt carry its name and version
export { withPrompt } from './prompt/with-prompt.js';
export type { PromptRef } from './prompt/with-prompt.js';
// Prompts kept in Spoor: fetched by label or version, cached, with a fallback
export { getPrompt } from './prompt/get-prompt.js';
export type { GetPromptOptions, Prompt } from './prompt/get-prompt.js';
export { PromptError } from './prompt/prompt-api.js';
export type { PromptErrorCode } from './prompt/prompt-api.js';
export { PromptVariableError } from '@spoor/model';
export type { PromptConfig, PromptMessage, PromptTemplate } from '@spoor/model';

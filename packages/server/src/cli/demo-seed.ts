import type { Dataset, EvaluatorBackfill, Experiment, ExperimentListResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import { ApiError, callApi } from './api-client.js';

/*
 * What `spoor demo` makes through the REST API once its runs are in, so that every page of the
 * dashboard opens on something: a rule that fires on the demo's failures, two evaluators (a
 * length check, and a judge on the built-in `demo` provider, which needs no key) backfilled over
 * the runs, users' feedback as scores, a dataset of the runs' answers, and two experiments on it,
 * the second a regression to find. Run twice, it finds what it made and keeps it: rules and
 * evaluators are put (made or replaced), the dataset and the experiments reused when they exist.
 */

export const DEMO_DATASET = 'demo-questions';
export const DEMO_EVALUATORS = ['answer-length', 'answer-relevance'] as const;
export const DEMO_RULE = 'demo-failing-runs';
/** The baseline, and the change that makes some answers worse: a token limit that cuts them off. */
export const DEMO_EXPERIMENTS = [
  { name: 'baseline', target: { kind: 'llm-call', provider: 'demo', model: 'spoor-demo' } },
  { name: 'max 60 tokens', target: { kind: 'llm-call', provider: 'demo', model: 'spoor-demo', maxTokens: 60 } },
] as const;
/** Items taken from the runs' answers into the dataset. */
const DATASET_ITEMS = 8;

export interface SeedResult {
  dataset: string;
  /** Ids of the baseline and the regression. */
  experiments: [string, string];
  /** Feedback scores sent. */
  feedback: number;
}

type Api = (method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => Promise<unknown>;

/** Everything above, for the runs sent since `fromMs`; `say` reports each part as it is made. */
export async function seedDemo(url: string, fromMs: number, mainTraceId: string, say: (line: string) => void): Promise<SeedResult> {
  const api: Api = (method, path, body) => callApi(url, method, path, body);
  await api('PUT', `/api/alerts/rules/${DEMO_RULE}`, {
    expr: 'errors(spans)[1h] by (service) > 0',
    for: '0s',
    severity: 'warning',
    annotations: { summary: 'Failing spans of {{ $labels.service }} in the last hour: {{ $value }} (a rule spoor demo made)' },
  });
  say(`alert rule ${DEMO_RULE}: fires while a service has failing spans`);
  await makeEvaluators(api, fromMs);
  say(`evaluators ${DEMO_EVALUATORS.join(' and ')} (the judge on the built-in demo provider), backfilled over the runs`);
  const traces = await demoTraces(api, fromMs);
  const feedback = await sendFeedback(api, traces, mainTraceId);
  say(`${feedback} feedback scores from the demo's users`);
  await makeDataset(api, traces);
  const experiments = await runExperiments(api);
  say(`dataset ${DEMO_DATASET} and two experiments on it: '${DEMO_EXPERIMENTS[1].name}' is worse than '${DEMO_EXPERIMENTS[0].name}' on some items`);
  return { dataset: DEMO_DATASET, experiments, feedback };
}

async function makeEvaluators(api: Api, fromMs: number): Promise<void> {
  const filter = 'service=research-agent';
  await api('PUT', `/api/evaluators/${DEMO_EVALUATORS[0]}`, { kind: 'length', target: 'llm', min: 120, max: 4000, filter });
  await api('PUT', `/api/evaluators/${DEMO_EVALUATORS[1]}`, {
    kind: 'llm-judge',
    target: 'llm',
    provider: 'demo',
    model: 'spoor-demo',
    builtin: 'answer-relevance',
    filter,
  });
  for (const name of DEMO_EVALUATORS) {
    try {
      await api('POST', `/api/evaluators/${name}/backfill`, { from: new Date(fromMs).toISOString() });
    } catch (error) {
      // Run twice at once: the other's backfill judges the same runs.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  for (const name of DEMO_EVALUATORS)
    await poll(`the backfill of ${name}`, async () => {
      const job = (await api('GET', `/api/evaluators/${name}/backfill`)) as EvaluatorBackfill;
      if (job.state === 'failed') throw new Error(`the backfill of ${name} failed: ${job.error ?? 'no reason given'}`);
      return job.state === 'done' ? job : undefined;
    });
}

/** The demo app's runs since `fromMs`, newest first. */
async function demoTraces(api: Api, fromMs: number): Promise<TraceListResponse['traces']> {
  const list = (await api('GET', `/api/traces?service=research-agent&limit=500&from=${fromMs}`)) as TraceListResponse;
  return list.traces.filter((t) => t.rootName?.startsWith('workflow '));
}

/** Thumbs up or down from the run's user on about one run in three, and always on the failed main run. */
async function sendFeedback(api: Api, traces: TraceListResponse['traces'], mainTraceId: string): Promise<number> {
  let sent = 0;
  for (const [i, trace] of traces.entries()) {
    const main = trace.traceId === mainTraceId;
    if (!main && i % 3 !== 1) continue;
    const good = trace.errorCount === 0 && i % 4 !== 1;
    await api('POST', '/api/scores', {
      traceId: trace.traceId,
      name: 'user-feedback',
      value: good ? 1 : 0,
      label: good ? 'thumbs-up' : 'thumbs-down',
      comment: main
        ? 'The report cites a source that does not exist.'
        : good
          ? 'Helpful, with sources.'
          : trace.errorCount > 0
            ? 'It failed halfway.'
            : 'Too short to be useful.',
      source: 'human',
    });
    sent++;
  }
  return sent;
}

/** The dataset of answers to users' questions, made once: each item a recorded answer call that experiments make again. */
async function makeDataset(api: Api, traces: TraceListResponse['traces']): Promise<void> {
  try {
    const existing = (await api('GET', `/api/datasets/${DEMO_DATASET}`)) as Dataset;
    if (existing.itemCount > 0) return;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    await api('POST', '/api/datasets', {
      name: DEMO_DATASET,
      description: "Users' questions and the answers the research agent gave, taken from the demo's runs.",
    });
  }
  const items: unknown[] = [];
  const seen = new Set<string>();
  for (const trace of traces.filter((t) => t.rootName === 'workflow answer-question' && t.errorCount === 0)) {
    if (items.length === DATASET_ITEMS) break;
    const detail = (await api('GET', `/api/traces/${trace.traceId}`)) as TraceDetail;
    const step = detail.spans.find((s) => s.name === 'step answer');
    const call = detail.spans.find((s) => s.parentSpanId === step?.spanId && s.llm?.operation === 'chat' && s.status.code !== 'error');
    const question = JSON.stringify(call?.attributes['gen_ai.input.messages'] ?? '');
    // One item per question: the same question twice would be compared with itself.
    if (call === undefined || seen.has(question)) continue;
    seen.add(question);
    items.push({ fromTrace: { traceId: trace.traceId, spanId: call.spanId }, metadata: { user: trace.userId ?? 'unknown' } });
  }
  if (items.length === 0) throw new Error('the demo found no answer among its runs to make a dataset of');
  await api('POST', `/api/datasets/${DEMO_DATASET}/items`, { items });
}

/** The two experiments, run one after the other unless both ran before; their ids. */
async function runExperiments(api: Api): Promise<[string, string]> {
  const { experiments } = (await api('GET', `/api/experiments?dataset=${DEMO_DATASET}&limit=100`)) as ExperimentListResponse;
  const ids: string[] = [];
  for (const { name, target } of DEMO_EXPERIMENTS) {
    const done = experiments.find((e) => e.name === name && e.state === 'done');
    if (done !== undefined) {
      ids.push(done.id);
      continue;
    }
    const made = (await api('POST', '/api/experiments', {
      dataset: DEMO_DATASET,
      name,
      target,
      evaluators: [...DEMO_EVALUATORS],
      metadata: { made_by: 'spoor demo' },
    })) as Experiment;
    const finished = await poll(`experiment '${name}'`, async () => {
      const e = (await api('GET', `/api/experiments/${made.id}`)) as Experiment;
      if (e.state === 'failed') throw new Error(`experiment '${name}' failed: ${e.error ?? 'no reason given'}`);
      return e.state === 'done' ? e : undefined;
    });
    ids.push(finished.id);
  }
  return [ids[0]!, ids[1]!];
}

/** Asks `check` again every 100 ms until it answers; gives up after five minutes, saying what it waited for. */
async function poll<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + 300_000;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`${what} did not finish within five minutes`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import type { DashboardDocument, DashboardPanel } from '@spoor/model';

/**
 * The dashboards Spoor ships, written as a user writes one (and checked as one, `ready.test.ts`):
 * listed as `ready` until a dashboard of the same name is saved, which then takes its place.
 */

type Place = [x: number, y: number, w: number, h: number];
const panel = (
  id: string,
  title: string,
  kind: DashboardPanel['kind'],
  [x, y, w, h]: Place,
  exprs: string[],
  unit: DashboardPanel['unit'] = '',
  // A series' name (`{{model}}`); in a table, each query's column, one legend a query.
  legend?: string | string[],
) => ({
  id,
  title,
  kind,
  grid: { x, y, w, h },
  queries: exprs.map((expr, i) => {
    const named = Array.isArray(legend) ? legend[i] : legend;
    return { expr, ...(named === undefined ? {} : { legend: named }) };
  }),
  unit,
});

const LLM = 'category="llm", service=~"$service", model=~"$model"';
const SERVICE = 'service=~"$service"';

const llmCost: DashboardDocument = {
  name: 'llm-cost',
  title: 'LLM cost and tokens',
  description: 'What the LLM calls cost and how many tokens they used, per model and service.',
  variables: [
    { name: 'service', label: 'service', default: '' },
    { name: 'model', label: 'model', default: '' },
  ],
  panels: [
    panel('cost-day', 'Cost, last 24 hours', 'stat', [0, 0, 3, 3], [`cost(spans{${LLM}})[1d]`], 'usd'),
    panel('tokens-day', 'Tokens, last 24 hours', 'stat', [3, 0, 3, 3], [`tokens(spans{${LLM}})[1d]`], 'tokens'),
    panel('calls-day', 'LLM calls, last 24 hours', 'stat', [6, 0, 3, 3], [`count(spans{${LLM}})[1d]`], 'count'),
    panel('unpriced-day', 'Calls without a price, last 24 hours', 'stat', [9, 0, 3, 3], [`unpriced_calls(spans{${LLM}})[1d]`], 'count'),
    panel('cost-model', 'Cost per model', 'timeseries', [0, 3, 6, 5], [`cost(spans{${LLM}})[$__interval] by (model)`], 'usd', '{{model}}'),
    panel('tokens-model', 'Tokens per model', 'timeseries', [6, 3, 6, 5], [`tokens(spans{${LLM}})[$__interval] by (model)`], 'tokens', '{{model}}'),
    panel('cost-service', 'Cost per service, last 24 hours', 'bars', [0, 8, 6, 5], [`cost(spans{${LLM}})[1d] by (service)`], 'usd', '{{service}}'),
    panel(
      'per-model',
      'Calls, tokens and cost per model, last 24 hours',
      'table',
      [6, 8, 6, 5],
      [`count(spans{${LLM}})[1d] by (model)`, `tokens(spans{${LLM}})[1d] by (model)`, `cost(spans{${LLM}})[1d] by (model)`],
      '',
      ['calls', 'tokens', 'cost (USD)'],
    ),
  ],
};

const agentLatency: DashboardDocument = {
  name: 'agent-latency',
  title: 'Agent latency and errors',
  description: 'How long workflows, steps, tools and LLM calls take, and how often they fail.',
  variables: [{ name: 'service', label: 'service', default: '' }],
  panels: [
    panel('errors-day', 'Error spans, last 24 hours', 'stat', [0, 0, 3, 3], [`errors(spans{${SERVICE}})[1d]`], 'count'),
    panel('error-rate-day', 'Error rate, last 24 hours', 'stat', [3, 0, 3, 3], [`error_rate(spans{${SERVICE}})[1d]`], 'percent'),
    panel('workflow-p95-day', 'Workflow p95, last 24 hours', 'stat', [6, 0, 3, 3], [`p95(duration_ms{category="workflow", ${SERVICE}})[1d]`], 'ms'),
    panel('llm-p95-day', 'LLM call p95, last 24 hours', 'stat', [9, 0, 3, 3], [`p95(duration_ms{category="llm", ${SERVICE}})[1d]`], 'ms'),
    panel(
      'workflow-p95',
      'Workflow p95 by name',
      'timeseries',
      [0, 3, 6, 5],
      [`p95(duration_ms{category="workflow", ${SERVICE}})[$__interval] by (name)`],
      'ms',
      '{{name}}',
    ),
    panel(
      'error-rate',
      'Error rate by service',
      'timeseries',
      [6, 3, 6, 5],
      [`error_rate(spans{${SERVICE}})[$__interval] by (service)`],
      'percent',
      '{{service}}',
    ),
    panel(
      'step-p95',
      'Slowest kinds of span, p95 over 24 hours',
      'bars',
      [0, 8, 6, 5],
      [`p95(duration_ms{${SERVICE}})[1d] by (category)`],
      'ms',
      '{{category}}',
    ),
    panel(
      'errors-by-name',
      'Spans and errors by name, last 24 hours',
      'table',
      [6, 8, 6, 5],
      [`count(spans{${SERVICE}})[1d] by (name)`, `errors(spans{${SERVICE}})[1d] by (name)`, `p95(duration_ms{${SERVICE}})[1d] by (name)`],
      '',
      ['spans', 'errors', 'p95 (ms)'],
    ),
  ],
};

const quality: DashboardDocument = {
  name: 'quality',
  title: 'Quality: scores, feedback, evaluators',
  description: "The evaluators' scores, people's feedback and reviews over time.",
  variables: [],
  panels: [
    panel('scores-day', 'Scores, last 24 hours', 'stat', [0, 0, 4, 3], ['count(score)[1d]'], 'count'),
    panel('human-day', "People's scores, last 24 hours", 'stat', [4, 0, 4, 3], ['count(score{source="human"})[1d]'], 'count'),
    panel('evaluator-day', "Evaluators' scores, last 24 hours", 'stat', [8, 0, 4, 3], ['count(score{source="evaluator"})[1d]'], 'count'),
    panel(
      'evaluator-avg',
      'Evaluator scores, average by name',
      'timeseries',
      [0, 3, 6, 5],
      ['avg(score{source="evaluator"})[$__interval] by (name)'],
      '',
      '{{name}}',
    ),
    panel('feedback', 'Feedback by label, last 24 hours', 'bars', [6, 3, 6, 5], ['count(score{source="human"})[1d] by (label)'], 'count', '{{label}}'),
    panel(
      'by-name',
      'Scores by name and source, last 24 hours',
      'table',
      [0, 8, 12, 5],
      ['count(score)[1d] by (name, source)', 'avg(score)[1d] by (name, source)'],
      '',
      ['scores', 'average'],
    ),
  ],
};

/** The ready dashboards, by name, in the list's order. */
export const READY_DASHBOARDS: ReadonlyMap<string, DashboardDocument> = new Map([llmCost, agentLatency, quality].map((d) => [d.name, d]));

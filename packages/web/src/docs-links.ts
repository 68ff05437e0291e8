/**
 * The section of the docs (served by the server at `/docs`) that explains each page of the
 * dashboard: where the top bar's Docs link goes from that page.
 */
const DOCS_FOR_PAGE: Record<string, string> = {
  traces: '/docs/dashboard',
  trace: '/docs/dashboard#the-waterfall',
  metrics: '/docs/dashboard',
  sessions: '/docs/dashboard',
  session: '/docs/dashboard',
  flows: '/docs/dashboard#flows',
  dashboards: '/docs/dashboard#dashboards',
  dashboard: '/docs/dashboard#dashboards',
  errors: '/docs/api#errors-comparisons-and-critical-paths',
  error: '/docs/api#errors-comparisons-and-critical-paths',
  alerts: '/docs/alerting',
  evaluators: '/docs/quality#evaluators',
  datasets: '/docs/quality#datasets',
  dataset: '/docs/quality#datasets',
  'experiment-compare': '/docs/quality#experiments',
  logs: '/docs/instrumenting',
  audit: '/docs/security#keys-and-projects',
  compare: '/docs/llm-calls#replay-and-trace-diff',
  experiments: '/docs/quality#experiments',
  prompts: '/docs/prompts',
  prompt: '/docs/prompts',
  settings: '/docs/security#keys-and-projects',
  review: '/docs/review',
  'review-queue': '/docs/review#reviewing',
};

/** The docs' address for a page of the dashboard; their contents for a page they do not cover. */
export function docsLinkFor(page: string): string {
  return DOCS_FOR_PAGE[page] ?? '/docs';
}

import { runDemo } from '../../../server/src/cli/demo.js';
import { type BigTrace, buildBigTrace } from '../../bench/big-trace.mjs';
import { postTraceBodies } from '../../bench/post-traces.mjs';

/**
 * What the dashboard tests look at: the demo, sent twice (an hour of history with its newest run,
 * then one more run), and a 2,000-span agent trace from a second pair of services, deeper than
 * the demo's. Every span and log goes through the server's real OTLP receivers.
 */
export interface DashboardData {
  /** The newest demo runs: a workflow with LLM calls, a tool call, a failing step, logs. */
  demoTraceIds: string[];
  big: BigTrace;
}

/** A rule that fires as soon as the demo's failing spans are in: the Alerts page has something to show. */
export const ALERT_RULES = `rules:
  - name: agent-errors
    expr: errors(spans)[1h] by (service) > 0
    for: 0s
    severity: warning
    annotations: { summary: "Failing spans of {{ $labels.service }} in the last hour: {{ $value }}" }
`;

export async function fillDashboard(url: string): Promise<DashboardData> {
  const history = await runDemo({ endpoint: url, runs: 24 });
  const latest = await runDemo({ endpoint: url });
  // Ten minutes ago, so that it sits among the demo's traces in every range the pages offer.
  const big = buildBigTrace({ spans: 2_000, seed: 7, startMs: Date.now() - 600_000 });
  await postTraceBodies(url, big.bodies, 'application/json');
  return { demoTraceIds: [latest, history], big };
}

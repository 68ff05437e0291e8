import type { SpanStatsResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { Link } from '../components/Link';
import { formatCost, formatInteger } from '../format';
import { pathWith } from '../router';
import { useApi } from '../use-api';
import type { ChartFilter } from './stats-charts';

/**
 * What Spoor's own LLM calls (its judges', experiments' and replays') cost in the range: real
 * money, kept out of the app's charts above and shown here instead, with a link to their traces.
 * Nothing when they cost nothing.
 */
export function SpoorCost({ filter }: { filter: ChartFilter }) {
  const range = { from: filter.from, to: filter.to };
  const { data } = useApi<SpanStatsResponse>(apiUrl('/api/stats/spans', { ...range, origin: 'spoor', category: 'llm', groupBy: 'service' }));
  const calls = (data?.groups ?? []).reduce((n, g) => n + g.count, 0);
  const cost = (data?.groups ?? []).reduce<number | null>((sum, g) => (g.costUsd === null ? sum : (sum ?? 0) + g.costUsd), null);
  if (calls === 0) return null;
  return (
    <p className="muted spoor-cost" data-testid="spoor-cost">
      Spoor&apos;s own cost in this range: <strong>{formatCost(cost)}</strong> for {formatInteger(calls)} LLM {calls === 1 ? 'call' : 'calls'} of its judges,
      experiments and replays, not in the charts above. <Link to={pathWith('/', { ...range, origin: 'spoor' })}>Its traces</Link>
    </p>
  );
}

import type { ExperimentComparison } from '@spoor/model';
import { Status } from '../components/Status';
import { formatChange, formatCost, formatDuration, formatInteger } from '../format';
import { scoreNumberText } from '../scores/score-view';
import { VERDICTS, VERDICT_ORDER, changeTone, labelChangeText, pValueText } from './compare-view';

/**
 * A comparison in total: per score its mean in A and B, the change, how many items got better or
 * worse, and the Wilcoxon signed-rank p-value over the items both scored; then the items per
 * verdict, and how tokens, cost and latency moved.
 */
export function ComparisonTotals({ comparison }: { comparison: ExperimentComparison }) {
  const { scores, verdicts, deltas } = comparison;
  return (
    <section className="compare-totals" aria-label="Totals">
      {scores.length === 0 ? (
        <p className="muted">Neither run has a score.</p>
      ) : (
        <table className="list compare-scores">
          <thead>
            <tr>
              <th>Score</th>
              <th className="num">Mean A</th>
              <th className="num">Mean B</th>
              <th className="num">Change</th>
              <th className="num" title="Items with a value in both runs">
                Pairs
              </th>
              <th className="num">Better</th>
              <th className="num">Worse</th>
              <th className="num" title="Wilcoxon signed-rank test over the pairs' differences (zeros dropped); – with too few to test">
                p (Wilcoxon)
              </th>
              <th>Labels (A → B)</th>
            </tr>
          </thead>
          <tbody>
            {scores.map((s) => (
              <tr key={s.name} data-score-name={s.name}>
                <td>{s.name}</td>
                <td className="num">{s.meanA === null ? '–' : scoreNumberText(s.meanA)}</td>
                <td className="num">{s.meanB === null ? '–' : scoreNumberText(s.meanB)}</td>
                <td className={`num delta-${changeTone(s.delta, true) ?? 'none'}`} data-testid="score-delta">
                  {formatChange(s.delta, scoreNumberText)}
                </td>
                <td className="num">{formatInteger(s.pairs)}</td>
                <td className="num">{formatInteger(s.better)}</td>
                <td className="num">{formatInteger(s.worse)}</td>
                <td
                  className="num"
                  title={
                    s.wilcoxon === null
                      ? 'fewer than 5 non-zero differences'
                      : `n ${s.wilcoxon.n}, W ${s.wilcoxon.w}${s.wilcoxon.z === null ? '' : `, z ${s.wilcoxon.z.toFixed(2)}`}`
                  }
                >
                  {pValueText(s.wilcoxon)}
                </td>
                <td className="muted">{labelChangeText(s.labelsA, s.labelsB)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="verdict-counts" data-testid="verdict-counts">
        {VERDICT_ORDER.map((v) => (
          <span key={v} title={VERDICTS[v].title}>
            <Status kind={VERDICTS[v].kind}>{VERDICTS[v].text}</Status> {formatInteger(verdicts[v] ?? 0)}
          </span>
        ))}
      </div>
      <p className="compare-deltas" data-testid="compare-deltas">
        <Delta label="input tokens" delta={deltas.inputTokens} format={formatInteger} /> ·{' '}
        <Delta label="output tokens" delta={deltas.outputTokens} format={formatInteger} /> · <Delta label="cost" delta={deltas.costUsd} format={formatCost} /> ·{' '}
        <Delta label="mean latency" delta={deltas.latencyMsMean} format={formatDuration} />
      </p>
    </section>
  );
}

/** A change of something that is better lower (tokens, cost, latency). */
function Delta({ label, delta, format }: { label: string; delta: number | null; format: (n: number) => string }) {
  return (
    <span>
      {label} <span className={`delta-${changeTone(delta, false) ?? 'none'}`}>{formatChange(delta, format)}</span>
    </span>
  );
}

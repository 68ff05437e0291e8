import type { ScoreSummary } from '@spoor/model';
import { summaryText, summaryTitle } from './score-view';

/** A list row's score cells, one per column name: the trace's (or run's) scores of it summed up. */
export function ScoreCells({ names, scores }: { names: readonly string[]; scores: Readonly<Record<string, ScoreSummary>> }) {
  return (
    <>
      {names.map((name) => (
        <td key={name} className="num" data-score={name} title={summaryTitle(scores[name])}>
          {summaryText(scores[name])}
        </td>
      ))}
    </>
  );
}

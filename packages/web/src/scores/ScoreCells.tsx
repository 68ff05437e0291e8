import type { ScoreSummary } from '@spoor/model';
import { summaryText } from './score-view';

/** A list row's score cells, one per column name: the trace's (or run's) scores of it summed up. */
export function ScoreCells({ names, scores }: { names: readonly string[]; scores: Readonly<Record<string, ScoreSummary>> }) {
  return (
    <>
      {names.map((name) => (
        <td key={name} className="num" data-score={name} title={scores[name] === undefined ? undefined : `${scores[name].count} scores`}>
          {summaryText(scores[name])}
        </td>
      ))}
    </>
  );
}

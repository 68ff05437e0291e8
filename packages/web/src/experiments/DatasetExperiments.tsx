import { useMemo, useState } from 'react';
import type { Experiment, ExperimentListResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Status } from '../components/Status';
import { formatAgo, formatCostOf, formatCountOf, formatDuration, formatInteger, formatTime } from '../format';
import { navigate } from '../router';
import { labelsByCount, scoreNumberText } from '../scores/score-view';
import { useApi } from '../use-api';
import { comparePair, comparePath, togglePick } from './compare-view';
import { runsInOrder } from './run-chart';
import { RunExperiment } from './RunExperiment';
import { RunsChart } from './RunsChart';
import './experiments.css';
import { targetText } from './target-text.js';

/** Runs listed at most; a dataset's history past that is older than anyone compares against. */
const RUNS_MAX = 200;
/** A running experiment's items move while the page is open. */
const REFRESH_MS = 10_000;

const STATE_KIND = { running: 'info', done: 'ok', failed: 'error' } as const;

/**
 * A dataset's experiments over time: each score's mean per run, and the runs, newest first, with
 * what each cost and how it fared; pick two to compare them (the older is the baseline).
 */
export function DatasetExperiments({ dataset }: { dataset: string }) {
  const list = useApi<ExperimentListResponse>(apiUrl('/api/experiments', { dataset, limit: RUNS_MAX }), { refreshMs: REFRESH_MS });
  const runs = useMemo(() => runsInOrder(list.data?.experiments ?? []), [list.data]);
  const [picked, setPicked] = useState<string[]>([]);
  const pair = comparePair(picked, runs);
  const scoreNames = useMemo(() => [...new Set(runs.flatMap((r) => r.scores.map((s) => s.name)))].sort(), [runs]);
  const numberOf = new Map(runs.map((r, i) => [r.id, i + 1]));

  return (
    <section id="experiments" className="dataset-experiments" aria-label="Experiments">
      <h2>Experiments</h2>
      <RunExperiment dataset={dataset} runs={runs} onChanged={list.reload} />
      <ErrorBox error={list.error} />
      {list.data !== undefined && runs.length === 0 && (
        <div className="empty">No experiment has run on this dataset yet: run one here, with runExperiment in @spoor/sdk or with POST /api/experiments.</div>
      )}
      {runs.length > 0 && (
        <>
          <RunsChart runs={runs} />
          <div className="toolbar runs-toolbar">
            <button type="button" className="primary" disabled={pair === null} onClick={() => pair !== null && navigate(comparePath(pair[0].id, pair[1].id))}>
              {pair === null ? 'Pick two runs to compare' : `Compare #${numberOf.get(pair[0].id)} with #${numberOf.get(pair[1].id)}`}
            </button>
          </div>
          <table className="list runs-table">
            <thead>
              <tr>
                <th aria-label="Pick" />
                <th className="num">#</th>
                <th>Name</th>
                <th className="num" title="The dataset version it ran on">
                  Version
                </th>
                <th>State</th>
                <th className="num">Items done</th>
                <th className="num">Errored</th>
                {scoreNames.map((name) => (
                  <th key={name} className="num score-column" title={`The mean of the items' ${name}`}>
                    {name}
                  </th>
                ))}
                <th className="num">Tokens (in / out)</th>
                <th className="num">Cost</th>
                <th className="num">Latency (mean)</th>
                <th>Made</th>
              </tr>
            </thead>
            <tbody>
              {[...runs].reverse().map((run) => (
                <RunRow
                  key={run.id}
                  run={run}
                  number={numberOf.get(run.id)!}
                  scoreNames={scoreNames}
                  picked={picked.includes(run.id)}
                  onPick={() => setPicked((p) => togglePick(p, run.id))}
                />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function RunRow({
  run,
  number,
  scoreNames,
  picked,
  onPick,
}: { run: Experiment; number: number; scoreNames: readonly string[]; picked: boolean; onPick: () => void }) {
  return (
    <tr data-experiment={run.id} className={picked ? 'picked' : undefined}>
      <td>
        <input type="checkbox" checked={picked} onChange={onPick} aria-label={`Pick run #${number} ${run.name}`} />
      </td>
      <td className="num">{number}</td>
      <td>
        {run.name}
        {run.target.kind !== 'sdk' && <span className="muted"> · {targetText(run.target)}</span>}
      </td>
      <td className="num">{run.datasetVersion}</td>
      <td title={run.error ?? undefined}>
        <Status kind={STATE_KIND[run.state]}>{run.state}</Status>
      </td>
      <td className="num">
        {formatInteger(run.itemsDone)} / {formatInteger(run.itemCount)}
      </td>
      <td className="num">{run.itemsErrored > 0 ? <Status kind="error">{formatInteger(run.itemsErrored)}</Status> : <span className="muted">0</span>}</td>
      {scoreNames.map((name) => {
        const summary = run.scores.find((s) => s.name === name);
        return (
          <td key={name} className="num" data-score={name} title={summary === undefined ? undefined : labelsTitle(summary.labels, summary.count)}>
            {summary === undefined ? (
              <span className="muted">–</span>
            ) : summary.mean !== null ? (
              scoreNumberText(summary.mean)
            ) : (
              (labelsByCount(summary)[0]?.[0] ?? '–')
            )}
          </td>
        );
      })}
      <td className="num">
        {run.inputTokens === null && run.outputTokens === null ? '–' : `${formatInteger(run.inputTokens)} / ${formatInteger(run.outputTokens)}`}
      </td>
      <td className="num">{formatCostOf(run.costUsd, run.unpricedCalls)}</td>
      <td className="num">{formatDuration(run.latencyMsMean)}</td>
      <td title={formatTime(run.createdAt)}>{formatAgo(run.createdAt)}</td>
    </tr>
  );
}

function labelsTitle(labels: Record<string, number>, count: number): string {
  const parts = Object.entries(labels).map(([label, n]) => `${label}: ${n}`);
  return [`${formatCountOf(count, 'item')} with a value`, ...parts].join(' · ');
}

import { useMemo } from 'react';
import type { Experiment, ExperimentListResponse } from '@spoor/model';
import { apiUrl } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { Link } from '../components/Link';
import { comparePath } from '../experiments/compare-view';
import { RunProgress } from '../experiments/RunProgress';
import { previousRun, progressText } from '../experiments/run-form';
import { formatAgo, formatTime } from '../format';
import { labelsByCount, scoreNumberText } from '../scores/score-view';
import { useApi } from '../use-api';
import '../experiments/experiments.css';
import { targetText } from '../experiments/target-text.js';

/** Runs listed at most: the newest, across the project's datasets. */
const RUNS_MAX = 200;
/** A running experiment's items move while the page is open. */
const REFRESH_MS = 5_000;

/**
 * The project's experiments, newest first, whatever the dataset: what each ran (the model, or the
 * app's own code through the SDK), how far it got, its score means, and its comparison with the
 * run before it on the same dataset. Runs are started from a dataset's page.
 */
export function ExperimentsPage() {
  const list = useApi<ExperimentListResponse>(apiUrl('/api/experiments', { limit: RUNS_MAX }), { refreshMs: REFRESH_MS });
  const runs = useMemo(() => list.data?.experiments ?? [], [list.data]);
  return (
    <div className="experiments-page">
      <h1>Experiments</h1>
      <p className="muted">
        A dataset’s items run through another model, prompt or version of your app, and scored. Start one from a dataset’s page (“Run experiment”) or with the
        SDK.
      </p>
      <ErrorBox error={list.error} />
      {list.data !== undefined && runs.length === 0 && (
        <div className="empty">
          No experiment yet. Open a <Link to="/datasets">dataset</Link> and press “Run experiment”.
        </div>
      )}
      {runs.length > 0 && (
        <table className="list experiments-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Dataset</th>
              <th>Model</th>
              <th>Progress</th>
              <th className="num">Items</th>
              <th>Score means</th>
              <th>Started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <ExperimentRow
                key={run.id}
                run={run}
                previous={previousRun(
                  runs.filter((r) => r.dataset === run.dataset),
                  run,
                )}
              />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ExperimentRow({ run, previous }: { run: Experiment; previous: Experiment | null }) {
  const dataset = `/datasets/${encodeURIComponent(run.dataset)}`;
  return (
    <tr data-experiment={run.id}>
      <td>{run.name}</td>
      <td>
        <Link to={dataset}>{run.dataset}</Link> <span className="muted">v{run.datasetVersion}</span>
      </td>
      <td>{run.target.kind === 'sdk' ? <span className="muted">{targetText(run.target)}</span> : targetText(run.target)}</td>
      <td title={run.error ?? undefined}>
        <RunProgress run={run} text={progressText(run)} />
      </td>
      <td className="num">{run.itemCount}</td>
      <td>{scoresText(run) || <span className="muted">–</span>}</td>
      <td title={formatTime(run.createdAt)}>{formatAgo(run.createdAt)}</td>
      <td>{previous !== null && <Link to={comparePath(previous.id, run.id)}>Compare with {previous.name}</Link>}</td>
    </tr>
  );
}

/** `exact 0.67 · tone polite`: each score's mean, or its most given label. */
function scoresText(run: Experiment): string {
  return run.scores.map((s) => `${s.name} ${s.mean !== null ? scoreNumberText(s.mean) : (labelsByCount(s)[0]?.[0] ?? '–')}`).join(' · ');
}

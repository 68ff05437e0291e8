import type { Experiment } from '@spoor/model';
import { Status } from '../components/Status';

const STATE_KIND = { running: 'info', done: 'ok', failed: 'error' } as const;

/** An experiment's progress: a bar of items done, and its state in words; `named` puts its name first. */
export function RunProgress(props: { run: Pick<Experiment, 'name' | 'state' | 'itemsDone' | 'itemCount'>; text: string; named?: boolean }) {
  const { run, text, named = false } = props;
  return (
    <span className="run-progress">
      {named && <strong>{run.name} </strong>}
      <progress value={run.itemsDone} max={Math.max(1, run.itemCount)} aria-label={`${run.name}: items done`} />{' '}
      <Status kind={STATE_KIND[run.state]}>{text}</Status>
    </span>
  );
}

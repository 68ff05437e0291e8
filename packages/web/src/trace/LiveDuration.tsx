import { formatDuration } from '../format';
import { useFrameClock } from '../live/frame-clock';
import { originUsOf, totalMsOf, type SpanTree } from './span-tree';

/** A running trace's duration so far, moving with the frame clock: from its first start to now (or its last end, if later). */
export function LiveDuration({ tree }: { tree: SpanTree }) {
  const nowMs = useFrameClock(true);
  return <span data-testid="trace-duration">{formatDuration(Math.max(totalMsOf(tree), nowMs - originUsOf(tree) / 1000))}</span>;
}

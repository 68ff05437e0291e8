import { useCallback, useState } from 'react';
import { type PickedTrace, toggleTrace } from './trace-picks';

/** The trace list's picks to compare, shared by its checkboxes and its Compare button. */
export interface TracePicks {
  picked: readonly PickedTrace[];
  isPicked: (traceId: string) => boolean;
  toggle: (trace: PickedTrace) => void;
}

export function useTracePicks(): TracePicks {
  const [picked, setPicked] = useState<PickedTrace[]>([]);
  const toggle = useCallback((trace: PickedTrace) => setPicked((p) => toggleTrace(p, trace)), []);
  return { picked, isPicked: (traceId) => picked.some((p) => p.traceId === traceId), toggle };
}

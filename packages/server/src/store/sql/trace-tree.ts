import type { TreeKey } from '../ports/traces.js';
import type { Params } from './dialect.js';

/**
 * The keyset of a page of a trace's tree, for a read of `spans` already cut to the trace: the
 * condition that continues after `after` (start first, so both engines skip by start time what
 * came before). Keyset, not OFFSET: the millionth span is found as fast as the first.
 */
export function treeAfter(p: Params, after: TreeKey | null): string {
  return after === null ? '' : ` AND start_us >= ${p.int(after.startUs)} AND (start_us > ${p.int(after.startUs)} OR span_id > ${p.add(after.spanId)})`;
}

/** The order of a trace's tree pages. */
export const TREE_ORDER = 'start_us, span_id';

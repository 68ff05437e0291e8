import type { TreeKey } from '../ports/traces.js';
import type { Params } from './dialect.js';

/**
 * The keyset of a page of a trace's tree, for a read of `spans` already cut to the trace: the
 * condition that continues after `after` (start first, so both engines skip by start time what
 * came before), and the order and limit of the page. Keyset, not OFFSET: the millionth span is
 * found as fast as the first.
 */
export function treePageSql(p: Params, after: TreeKey | null, limit: number): { after: string; orderAndLimit: string } {
  const condition = after === null ? '' : ` AND start_us >= ${p.int(after.startUs)} AND (start_us > ${p.int(after.startUs)} OR span_id > ${p.add(after.spanId)})`;
  return { after: condition, orderAndLimit: `start_us, span_id LIMIT ${p.count(limit)}` };
}

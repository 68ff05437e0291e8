import type { SpanRecord } from '@spoor/model';

/** What tree order reads of a span. */
export type TreeSpan = Pick<SpanRecord, 'spanId' | 'parentSpanId' | 'startTimeUs'>;

export interface OrderedSpan<S extends TreeSpan = SpanRecord> {
  span: S;
  depth: number;
}

/**
 * Orders a trace's spans as a tree: each parent before its children, siblings by start time
 * (then span id). A span whose parent is missing is treated as a root, so nothing is hidden.
 * Iterative, so a 10,000-deep chain cannot overflow the stack; O(n log n) for the sorts.
 */
export function orderSpanTree<S extends TreeSpan>(spans: S[]): OrderedSpan<S>[] {
  const byStart = [...spans].sort(compareSpans);
  const ids = new Set<string>();
  for (const s of byStart) ids.add(s.spanId);
  const children = new Map<string, S[]>();
  const roots: S[] = [];
  for (const s of byStart) {
    // A span that names itself as parent would loop; it is a root.
    if (s.parentSpanId === null || s.parentSpanId === s.spanId || !ids.has(s.parentSpanId)) {
      roots.push(s);
      continue;
    }
    let list = children.get(s.parentSpanId);
    if (list === undefined) {
      list = [];
      children.set(s.parentSpanId, list);
    }
    list.push(s);
  }
  const ordered: OrderedSpan<S>[] = [];
  const visited = new Set<string>();
  const stack: OrderedSpan<S>[] = [];
  const visit = (root: S): void => {
    stack.push({ span: root, depth: 0 });
    while (stack.length > 0) {
      const item = stack.pop()!;
      // Duplicate span ids (a span sent twice) are shown once per copy but their children once.
      ordered.push(item);
      if (visited.has(item.span.spanId)) continue;
      visited.add(item.span.spanId);
      const kids = children.get(item.span.spanId);
      if (kids === undefined) continue;
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i]!, depth: item.depth + 1 });
    }
  };
  for (const root of roots) visit(root);
  // Spans in a parent cycle are reachable from no root; they still belong in the answer.
  for (const s of byStart) if (!visited.has(s.spanId)) visit(s);
  return ordered;
}

function compareSpans(a: TreeSpan, b: TreeSpan): number {
  return a.startTimeUs - b.startTimeUs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

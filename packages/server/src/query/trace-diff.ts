import { resolveSpanTree, spanTreeInputFrom, type ResolvedSpanTree } from '@spoor/model';
import type { AlignedRow, Attributes, ChangedSpan, ChatMessage, ChatPart, DiffSpan, TextDiffLine, TraceDiff, TraceDiffSide } from '@spoor/model';
import { diffLines, isUnpricedCall } from '@spoor/model';
import { llmMessagesFrom } from '../normalize/messages.js';
import type { StoredSpan } from '../store/stored-trace.js';

/**
 * Two traces aligned span by span (`TraceDiff` in `@spoor/model` says how places are named). Pure:
 * the spans in, the answer out. Only LLM spans have their attributes parsed (for the prompt and
 * completion), so a diff of two 50,000-span traces reads no more JSON than their LLM calls hold.
 */

/** A span with its place in its trace. */
interface Placed {
  path: string;
  depth: number;
  span: StoredSpan;
}

export function diffTraces(aId: string, a: readonly StoredSpan[], bId: string, b: readonly StoredSpan[]): TraceDiff {
  const treeA = resolveSpanTree(spanTreeInputFrom(a));
  const treeB = resolveSpanTree(spanTreeInputFrom(b));
  const placedB = place(b, treeB);
  // The runs' roots line up whatever their names (two experiments' runs are `experiment <name>`):
  // `a`'s first true root (no parent id: not an orphan or a cut loop) takes `b`'s label, so
  // everything below it lines up by name as before.
  const rootB = placedB.find((p) => p.depth === 0 && p.span.parentSpanId === null);
  const placedA = place(a, treeA, rootB === undefined ? undefined : labelOf(rootB.span));
  const byPathA = new Map(placedA.map((p) => [p.path, p]));
  const byPathB = new Map(placedB.map((p) => [p.path, p]));
  const added: DiffSpan[] = [];
  const removed: DiffSpan[] = [];
  const changed: ChangedSpan[] = [];
  const rows: AlignedRow[] = [];
  for (const { path, depth } of mergedOrder(placedA, placedB)) {
    const left = byPathA.get(path)?.span;
    const right = byPathB.get(path)?.span;
    let kind: AlignedRow['kind'];
    if (left === undefined) {
      kind = 'added';
      added.push(diffSpanOf(path, right!));
    } else if (right === undefined) {
      kind = 'removed';
      removed.push(diffSpanOf(path, left));
    } else {
      const change = changeOf(path, left, right);
      kind = change === null ? 'same' : 'changed';
      if (change !== null) changed.push(change);
    }
    rows.push({
      path,
      depth,
      aSpanId: left?.spanId ?? null,
      bSpanId: right?.spanId ?? null,
      name: (right ?? left)!.name,
      kind,
      aDurationMs: left === undefined ? null : durationMs(left),
      bDurationMs: right === undefined ? null : durationMs(right),
    });
  }
  const sideA = sideOf(aId, placedA);
  const sideB = sideOf(bId, placedB);
  return {
    a: sideA,
    b: sideB,
    deltas: {
      durationMs: round(sideB.durationMs - sideA.durationMs),
      inputTokens: delta(sideA.inputTokens, sideB.inputTokens),
      outputTokens: delta(sideA.outputTokens, sideB.outputTokens),
      costUsd: delta(sideA.costUsd, sideB.costUsd),
      spanCount: sideB.spanCount - sideA.spanCount,
      errorCount: sideB.errorCount - sideA.errorCount,
    },
    added,
    removed,
    changed,
    rows,
  };
}

/** What names a span's place among its siblings: its name, or `llm` for an LLM call. */
function labelOf(span: StoredSpan): string {
  return isLlm(span) ? 'llm' : span.name;
}

/** Whether a span is an LLM call: those line up by position among their parent's calls, whatever their name. */
function isLlm(span: StoredSpan): boolean {
  return span.category === 'llm' || span.category === 'embedding';
}

/**
 * Every span with its path, in the tree order of `@spoor/model`'s span-tree resolver (parents
 * first, siblings by start; a span stored twice placed once, an orphan or a cut parent loop a root).
 */
function place(spans: readonly StoredSpan[], tree: ResolvedSpanTree, firstRootLabel?: string): Placed[] {
  const out = new Array<Placed>(tree.count);
  // How many siblings of each label came before, keyed by the parent's row and the label.
  const seen = new Map<string, number>();
  let rootLabel = firstRootLabel;
  for (let row = 0; row < tree.count; row++) {
    const span = spans[tree.order[row]!]!;
    const up = tree.parent[row]!;
    let label = labelOf(span);
    if (rootLabel !== undefined && up === -1 && span.parentSpanId === null) {
      label = rootLabel;
      rootLabel = undefined;
    }
    const key = `${up} ${label}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    out[row] = { path: up === -1 ? `${label}#${n}` : `${out[up]!.path}/${label}#${n}`, depth: tree.depth[row]!, span };
  }
  return out;
}

/**
 * The paths of both sides in one tree order: `b`'s order, with each span only `a` has placed
 * right after the span that precedes it in `a`. So each run of spans only `a` has follows the
 * last path before it that `b` has too (or opens the order): gathered so in one pass, where
 * splicing each into place re-indexed the order (22 s for two 20,000-span traces with no path in
 * common, on the thread every query waits for).
 */
function mergedOrder(a: readonly Placed[], b: readonly Placed[]): Array<{ path: string; depth: number }> {
  const inB = new Set(b.map((p) => p.path));
  const runs = new Map<string | null, Array<{ path: string; depth: number }>>();
  let shared: string | null = null;
  for (const p of a) {
    if (inB.has(p.path)) {
      shared = p.path;
      continue;
    }
    let run = runs.get(shared);
    if (run === undefined) runs.set(shared, (run = []));
    run.push({ path: p.path, depth: p.depth });
  }
  const order = [...(runs.get(null) ?? [])];
  for (const p of b) {
    order.push({ path: p.path, depth: p.depth });
    const run = runs.get(p.path);
    if (run !== undefined) for (const q of run) order.push(q);
  }
  return order;
}

function durationMs(span: StoredSpan): number {
  return round(Math.max(0, span.endTimeUs - span.startTimeUs) / 1000);
}

function diffSpanOf(path: string, span: StoredSpan): DiffSpan {
  return { path, spanId: span.spanId, name: span.name, durationMs: durationMs(span), status: span.status.code };
}

/** What differs between two aligned spans, or `null` when only their timing does. */
function changeOf(path: string, a: StoredSpan, b: StoredSpan): ChangedSpan | null {
  const fields: ChangedSpan['fields'] = {};
  const compare = (name: string, x: unknown, y: unknown): void => {
    if (x !== y) fields[name] = { a: x, b: y };
  };
  compare('name', a.name, b.name);
  compare('status', a.status.code, b.status.code);
  compare('statusMessage', a.status.message, b.status.message);
  compare('model', a.llm?.responseModel ?? a.llm?.requestModel ?? null, b.llm?.responseModel ?? b.llm?.requestModel ?? null);
  compare('inputTokens', a.llm?.inputTokens ?? null, b.llm?.inputTokens ?? null);
  compare('outputTokens', a.llm?.outputTokens ?? null, b.llm?.outputTokens ?? null);
  compare('costUsd', a.llm?.costUsd ?? null, b.llm?.costUsd ?? null);
  let prompt: TextDiffLine[] | null = null;
  let completion: TextDiffLine[] | null = null;
  if (isLlm(a) && isLlm(b)) {
    const ma = llmMessagesFrom(JSON.parse(a.attributesJson) as Attributes);
    const mb = llmMessagesFrom(JSON.parse(b.attributesJson) as Attributes);
    const promptA = messagesText(ma.system, ma.input);
    const promptB = messagesText(mb.system, mb.input);
    if (promptA !== promptB) prompt = diffLines(promptA, promptB);
    const completionA = messagesText([], ma.output);
    const completionB = messagesText([], mb.output);
    if (completionA !== completionB) completion = diffLines(completionA, completionB);
  }
  if (Object.keys(fields).length === 0 && prompt === null && completion === null) return null;
  return {
    path,
    aSpanId: a.spanId,
    bSpanId: b.spanId,
    name: { a: a.name, b: b.name },
    fields,
    deltas: {
      durationMs: round(durationMs(b) - durationMs(a)),
      inputTokens: delta(a.llm?.inputTokens ?? null, b.llm?.inputTokens ?? null),
      outputTokens: delta(a.llm?.outputTokens ?? null, b.llm?.outputTokens ?? null),
      costUsd: delta(a.llm?.costUsd ?? null, b.llm?.costUsd ?? null),
    },
    prompt,
    completion,
  };
}

/** A conversation as lines of text: one `role: …` line per part, multi-line contents kept. */
export function messagesText(system: readonly ChatPart[], messages: readonly ChatMessage[]): string {
  const lines: string[] = [];
  for (const part of system) lines.push(`system: ${partText(part)}`);
  for (const message of messages) for (const part of message.parts) lines.push(`${message.role}: ${partText(part)}`);
  return lines.join('\n');
}

function partText(part: ChatPart): string {
  switch (part.type) {
    case 'text':
      return part.content;
    case 'reasoning':
      return `(reasoning) ${part.content}`;
    case 'tool_call':
      return `(tool call) ${part.name}(${JSON.stringify(part.arguments)})`;
    case 'tool_call_response':
      return `(tool result) ${typeof part.response === 'string' ? part.response : JSON.stringify(part.response)}`;
    default:
      return `(${part.kind}) ${typeof part.content === 'string' ? part.content : JSON.stringify(part.content)}`;
  }
}

/** A run's totals, over its spans as placed (a span stored twice counts once). */
function sideOf(traceId: string, placed: readonly Placed[]): TraceDiffSide {
  let start = Infinity;
  let end = -Infinity;
  let errorCount = 0;
  let inputTokens: number | null = null;
  let outputTokens: number | null = null;
  let costUsd: number | null = null;
  let unpricedCalls = 0;
  let root: StoredSpan | null = null;
  const add = (sum: number | null, value: number | null | undefined): number | null => (value == null ? sum : (sum ?? 0) + value);
  for (const { span } of placed) {
    start = Math.min(start, span.startTimeUs);
    end = Math.max(end, span.endTimeUs);
    if (span.status.code === 'error') errorCount++;
    inputTokens = add(inputTokens, span.llm?.inputTokens);
    outputTokens = add(outputTokens, span.llm?.outputTokens);
    costUsd = add(costUsd, span.llm?.costUsd);
    if (span.llm != null && isUnpricedCall(span.llm)) unpricedCalls++;
    if (span.parentSpanId === null && (root === null || span.startTimeUs < root.startTimeUs)) root = span;
  }
  return {
    traceId,
    rootName: root?.name ?? '',
    durationMs: placed.length === 0 ? 0 : round((end - start) / 1000),
    spanCount: placed.length,
    errorCount,
    inputTokens,
    outputTokens,
    costUsd,
    unpricedCalls,
  };
}

/** `b - a` without float noise, `null` when either is unknown: the deltas of a diff and of a replay. */
export function delta(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : round(b - a);
}

/** Milliseconds and dollars to 12 significant digits: no float noise in a delta of equal sums. */
function round(value: number): number {
  return Number(value.toPrecision(12));
}

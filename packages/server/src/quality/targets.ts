import { type ChatMessage, EXPERIMENT_ATTRIBUTES, type EvaluatorTarget, type SpanRecord } from '@spoor/model';
import { llmMessagesFrom } from '../normalize/messages.js';
import type { EvaluationTarget } from './kind.js';

/** What a target is made of, of a span (a `SpanRecord` has it). */
export type TargetSpan = Pick<SpanRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'name' | 'category' | 'startTimeUs' | 'endTimeUs' | 'attributes'> & {
  llm: { costUsd: number | null } | null;
};

/**
 * What an evaluator judges of one complete trace, built from its spans (pure): for `llm`, each
 * LLM call with its messages as input and output; for `span`, every span; for `trace`, the whole
 * run with its root span's input and output (else its first LLM call's input and last one's
 * output). `judgedBy`: an experiment's evaluators judge experiment runs, which online evaluators leave
 * alone. Messages are read as the LLM inspector reads them (`normalize/messages.ts`), whichever
 * convention carried them; a text is the text parts of the messages, one message a line.
 */
export function targetsOfTrace(
  projectId: string,
  spans: readonly TargetSpan[],
  target: EvaluatorTarget,
  judgedBy: 'online' | 'experiment' = 'online',
): EvaluationTarget[] {
  // A judge's own call is a trace of its own: judged in turn, each judgement would make another.
  if (spans.length === 0 || spans.some((s) => s.attributes[EVALUATION_OF] !== undefined)) return [];
  // An experiment's run is judged by the experiment's evaluators, with the item's expected output, not by the project's online ones.
  if (judgedBy === 'online' && spans.some((s) => s.attributes[EXPERIMENT_ATTRIBUTES.id] !== undefined)) return [];
  const children = new Map<string, TargetSpan[]>();
  for (const s of spans) {
    if (s.parentSpanId === null) continue;
    const list = children.get(s.parentSpanId);
    if (list === undefined) children.set(s.parentSpanId, [s]);
    else list.push(s);
  }
  const context = spans.filter((s) => s.category === 'retriever').flatMap(documentsOf);
  const traceId = spans[0]!.traceId;
  const of = (span: TargetSpan, within: readonly TargetSpan[]): EvaluationTarget => {
    const messages = llmMessagesFrom(span.attributes);
    return {
      projectId,
      traceId,
      spanId: span.spanId,
      input: textOf(messages.input),
      output: textOf(messages.output),
      context,
      expected: null,
      durationMs: durationMs(span.startTimeUs, span.endTimeUs),
      costUsd: costOf(within),
      toolNames: toolNamesOf(within, messages.output),
    };
  };
  if (target === 'llm') return spans.filter((s) => s.llm !== null).map((s) => of(s, [s]));
  if (target === 'span') return spans.map((s) => of(s, subtree(s, children)));
  const root = spans.find((s) => s.parentSpanId === null) ?? spans[0]!;
  const llms = spans.filter((s) => s.llm !== null).sort((a, b) => a.startTimeUs - b.startTimeUs);
  const own = llmMessagesFrom(root.attributes);
  let input = textOf(own.input);
  let output = textOf(own.output);
  if (input === null && llms.length > 0) input = textOf(llmMessagesFrom(llms[0]!.attributes).input);
  if (output === null && llms.length > 0) output = textOf(llmMessagesFrom(llms.at(-1)!.attributes).output);
  // A loop, not Math.min(...spans): spreading a 1,000,000-span trace overflows the stack.
  let startUs = Number.POSITIVE_INFINITY;
  let endUs = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    if (s.startTimeUs < startUs) startUs = s.startTimeUs;
    if (s.endTimeUs > endUs) endUs = s.endTimeUs;
  }
  return [
    {
      projectId,
      traceId,
      spanId: null,
      input,
      output,
      context,
      expected: null,
      durationMs: durationMs(startUs, endUs),
      costUsd: costOf(spans),
      toolNames: toolNamesOf(
        spans,
        llms.flatMap((s) => llmMessagesFrom(s.attributes).output),
      ),
    },
  ];
}

/** The attribute a judge's trace carries: the trace it judged (`quality/judge.ts`). */
export const EVALUATION_OF = 'spoor.evaluation.of';

const durationMs = (startUs: number, endUs: number): number => Math.max(0, endUs - startUs) / 1000;

/** The text parts of messages, one message a line; `null` when they hold no text. */
export function textOf(messages: readonly ChatMessage[]): string | null {
  const lines: string[] = [];
  for (const m of messages) {
    const text = m.parts.map((p) => (p.type === 'text' ? p.content : '')).join('');
    if (text !== '') lines.push(text);
  }
  return lines.length === 0 ? null : lines.join('\n');
}

/** The LLM cost of these spans, `null` when none has a known cost. */
function costOf(spans: readonly TargetSpan[]): number | null {
  let total: number | null = null;
  for (const s of spans) if (s.llm?.costUsd != null) total = (total ?? 0) + s.llm.costUsd;
  return total;
}

/** The tools called: tool spans (their `gen_ai.tool.name`, else their name) and the tool calls the messages asked for. */
function toolNamesOf(spans: readonly TargetSpan[], output: readonly ChatMessage[]): string[] {
  const names = new Set<string>();
  for (const s of spans) {
    if (s.category !== 'tool') continue;
    const named = s.attributes['gen_ai.tool.name'];
    names.add(typeof named === 'string' && named !== '' ? named : s.name);
  }
  for (const m of output) for (const p of m.parts) if (p.type === 'tool_call') names.add(p.name);
  return [...names];
}

/** A span and everything under it. */
function subtree(span: TargetSpan, children: ReadonlyMap<string, TargetSpan[]>): TargetSpan[] {
  const out: TargetSpan[] = [];
  const stack = [span];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s.spanId)) continue;
    seen.add(s.spanId);
    out.push(s);
    stack.push(...(children.get(s.spanId) ?? []));
  }
  return out;
}

/** A retriever span's documents: OpenInference's `retrieval.documents.{i}.document.content`, else its `output.value`. */
function documentsOf(span: TargetSpan): string[] {
  const docs: string[] = [];
  for (let i = 0; ; i++) {
    const content = span.attributes[`retrieval.documents.${i}.document.content`];
    if (typeof content !== 'string') break;
    docs.push(content);
  }
  if (docs.length > 0) return docs;
  const output = span.attributes['output.value'];
  return typeof output === 'string' && output !== '' ? [output] : [];
}

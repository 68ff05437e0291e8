import { encodeTraces, type SpanInput } from '../../../server/test/support/otlp-encode.js';

/**
 * One big trace made to be cheap to send, as OTLP protobuf: a workflow root, `agents` agents under
 * it, each running steps of an LLM call and a tool call (with an HTTP call under the tool). Spans
 * start in the order they are made, depth first, so the last span made is the last row of the
 * waterfall. One span, deep in the middle, is named `NEEDLE_NAME`. A span is about 60 bytes on
 * the wire: 200,000 spans are some 14 MB in `requests` bodies.
 */
export interface WideTrace {
  traceId: string;
  spanCount: number;
  rootSpanId: string;
  /** The first agent's span and how many spans its subtree has (itself included). */
  firstAgent: { spanId: string; size: number };
  /** The span named `NEEDLE_NAME`. */
  needleSpanId: string;
  /** The last span in tree order. */
  lastSpanId: string;
  bodies: Uint8Array[];
}

export const NEEDLE_NAME = 'find-me-needle';

const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

/** A trace of `spans` spans (a multiple of 4 plus the root and `agents` agents works best), ending a minute ago. */
export function buildWideTrace({ spans, agents = 100, spansPerRequest = 25_000 }: { spans: number; agents?: number; spansPerRequest?: number }): WideTrace {
  const traceId = `5b1de0${hex(spans, 26)}`;
  // Microsecond steps from a start one minute per 100,000 spans ago, so it sits in the list's last hour.
  const startUs = BigInt(Date.now() - 60_000 - Math.ceil(spans / 100_000) * 60_000) * 1000n;
  const items: SpanInput[] = [];
  let next = 1;
  let clockUs = 0n;
  const make = (parent: string | undefined, name: string, kind: number, attributes?: SpanInput['attributes']): SpanInput => {
    const span: SpanInput = {
      traceId,
      spanId: hex(next++, 16),
      name,
      kind,
      startTimeUnixNano: (startUs + clockUs) * 1000n,
      endTimeUnixNano: 0n,
      ...(parent === undefined ? {} : { parentSpanId: parent }),
      ...(attributes === undefined ? {} : { attributes }),
    };
    clockUs += 10n;
    items.push(span);
    return span;
  };
  const end = (span: SpanInput): void => {
    span.endTimeUnixNano = (startUs + clockUs) * 1000n;
    clockUs += 1n;
  };
  const root = make(undefined, 'workflow wide-run', 2);
  const perAgent = Math.max(1, Math.floor((spans - 1 - agents) / agents));
  let firstAgent = { spanId: '', size: 0 };
  let needleSpanId = '';
  for (let a = 0; a < agents && items.length < spans; a++) {
    const agent = make(root.spanId, `invoke_agent agent-${a}`, 1, { 'gen_ai.operation.name': 'invoke_agent' });
    const from = items.length;
    const budget = a === agents - 1 ? spans - items.length : Math.min(perAgent, spans - items.length);
    for (let s = 0; items.length - from < budget; s++) {
      const step = make(agent.spanId, `step ${s}`, 1);
      if (items.length - from < budget) {
        const name = a === agents >> 1 && s === 7 ? NEEDLE_NAME : 'chat gpt-4o-mini';
        const llm = make(step.spanId, name, 3, {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 100,
          'gen_ai.usage.output_tokens': 20,
        });
        if (name === NEEDLE_NAME) needleSpanId = llm.spanId;
        end(llm);
      }
      if (items.length - from < budget) {
        const tool = make(step.spanId, 'execute_tool search', 3, { 'gen_ai.operation.name': 'execute_tool' });
        if (items.length - from < budget) end(make(tool.spanId, 'GET /search', 3));
        end(tool);
      }
      end(step);
    }
    end(agent);
    if (a === 0) firstAgent = { spanId: agent.spanId, size: items.length - from + 1 };
  }
  end(root);
  const bodies: Uint8Array[] = [];
  for (let from = 0; from < items.length; from += spansPerRequest) {
    bodies.push(
      encodeTraces([
        {
          resource: { attributes: { 'service.name': 'wide-agent' } },
          scopes: [{ scope: { name: 'spoor-e2e' }, items: items.slice(from, from + spansPerRequest) }],
        },
      ]),
    );
  }
  return { traceId, spanCount: items.length, rootSpanId: root.spanId, firstAgent, needleSpanId, lastSpanId: items[items.length - 1]!.spanId, bodies };
}

import type { SpanRecord } from '@spoor/model';
import { T0, emptyLlm, resource, sid, span, tid } from './record-fixtures.js';
import { encodeTracesJson } from './otlp-json-encode.js';

/**
 * A generated fleet of `checkout` runs with a known mix of paths, for the flow map's tests:
 * `workflow:checkout` calls `agent:planner`, which calls an LLM, then the `search` tool, then
 * `pay`. Run i of a release:
 * - i % 10 = 0: `search` three times in a row (a loop: 10% of runs);
 * - i % 5 = 1: `refund` instead of `pay`, failing, and the run fails with it (20% of runs);
 * - release `2.0` (only) calls `notify` after `pay`: the path a comparison finds added.
 * Runs start a second apart from `startUs`, in order; each span starts a millisecond after the one before.
 */

const SEC = 1_000_000;
const MS = 1_000;

export interface FleetOptions {
  runs: number;
  release: string;
  /** The first run's start (default `T0`). */
  startUs?: number;
  /** Trace numbers start here (default 1): two fleets in one store take apart ranges. */
  firstTrace?: number;
  projectId?: string;
}

export function flowFleet(options: FleetOptions): SpanRecord[] {
  const spans: SpanRecord[] = [];
  const first = options.firstTrace ?? 1;
  const startUs = options.startUs ?? T0;
  for (let i = 0; i < options.runs; i++) {
    const traceId = tid(first + i);
    const at = startUs + i * SEC;
    let next = 1;
    const fails = i % 5 === 1;
    const add = (parent: number | null, name: string, category: SpanRecord['category'], durationMs: number, over: Partial<SpanRecord> = {}) => {
      const n = next++;
      spans.push(
        span({
          projectId: options.projectId ?? 'default',
          traceId,
          spanId: sid((first + i) * 100 + n),
          parentSpanId: parent === null ? null : sid((first + i) * 100 + parent),
          name,
          category,
          kind: parent === null ? 'server' : 'internal',
          startTimeUs: at + (n - 1) * MS,
          endTimeUs: at + (n - 1) * MS + durationMs * MS,
          resource: resource('shop', { 'service.version': options.release }),
          serviceName: 'shop',
          ...over,
        }),
      );
      return n;
    };
    const root = add(null, 'checkout', 'workflow', 500, fails ? { status: { code: 'error', message: 'refund failed' } } : {});
    const planner = add(root, 'planner', 'agent', 400);
    add(planner, 'chat gpt-4o', 'llm', 100 + (i % 7), { kind: 'client', llm: { ...emptyLlm(), requestModel: 'gpt-4o', costUsd: 0.01 } });
    for (let k = 0; k < (i % 10 === 0 ? 3 : 1); k++) add(planner, 'search', 'tool', 20 + k);
    if (fails) add(planner, 'refund', 'tool', 30, { status: { code: 'error', message: 'refund failed' } });
    else {
      add(planner, 'pay', 'tool', 40);
      if (options.release === '2.0') add(planner, 'notify', 'tool', 5);
    }
  }
  return spans;
}

/** The attributes that make the server categorise a fleet span as the fleet has it (`normalize/category.ts`). */
const OPERATION: Partial<Record<SpanRecord['category'], Record<string, string | number>>> = {
  workflow: { 'gen_ai.operation.name': 'workflow' },
  agent: { 'gen_ai.operation.name': 'invoke_agent' },
  tool: { 'gen_ai.operation.name': 'execute_tool' },
  llm: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000 },
};

/** The fleet's spans as one OTLP/JSON `ExportTraceServiceRequest` of each release's resource (`POST /v1/traces`). */
export function fleetOtlpJson(spans: readonly SpanRecord[]): Uint8Array {
  const byRelease = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const release = String(s.resource.attributes['service.version']);
    byRelease.set(release, [...(byRelease.get(release) ?? []), s]);
  }
  return encodeTracesJson(
    [...byRelease].map(([release, group]) => ({
      resource: { attributes: { 'service.name': group[0]!.serviceName, 'service.version': release } },
      scopes: [
        {
          scope: { name: 'flow-fleet' },
          items: group.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId === null ? {} : { parentSpanId: s.parentSpanId }),
            name: s.name,
            kind: s.kind === 'server' ? 2 : s.kind === 'client' ? 3 : 1,
            startTimeUnixNano: BigInt(s.startTimeUs) * 1000n,
            endTimeUnixNano: BigInt(s.endTimeUs) * 1000n,
            attributes: OPERATION[s.category] ?? {},
            status: { code: s.status.code === 'error' ? 2 : 0, message: s.status.message },
          })),
        },
      ],
    })),
  );
}

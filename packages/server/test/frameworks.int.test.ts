import { readFileSync } from 'node:fs';
import type { AttributeValue, TraceSummary } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from './support/server.js';
import { eventually } from './support/trace-bodies.js';

/**
 * A captured Mastra agent run (fixtures/frameworks/mastra.json), sent to a real server as OTLP/JSON.
 * The trace list then shows its tokens once, its cost, and the session and user Mastra sent as bare
 * attributes. Before the fix it showed no tokens: the steps were taken for the calls.
 */

interface FixtureSpan {
  case: string;
  name: string;
  kind: string;
  parentIndex: number | null;
  startUs: number;
  durationUs: number;
  scope: { name: string; version?: string };
  attributes: Record<string, AttributeValue>;
}

const CASE = 'openai(responses).generate.tool[tracingOptions.metadata sessionId/userId]';
const TRACE_ID = '5f0a7c1e9b2d4c6e8a1b3c5d7e9f0a21';
const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

function otlpValue(value: AttributeValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { arrayValue: { values: (value as AttributeValue[]).map(otlpValue) } };
}

function otlpBody(spans: FixtureSpan[]): string {
  const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
  const idOf = (i: number) => (i + 1).toString(16).padStart(16, '0');
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'capture' } }] },
        scopeSpans: [
          {
            scope: { name: spans[0]!.scope.name, version: spans[0]!.scope.version },
            spans: spans.map((s, i) => ({
              traceId: TRACE_ID,
              spanId: idOf(i),
              ...(s.parentIndex === null ? {} : { parentSpanId: idOf(s.parentIndex) }),
              name: s.name,
              kind: KINDS.indexOf(s.kind),
              startTimeUnixNano: String(startNs + BigInt(s.startUs) * 1000n),
              endTimeUnixNano: String(startNs + BigInt(s.startUs + s.durationUs) * 1000n),
              attributes: Object.entries(s.attributes).map(([key, value]) => ({ key, value: otlpValue(value) })),
            })),
          },
        ],
      },
    ],
  });
}

describe('a captured Mastra agent trace, sent as OTLP', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/frameworks/mastra.json', import.meta.url), 'utf8')) as { spans: FixtureSpan[] };
    const spans = fixture.spans.filter((s) => s.case === CASE);
    const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpBody(spans) });
    expect(sent.status).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('lists the trace with the tokens of its two model calls counted once, their cost, its session and its user', async () => {
    const listed = await eventually(
      'the trace in the list',
      async () => (await getJson<{ traces: TraceSummary[] }>(server.url, '/api/traces')).body.traces.find((t) => t.traceId === TRACE_ID),
      (t) => t !== undefined,
    );
    // Two Responses calls of 1,200 in (1,000 cached) and 300 out (100 reasoning) on gpt-4o-mini.
    expect(listed).toMatchObject({ inputTokens: 2_400, outputTokens: 600, sessionId: 'session-meta-1', userId: 'user-meta-1' });
    expect(listed!.costUsd).toBeCloseTo((2 * (200 * 0.15 + 1_000 * 0.075 + 300 * 0.6)) / 1e6, 12);
  });
});

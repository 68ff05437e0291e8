import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headOf } from '../src/mcp/budget.js';
import { TOOL_NAMES, callTool } from './support/mcp.js';
import { type TestServer, callJson, startTestServer } from './support/server.js';

/**
 * No tool's answer is longer than its `maxChars` (40,000 unless given): on a real server, with
 * records big enough to pass it in every tool (a span of 400 long attributes, a long prompt,
 * traces of 400 spans, hundreds of error groups, sessions and span names, long score comments),
 * in text that JSON writes longer than it is (quotes, backslashes, control characters, emoji).
 * Each cut answer says it was cut and how to read the rest.
 */

const ESCAPED = 'a "quoted" C:\\dir\\ \u0000\u0001\u001f\t\n 😀𝄞 ';
const escaped = (chars: number): string => headOf(ESCAPED.repeat(Math.ceil(chars / ESCAPED.length)), chars);
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

const WIDE = `${'d'.repeat(31)}1`;
const OTHER = `${'d'.repeat(31)}2`;
const ROOT = hex(1, 16);
const SPANS = 400;

let server: TestServer;
const clients: Client[] = [];

/** A trace of `SPANS` spans: a root of 400 long attributes, a long prompt and an exception; children named `prefix` N, every tenth failed with its own exception type. */
function wideTrace(traceId: string, prefix: string, startNs: bigint): object {
  const at = (ms: number): string => String(startNs + BigInt(ms) * 1_000_000n);
  const prompt = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: escaped(60_000) }] }]);
  const root = {
    traceId,
    spanId: ROOT,
    name: `${prefix} root`,
    kind: 2,
    startTimeUnixNano: at(0),
    endTimeUnixNano: at(5_000),
    attributes: [
      ...Array.from({ length: 400 }, (_, i) => str(`attr.${i}.${escaped(20)}`, escaped(300))),
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.request.model', 'gpt-4o'),
      str('gen_ai.input.messages', prompt),
    ],
    status: { code: 2, message: escaped(5_000) },
    events: [
      {
        name: 'exception',
        timeUnixNano: at(10),
        attributes: [str('exception.type', 'Wide'), str('exception.message', escaped(4_000)), str('exception.stacktrace', escaped(20_000))],
      },
    ],
  };
  const children = Array.from({ length: SPANS - 1 }, (_, i) => ({
    traceId,
    spanId: hex(i + 2, 16),
    parentSpanId: ROOT,
    name: `${prefix} ${i} ${escaped(150)}`,
    startTimeUnixNano: at(i),
    endTimeUnixNano: at(i + 50 + (i % 7)),
    ...(i % 10 === 0
      ? {
          status: { code: 2, message: escaped(2_000) },
          events: [
            {
              name: 'exception',
              timeUnixNano: at(i + 1),
              attributes: [str('exception.type', `Fault${hex(i, 4)}${prefix}`), str('exception.message', escaped(3_000))],
            },
          ],
        }
      : {}),
  }));
  return {
    resourceSpans: [{ resource: { attributes: [str('service.name', 'stress')] }, scopeSpans: [{ scope: { name: 'limits' }, spans: [root, ...children] }] }],
  };
}

/** A session of 100 runs, read on its own; 150 more of one run each. */
const SHARED = 'session "shared" \\ 😀';
const sessionOf = (i: number): string => (i < 100 ? SHARED : `session ${i} "q" \\ 😀`);

/** 250 one-span traces in the sessions of `sessionOf`, named and tagged in long escaped text, the last 20 failed. */
function manyTraces(startNs: bigint): object {
  const spans = Array.from({ length: 250 }, (_, i) => ({
    traceId: hex(0xe0000 + i, 32),
    spanId: ROOT,
    name: `run ${i} ${escaped(400)}`,
    startTimeUnixNano: String(startNs + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(startNs + BigInt(i) * 1_000_000n + 7_000_000n),
    attributes: [str('session.id', sessionOf(i)), str('user.id', escaped(100))],
    // The last 20 fail as the wide roots do: their error group has more long occurrences than 40,000 characters hold.
    ...(i >= 230
      ? {
          status: { code: 2, message: '' },
          events: [{ name: 'exception', timeUnixNano: String(startNs), attributes: [str('exception.type', 'Wide'), str('exception.message', escaped(4_000))] }],
        }
      : {}),
  }));
  return { resourceSpans: [{ resource: { attributes: [str('service.name', 'stress')] }, scopeSpans: [{ scope: { name: 'limits' }, spans }] }] };
}

beforeAll(async () => {
  server = await startTestServer();
  const start = BigInt(Date.now() - 600_000) * 1_000_000n;
  const post = async (path: string, body: object): Promise<void> => {
    const answer = await callJson(server.url, 'POST', path, body);
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  };
  await post('/v1/traces', wideTrace(WIDE, 'step', start));
  await post('/v1/traces', wideTrace(OTHER, 'stage', start + 60_000_000_000n));
  await post('/v1/traces', manyTraces(start));
  await post('/v1/logs', {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'stress')] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: 100 }, (_, i) => ({
              timeUnixNano: String(start + BigInt(i) * 1_000_000n),
              severityNumber: 17,
              body: { stringValue: escaped(1_000) },
              traceId: WIDE,
              spanId: ROOT,
            })),
          },
        ],
      },
    ],
  });
  for (let i = 0; i < 40; i++) await post('/api/scores', { traceId: WIDE, name: `judge ${i}`, value: i / 40, comment: escaped(3_000) });
  // Every span is stored and grouped before the tools are asked: the error groups of both traces are read.
  for (;;) {
    const errors = await callJson<{ groups: unknown[] }>(server.url, 'GET', '/api/errors?limit=200');
    const sessions = await callJson<{ sessions: unknown[] }>(server.url, 'GET', '/api/sessions?limit=200');
    if (errors.body.groups.length >= 80 && sessions.body.sessions.length >= 151) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.stop();
});

async function connect(): Promise<Client> {
  const client = new Client({ name: 'spoor-limits', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  clients.push(client);
  return client;
}

/** Each tool asked for more than its limit holds, and how its note says to read the rest. */
/** A list's note: the page size and cursor to page with, or (strings cut, every item shown) a larger maxChars. */
const PAGE = /ask again with limit=\d+ and then each answer's nextCursor|ask again with a larger maxChars/;

const CALLS: Array<{ tool: string; args: Record<string, unknown>; rest: RegExp }> = [
  { tool: 'search_traces', args: { limit: 200 }, rest: PAGE },
  { tool: 'search_traces', args: { limit: 200, sort: 'duration' }, rest: PAGE },
  { tool: 'get_trace', args: { traceId: WIDE }, rest: /call get_trace with traceId="d+1" and spans="\d+,\d+" for the next ones/ },
  { tool: 'get_span', args: { traceId: WIDE, spanId: ROOT }, rest: /ask again with a larger maxChars/ },
  { tool: 'find_errors', args: { limit: 200 }, rest: PAGE },
  { tool: 'find_errors', args: { fingerprint: 'FINGERPRINT' }, rest: /larger maxChars/ },
  { tool: 'span_stats', args: { groupBy: 'name', limit: 500 }, rest: /groups left out .* ask with a larger maxChars/ },
  { tool: 'compare_traces', args: { traceId: WIDE, otherTraceId: OTHER }, rest: /larger maxChars/ },
  { tool: 'list_sessions', args: { limit: 200 }, rest: PAGE },
  { tool: 'list_sessions', args: { sessionId: 'SESSION' }, rest: /larger maxChars/ },
  { tool: 'get_scores', args: { limit: 200 }, rest: PAGE },
];

describe('MCP answers within maxChars', () => {
  it('drives every tool', () => {
    expect(new Set(CALLS.map((c) => c.tool))).toEqual(new Set(TOOL_NAMES));
  });

  it.each([undefined, 2_000, 2_001, 9_999])(
    'answers each tool in text of at most maxChars=%s characters (40,000 unless given), saying what it cut and how to read it',
    async (maxChars) => {
      const client = await connect();
      const limit = maxChars ?? 40_000;
      // The group of both roots' exception: two occurrences of long messages and stacks.
      const groups = (await callTool(client, 'find_errors', { limit: 200, maxChars: 1_000_000 })).json.groups as Array<{
        fingerprint: string;
        exceptionType: string;
      }>;
      const fingerprint = groups.find((group) => group.exceptionType === 'Wide')!.fingerprint;
      for (const { tool, args, rest } of CALLS) {
        const given = Object.fromEntries(
          Object.entries(args).map(([name, value]) => [name, value === 'FINGERPRINT' ? fingerprint : value === 'SESSION' ? SHARED : value]),
        );
        const answer = await callTool(client, tool, { ...given, ...(maxChars === undefined ? {} : { maxChars }) });
        const what = `${tool} ${JSON.stringify(args)}`;
        expect(answer.isError, `${what}: ${answer.text.slice(0, 300)}`).toBe(false);
        expect(answer.text.length, what).toBeLessThanOrEqual(limit);
        expect(typeof answer.json.note, `${what}: ${answer.text.length} ${answer.text.slice(-300)}`).toBe('string');
        expect(answer.json.note, `${what}: ${answer.text.length} ${answer.text.slice(-300)}`).toMatch(
          new RegExp(`maxChars( \\(${limit}\\)| ${limit} held no more)`),
        );
        expect(answer.json.note, what).toMatch(rest);
        // The rest is there: more than the answer held.
        expect(JSON.stringify(answer.json).length, what).toBeGreaterThan(limit / 5);
      }
    },
  );
});

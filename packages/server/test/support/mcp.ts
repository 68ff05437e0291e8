import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';
import { callJson } from './server.js';

/**
 * What the MCP tests send to Spoor and what each tool must then answer, shared by the tests of
 * both transports (`mcp-http.int.test.ts`, `mcp-stdio.int.test.ts`): two runs of an agent in one
 * session (a root, an LLM call with its messages, a failed lookup with its exception), an error
 * log, a score, and a trace of 300 spans for paging.
 */

export const RUN_A = 'a1c0ffee00000000000000000000000a';
export const RUN_B = 'b2c0ffee00000000000000000000000b';
export const BIG = 'c3c0ffee00000000000000000000000c';
export const ROOT = '00000000000000a1';
export const LLM = '00000000000000a2';
export const LOOKUP = '00000000000000a3';
export const SESSION = 'sess-mcp-1';
export const SERVICE = 'support-agent';
export const BIG_SPANS = 300;

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

function runBody(traceId: string, model: string, outputTokens: number, startNs: bigint): object {
  const at = (ms: number): string => String(startNs + BigInt(ms) * 1_000_000n);
  const messages = [
    str('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order 42?' }] }])),
    str(
      'gen_ai.output.messages',
      JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `Let me look it up (${model}).` }], finish_reason: 'stop' }]),
    ),
  ];
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', SERVICE)] },
        scopeSpans: [
          {
            scope: { name: 'mcp-test' },
            spans: [
              {
                traceId,
                spanId: ROOT,
                name: 'answer question',
                kind: 2,
                startTimeUnixNano: at(0),
                endTimeUnixNano: at(900),
                attributes: [str('session.id', SESSION), str('user.id', 'ann')],
              },
              {
                traceId,
                spanId: LLM,
                parentSpanId: ROOT,
                name: `chat ${model}`,
                kind: 3,
                startTimeUnixNano: at(10),
                endTimeUnixNano: at(400),
                attributes: [
                  str('gen_ai.provider.name', 'openai'),
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.request.model', model),
                  int('gen_ai.usage.input_tokens', 120),
                  int('gen_ai.usage.output_tokens', outputTokens),
                  ...messages,
                ],
              },
              {
                traceId,
                spanId: LOOKUP,
                parentSpanId: ROOT,
                name: 'lookup order',
                startTimeUnixNano: at(450),
                endTimeUnixNano: at(800),
                status: { code: 2, message: 'order 42 not found in the orders table' },
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: at(799),
                    attributes: [
                      str('exception.type', 'OrderNotFound'),
                      str('exception.message', 'order 42 not found in the orders table'),
                      str('exception.stacktrace', 'OrderNotFound: order 42\n    at lookup (orders.ts:12:3)'),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

function bigBody(startNs: bigint): object {
  const at = (ms: number): string => String(startNs + BigInt(ms) * 1_000_000n);
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', SERVICE)] },
        scopeSpans: [
          {
            spans: Array.from({ length: BIG_SPANS }, (_, i) => ({
              traceId: BIG,
              spanId: (i + 1).toString(16).padStart(16, '0'),
              ...(i === 0 ? {} : { parentSpanId: (Math.floor((i - 1) / 10) + 1).toString(16).padStart(16, '0') }),
              name: i === 0 ? 'batch' : `item ${i}`,
              startTimeUnixNano: at(i),
              endTimeUnixNano: at(i + 400),
            })),
          },
        ],
      },
    ],
  };
}

/** Sends the runs, the log, the big trace and the score with `ingestKey`. */
export async function seed(url: string, ingestKey: string): Promise<void> {
  const start = BigInt(Date.now() - 120_000) * 1_000_000n;
  const post = async (path: string, body: object): Promise<void> => {
    const answer = await callJson(url, 'POST', path, body, { key: ingestKey });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  };
  await post('/v1/traces', runBody(RUN_A, 'gpt-4o', 30, start));
  await post('/v1/traces', runBody(RUN_B, 'gpt-4o-mini', 90, start + 5_000_000_000n));
  await post('/v1/traces', bigBody(start));
  await post('/v1/logs', {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', SERVICE)] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: String(start + 800_000_000n),
                severityNumber: 17,
                severityText: 'ERROR',
                body: { stringValue: 'lookup failed: order 42 is not in the orders table' },
                traceId: RUN_A,
                spanId: LOOKUP,
              },
            ],
          },
        ],
      },
    ],
  });
  await post('/api/scores', { traceId: RUN_A, name: 'helpfulness', value: 0.2, comment: 'never found the order' });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read fields of every tool's answer
type Answer = Record<string, any>;

export const TOOL_NAMES = ['search_traces', 'get_trace', 'get_span', 'find_errors', 'span_stats', 'compare_traces', 'list_sessions', 'get_scores'];

export interface ToolResult {
  isError: boolean;
  text: string;
  /** The text read as JSON (`null` for an error's plain text). */
  json: Answer;
}

/** Calls a tool and reads its one text content. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text: string }>;
  expect(content).toHaveLength(1);
  const text = content[0]!.text;
  let json: Answer = {};
  try {
    json = JSON.parse(text) as Answer;
  } catch {
    // An error's text is a sentence.
  }
  return { isError: result.isError === true, text, json };
}

/** A success's JSON, failing with the tool's error text otherwise. */
export async function answerOf(client: Client, name: string, args: Record<string, unknown> = {}): Promise<Answer> {
  const result = await callTool(client, name, args);
  expect(result.isError, `${name}: ${result.text}`).toBe(false);
  return result.json;
}

/** Lists the tools and checks each: its name, a description, and arguments named as the REST API's parameters, no others taken. */
export async function expectToolList(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
  for (const tool of tools) {
    expect(tool.description!.length, tool.name).toBeGreaterThan(100);
    expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(tool.annotations).toMatchObject({ readOnlyHint: true });
  }
  const args = (name: string): string[] => Object.keys(tools.find((t) => t.name === name)!.inputSchema.properties ?? {});
  expect(args('search_traces')).toEqual([
    'from',
    'to',
    'last',
    'service',
    'name',
    'text',
    'status',
    'minDurationMs',
    'maxDurationMs',
    'attr',
    'sessionId',
    'model',
    'origin',
    'score',
    'sort',
    'limit',
    'cursor',
    'maxChars',
  ]);
  expect(args('get_trace')).toEqual(['traceId', 'spans', 'maxChars']);
  expect(tools.find((t) => t.name === 'get_trace')!.inputSchema.required).toEqual(['traceId']);
  expect(args('get_span')).toEqual(['traceId', 'spanId', 'maxChars']);
  expect(args('find_errors')).toEqual(['from', 'to', 'last', 'status', 'service', 'sort', 'limit', 'cursor', 'fingerprint', 'maxChars']);
  expect(args('span_stats')).toEqual(expect.arrayContaining(['from', 'to', 'last', 'service', 'kind', 'category', 'root', 'groupBy', 'limit', 'maxChars']));
  expect(args('compare_traces')).toEqual(['traceId', 'otherTraceId', 'maxChars']);
  expect(args('list_sessions')).toEqual(['from', 'to', 'last', 'limit', 'cursor', 'user', 'sessionId', 'hours', 'maxChars']);
  expect(args('get_scores')).toEqual(['from', 'to', 'last', 'traceId', 'spanId', 'sessionId', 'name', 'source', 'limit', 'cursor', 'maxChars']);
}

/** Calls every tool on the seeded data and checks that each answer carries it. */
export async function expectEveryTool(client: Client): Promise<void> {
  const found = await answerOf(client, 'search_traces', { service: SERVICE, sessionId: SESSION });
  expect(found.traces.map((t: { traceId: string }) => t.traceId).sort()).toEqual([RUN_A, RUN_B]);
  expect(found.traces.find((t: { traceId: string }) => t.traceId === RUN_A)).toMatchObject({
    rootName: 'answer question',
    errorCount: 1,
    spanCount: 3,
    inputTokens: 120,
    outputTokens: 30,
    userId: 'ann',
  });

  const trace = await answerOf(client, 'get_trace', { traceId: RUN_A });
  expect(trace.trace).toMatchObject({
    traceId: RUN_A,
    rootName: 'answer question',
    spanCount: 3,
    errorCount: 1,
    sessionId: SESSION,
    models: ['gpt-4o'],
    inputTokens: 120,
    outputTokens: 30,
    logCount: 1,
  });
  expect(trace.trace.costUsd).toBeGreaterThan(0);
  expect(trace.trace.errorLogs).toEqual([expect.objectContaining({ spanId: LOOKUP, body: 'lookup failed: order 42 is not in the orders table' })]);
  expect(trace.trace.scores).toEqual([expect.objectContaining({ name: 'helpfulness', value: 0.2 })]);
  expect(trace.spans).toEqual([
    expect.objectContaining({ spanId: ROOT, depth: 0, name: 'answer question' }),
    expect.objectContaining({ spanId: LLM, depth: 1, name: 'chat gpt-4o', category: 'llm', model: 'gpt-4o', inputTokens: 120, outputTokens: 30 }),
    expect.objectContaining({ spanId: LOOKUP, depth: 1, name: 'lookup order', status: 'error', error: 'order 42 not found in the orders table' }),
  ]);
  expect(trace.nextSpans).toBeNull();

  const llm = await answerOf(client, 'get_span', { traceId: RUN_A, spanId: LLM });
  expect(llm.span).toMatchObject({ spanId: LLM, name: 'chat gpt-4o', llm: { requestModel: 'gpt-4o', inputTokens: 120, outputTokens: 30 } });
  expect(llm.messages.input[0].parts[0].content).toBe('Where is my order 42?');
  expect(llm.messages.output[0].parts[0].content).toBe('Let me look it up (gpt-4o).');
  const lookup = await answerOf(client, 'get_span', { traceId: RUN_A, spanId: LOOKUP });
  expect(lookup.span.status).toEqual({ code: 'error', message: 'order 42 not found in the orders table' });
  expect(lookup.span.events[0].attributes['exception.stacktrace']).toContain('orders.ts:12:3');
  expect(lookup.logs.map((l: { body: string }) => l.body)).toEqual(['lookup failed: order 42 is not in the orders table']);
  expect(lookup.messages).toBeUndefined();

  const errors = await answerOf(client, 'find_errors', { service: SERVICE });
  const group = errors.groups.find((g: { sampleMessage: string }) => g.sampleMessage.includes('order 42'));
  expect(group).toMatchObject({ count: 2, traceCount: 2, services: [SERVICE] });
  expect(group.sampleTraceIds.sort()).toEqual([RUN_A, RUN_B]);
  expect(group.hourly).toBeUndefined();
  const occurrences = await answerOf(client, 'find_errors', { fingerprint: group.fingerprint });
  expect(occurrences.group.fingerprint).toBe(group.fingerprint);
  expect(occurrences.occurrences.map((o: { traceId: string }) => o.traceId).sort()).toEqual([RUN_A, RUN_B]);

  const stats = await answerOf(client, 'span_stats', { service: SERVICE, groupBy: 'name' });
  expect(stats.groups.find((g: { key: string }) => g.key === 'lookup order')).toMatchObject({ count: 2, errorCount: 2 });
  const byModel = await answerOf(client, 'span_stats', { service: SERVICE, groupBy: 'model', category: 'llm' });
  expect(byModel.groups.map((g: { key: string }) => g.key).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);

  const diff = await answerOf(client, 'compare_traces', { traceId: RUN_A, otherTraceId: RUN_B });
  expect(diff.a).toMatchObject({ traceId: RUN_A, spanCount: 3 });
  expect(diff.deltas.outputTokens).toBe(60);
  expect(diff.changed).toEqual(expect.arrayContaining([expect.objectContaining({ aSpanId: LLM, bSpanId: LLM })]));
  expect(diff.rows).toBeUndefined();

  const sessions = await answerOf(client, 'list_sessions', {});
  expect(sessions.sessions).toEqual(expect.arrayContaining([expect.objectContaining({ sessionId: SESSION })]));
  const session = await answerOf(client, 'list_sessions', { sessionId: SESSION, hours: 1 });
  expect(session.runs.map((r: { traceId: string }) => r.traceId).sort()).toEqual([RUN_A, RUN_B]);

  const scores = await answerOf(client, 'get_scores', { traceId: RUN_A });
  expect(scores.scores).toEqual([expect.objectContaining({ traceId: RUN_A, name: 'helpfulness', value: 0.2, comment: 'never found the order' })]);
}

/** Pages through the big trace with a small `maxChars`: every span once, in tree order, each page saying what is left and how to get it. */
export async function expectPagedTrace(client: Client): Promise<void> {
  const seen: string[] = [];
  let spans: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await answerOf(client, 'get_trace', { traceId: BIG, maxChars: 4000, ...(spans === undefined ? {} : { spans }) });
    pages++;
    expect(JSON.stringify(page).length).toBeLessThanOrEqual(4000);
    expect(page.trace.spanCount).toBe(BIG_SPANS);
    expect(page.offset).toBe(seen.length);
    seen.push(...page.spans.map((s: { spanId: string }) => s.spanId));
    if (page.nextSpans === null) {
      expect(page.note).toContain('the rest of the trace');
      break;
    }
    expect(page.note).toContain(`${BIG_SPANS - seen.length} after them are left out`);
    expect(page.note).toContain(`spans="${page.nextSpans}"`);
    spans = page.nextSpans;
  }
  expect(pages).toBeGreaterThan(3);
  expect(new Set(seen).size).toBe(BIG_SPANS);
  expect(seen[0]).toBe('0000000000000001');
  // Tree order: each span's children right after it (span 2's are 12..21, after 2 itself).
  expect(seen.indexOf('000000000000000c')).toBe(seen.indexOf('0000000000000002') + 1);
}

import type { ErrorParts, LlmFields, LogRecordData, SpanEventRecord, SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { errorsFromLogs, errorsFromSpans, fingerprintOf, normalizeMessage } from './errors.js';

function span(overrides: Partial<SpanRecord>): SpanRecord {
  return {
    projectId: 'default', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), parentSpanId: null, traceState: '', flags: 0,
    name: 'op', kind: 'internal', serviceName: 'svc', startTimeUs: 1_000, endTimeUs: 2_000, status: { code: 'unset', message: '' },
    attributes: {}, resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' },
    scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 }, events: [], links: [],
    droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0, llm: null, sessionId: null, userId: null,
    category: 'other', ...overrides,
  };
}

function llm(overrides: Partial<LlmFields>): LlmFields {
  return {
    provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', responseModel: null, inputTokens: null, outputTokens: null,
    totalTokens: null, cacheReadInputTokens: null, cacheCreationInputTokens: null, reasoningTokens: null, costUsd: null,
    costSource: null, timeToFirstTokenMs: null, finishReasons: null, ...overrides,
  };
}

function exception(type: string, message: string, stacktrace = '', timeUs = 1_500): SpanEventRecord {
  return { timeUs, name: 'exception', attributes: { 'exception.type': type, 'exception.message': message, 'exception.stacktrace': stacktrace }, droppedAttributesCount: 0 };
}

function log(overrides: Partial<LogRecordData>): LogRecordData {
  return {
    projectId: 'default', logId: 'l1', timeUs: 5_000, observedTimeUs: 5_000, traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), flags: 0,
    severityNumber: 17, severityText: 'ERROR', body: 'something failed', attributes: {},
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: '' }, scope: { name: '', version: '', attributes: {}, droppedAttributesCount: 0 },
    serviceName: 'svc', eventName: '', droppedAttributesCount: 0, ...overrides,
  };
}

const NODE_TRACE = (line: number) => `Error: boom
    at JSON.parse (<anonymous>)
    at APIClient.makeRequest (/app/node_modules/openai/core.js:${line}:9)
    at async Planner.plan [as step] (file:///srv/app/src/planner.mjs:${line}:4)
    at async main (/srv/app/src/main.ts:3:1)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;

describe('normalizeMessage', () => {
  it.each([
    ['Rate limit reached for gpt-4o in organization org-AbC123 on tokens per min: Limit 30000, Used 29876, Requested 1200. Please try again in 2.4s',
      'Rate limit reached for <id> in organization <id> on tokens per min: Limit <n>, Used <n>, Requested <n>. Please try again in <n>'],
    ["Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}",
      "Error code: <n> - {'error': {'message': <str>, 'type': <str>, 'param': None, 'code': 'rate_limit_exceeded'}}"],
    ["Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}, 'request_id': 'req_011CSHoEeqs5C35K2UUqR7Fy'}",
      "Error code: <n> - {'type': <str>, 'error': {'type': 'overloaded_error', 'message': <str>}, 'request_id': <str>}"],
    ['{"error":{"message":"Invalid \\"model\\" value","type":"invalid_request_error"}}', '{"error":{"message":<str>,"type":"invalid_request_error"}}'],
    ["This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
      "This model's maximum context length is <n> tokens. However, your messages resulted in <n> tokens."],
    ["ENOENT: no such file or directory, open '/app/data/run-42/out.json'", 'ENOENT: no such file or directory, open <str>'],
    ['cannot read `config.yaml`', 'cannot read <str>'],
    ["KeyError: 'user_id'", "KeyError: 'user_id'"],
    ['Request 550e8400-e29b-41d4-a716-446655440000 failed', 'Request <uuid> failed'],
    ['no account for bob.smith+test@example.co.uk', 'no account for <email>'],
    ['token expired at 2024-05-01T10:22:33.123Z (issued 2024-04-30)', 'token expired at <time> (issued <time>)'],
    ['POST https://api.openai.com/v1/chat/completions?user=42 timed out.', 'POST https://api.openai.com/<path> timed out.'],
    ['connect ECONNREFUSED http://10.0.0.12:8080', 'connect ECONNREFUSED http://<n>:<n>'],
    ['segfault at 0x7ffd5e8c in trace 4bf92f3577b34da6a3ce929d0e0e4736', 'segfault at <hex> in trace <hex>'],
    ['tool call call_abc123 failed for run req_8fK2x9', 'tool call <id> failed for run <id>'],
    ['offset -5 out of range 0.75, took 1,200ms', 'offset <n> out of range <n>, took <n>'],
    ['model claude-3-5-sonnet-20241022 not found', 'model <id> not found'],
    ["  can't\n\tconnect   ", "can't connect"],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeMessage(input)).toBe(expected);
  });

  it.each([
    ['Request req_8fK2x9 failed after 3 retries', 'Request req_Zq71mm failed after 5 retries'],
    ['Limit 30000, Used 29876, Requested 1200. Please try again in 2.4s', 'Limit 90000, Used 89990, Requested 12. Please try again in 600ms'],
    ["open '/tmp/a.txt' failed", 'open "/var/data/b.json" failed'],
    ['span 4bf92f3577b34da6 ended', 'span 00f067aa0ba902b7 ended'],
  ])('gives %j and %j the same key', (a, b) => {
    expect(normalizeMessage(a)).toBe(normalizeMessage(b));
  });

  it.each([
    ['file not found', 'permission denied'],
    ["{'type': 'error', 'error': {'type': 'rate_limit_error'}}", "{'type': 'error', 'error': {'type': 'overloaded_error'}}"],
    ['connect to https://api.openai.com failed', 'connect to https://api.anthropic.com failed'],
    ["KeyError: 'user_id'", "KeyError: 'session_id'"],
  ])('keeps %j and %j apart', (a, b) => {
    expect(normalizeMessage(a)).not.toBe(normalizeMessage(b));
  });

  it('caps the key at 300 characters', () => {
    expect(normalizeMessage('word '.repeat(200)).length).toBeLessThanOrEqual(300);
  });
});

describe('fingerprintOf', () => {
  const base: ErrorParts = {
    exceptionType: 'RateLimitError', messageKey: 'Rate limit reached for <id>', frame: 'run (agent/run.py)',
    provider: 'openai', httpStatus: 429, errorType: 'RateLimitError', finishReason: null, toolName: null,
  };

  it('is 16 lowercase hex digits and the same for the same parts', () => {
    expect(fingerprintOf(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf({ ...base })).toBe(fingerprintOf(base));
  });

  it.each<[string, Partial<ErrorParts>]>([
    ['exception type', { exceptionType: 'APIConnectionError' }],
    ['message', { messageKey: 'Connection error.' }],
    ['frame', { frame: 'plan (agent/plan.py)' }],
    ['no frame', { frame: null }],
    ['provider', { provider: 'azure.ai.openai' }],
    ['HTTP status', { httpStatus: 529 }],
    ['error type', { errorType: '429' }],
    ['finish reason', { finishReason: 'length' }],
    ['tool', { toolName: 'web_search' }],
  ])('changes with the %s', (_label, change) => {
    expect(fingerprintOf({ ...base, ...change })).not.toBe(fingerprintOf(base));
  });

  it('changes with the algorithm version', () => {
    expect(fingerprintOf(base, 2)).not.toBe(fingerprintOf(base));
  });
});

describe('errorsFromSpans', () => {
  const rateLimited = (requestId: string, line: number, spanId = 'b'.repeat(16)) => span({
    spanId, name: 'chat gpt-4o', category: 'llm', status: { code: 'error', message: 'rate limited' },
    llm: llm({ provider: 'openai' }), attributes: { 'error.type': 'RateLimitError', 'http.response.status_code': 429 },
    events: [exception('openai.RateLimitError', `Error code: 429 - request ${requestId}`, NODE_TRACE(line), 1_700)],
  });

  it('records nothing for spans that did not fail', () => {
    const ok = span({ status: { code: 'ok', message: '' } });
    const handled = span({ events: [exception('ValueError', 'retrying')] });
    const stopped = span({ category: 'llm', llm: llm({ finishReasons: ['stop'] }) });
    expect(errorsFromSpans([ok, handled, stopped])).toEqual([]);
  });

  it('records an LLM call that failed with a 429, from its exception event', () => {
    expect(errorsFromSpans([rateLimited('req_8fK2x9', 12)])).toEqual([{
      projectId: 'default', fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/), timeUs: 1_700, traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16), parentSpanId: null, serviceName: 'svc', spanName: 'chat gpt-4o', message: 'Error code: 429 - request req_8fK2x9',
      source: 'span', exceptionType: 'openai.RateLimitError', messageKey: 'Error code: <n> - request <id>', frame: 'Planner.plan (src/planner.mjs)',
      provider: 'openai', httpStatus: 429, errorType: 'RateLimitError', finishReason: null, toolName: null,
    }]);
  });

  it('groups occurrences that differ only in request ids and line numbers', () => {
    const [a, b] = errorsFromSpans([rateLimited('req_8fK2x9', 12, '1'.repeat(16)), rateLimited('req_Q7a001', 99, '2'.repeat(16))]);
    expect(a?.fingerprint).toBe(b?.fingerprint);
  });

  it('takes the HTTP status from a numeric error.type or the SDK message when no attribute has it', () => {
    const byType = span({ category: 'llm', llm: llm({}), status: { code: 'error', message: '' }, attributes: { 'error.type': '503' } });
    const byMessage = span({ category: 'llm', llm: llm({}), status: { code: 'error', message: '' }, events: [exception('APIError', '529 Overloaded')] });
    expect(errorsFromSpans([byType])[0]?.httpStatus).toBe(503);
    expect(errorsFromSpans([byMessage])[0]?.httpStatus).toBe(529);
  });

  it('records a failed tool call under its tool name, without LLM parts', () => {
    const [named] = errorsFromSpans([span({
      name: 'execute_tool', category: 'tool', status: { code: 'error', message: 'HTTP 500 from search backend' },
      attributes: { 'gen_ai.tool.name': 'web_search', 'http.response.status_code': 500 },
    })]);
    expect(named).toMatchObject({ exceptionType: '', message: 'HTTP 500 from search backend', toolName: 'web_search', provider: null, httpStatus: null, timeUs: 2_000 });
    const [unnamed] = errorsFromSpans([span({ name: 'lookup_order', category: 'tool', status: { code: 'error', message: '' } })]);
    expect(unnamed?.toolName).toBe('lookup_order');
  });

  it('records an ok LLM call cut short by finish_reason length', () => {
    const [cut] = errorsFromSpans([span({ category: 'llm', status: { code: 'ok', message: '' }, llm: llm({ finishReasons: ['length'] }) })]);
    expect(cut).toMatchObject({ exceptionType: 'FinishReason', finishReason: 'length', provider: 'openai', timeUs: 2_000 });
    expect(cut?.message).toContain('finish_reason length');
  });

  it('reads the finish reasons of other providers, and keeps a filtered output apart from a truncated one', () => {
    const maxTokens = span({ category: 'llm', llm: llm({ provider: 'anthropic', finishReasons: ['max_tokens'] }) });
    const safety = span({ category: 'llm', llm: llm({ provider: 'anthropic', finishReasons: ['SAFETY'] }) });
    const [a, b] = errorsFromSpans([maxTokens, safety]);
    expect([a?.finishReason, b?.finishReason]).toEqual(['length', 'content_filter']);
    expect(a?.fingerprint).not.toBe(b?.fingerprint);
  });

  it('uses the last exception event, else error.type and the status message', () => {
    const [last] = errorsFromSpans([span({ status: { code: 'error', message: '' }, events: [exception('ValueError', 'first'), exception('KeyError', "'x'")] })]);
    expect(last).toMatchObject({ exceptionType: 'KeyError', message: "'x'" });
    const [bare] = errorsFromSpans([span({ status: { code: 'error', message: 'deadline exceeded' }, attributes: { 'error.type': 'timeout' } })]);
    expect(bare).toMatchObject({ exceptionType: 'timeout', message: 'deadline exceeded', frame: null });
  });

  it('leaves the exception type of a span that failed with only a status empty, and groups it by the status message', () => {
    const failed = (spanId: string, message: string) => span({ spanId, status: { code: 'error', message } });
    const [write, again, other] = errorsFromSpans([failed('1'.repeat(16), 'write to /data/7 failed'), failed('2'.repeat(16), 'write to /data/9 failed'), failed('3'.repeat(16), 'queue full')]);
    expect([write?.exceptionType, again?.exceptionType, other?.exceptionType]).toEqual(['', '', '']);
    expect(write?.fingerprint).toBe(again?.fingerprint);
    expect(write?.fingerprint).not.toBe(other?.fingerprint);
    // Cut short with an error status and nothing thrown: no type either, the finish reason says what happened.
    const [cut] = errorsFromSpans([span({ category: 'llm', status: { code: 'error', message: '' }, llm: llm({ finishReasons: ['length'] }) })]);
    expect(cut).toMatchObject({ exceptionType: '', finishReason: 'length' });
  });

  it('counts an exception once when parent spans only pass it on', () => {
    const child = span({ spanId: '3'.repeat(16), parentSpanId: '2'.repeat(16), status: { code: 'error', message: '' }, events: [exception('TimeoutError', 'took 30s')] });
    const parent = span({ spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), status: { code: 'error', message: '' }, events: [exception('TimeoutError', 'took 30s')] });
    const root = span({ spanId: '1'.repeat(16), status: { code: 'error', message: '' } });
    expect(errorsFromSpans([child, parent, root]).map((o) => o.spanId)).toEqual(['3'.repeat(16)]);
    const own = span({ spanId: '2'.repeat(16), status: { code: 'error', message: '' }, events: [exception('PlanError', 'no plan')] });
    expect(errorsFromSpans([child, own])).toHaveLength(2);
  });

  it('counts a parent that failed with only a status message over a failed child as passing it on', () => {
    const child = span({ spanId: '3'.repeat(16), parentSpanId: '2'.repeat(16), status: { code: 'error', message: '' }, events: [exception('CitationError', '2 of 9 sources unverified')] });
    const step = span({ spanId: '2'.repeat(16), status: { code: 'error', message: 'step write failed' } });
    expect(errorsFromSpans([child, step]).map((o) => o.spanId)).toEqual(['3'.repeat(16)]);
    // Its own error.type, or no failed child, and it counts.
    const typed = span({ spanId: '2'.repeat(16), status: { code: 'error', message: 'step write failed' }, attributes: { 'error.type': 'StepError' } });
    expect(errorsFromSpans([child, typed])).toHaveLength(2);
    const cut = span({ spanId: '4'.repeat(16), parentSpanId: '2'.repeat(16), category: 'llm', llm: llm({ finishReasons: ['length'] }) });
    expect(errorsFromSpans([cut, step]).map((o) => o.spanId)).toEqual(['4'.repeat(16)]);
    expect(errorsFromSpans([step, span({ spanId: '5'.repeat(16), parentSpanId: '2'.repeat(16) })]).map((o) => o.message)).toEqual(['step write failed']);
  });

  it('keeps at most 2,000 characters of the message', () => {
    const [long] = errorsFromSpans([span({ status: { code: 'error', message: 'x'.repeat(5_000) } })]);
    expect(long?.message).toHaveLength(2_000);
  });
});

describe('errorsFromLogs', () => {
  it('records an error log carrying an exception', () => {
    const stacktrace = 'Traceback (most recent call last):\n  File "/app/tools/search.py", line 7, in search\n';
    expect(errorsFromLogs([log({ eventName: 'tool.failed', attributes: { 'exception.type': 'ValueError', 'exception.message': 'bad query 42', 'exception.stacktrace': stacktrace } })])).toEqual([
      expect.objectContaining({
        source: 'log', spanName: 'tool.failed', traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), parentSpanId: null, timeUs: 5_000,
        exceptionType: 'ValueError', message: 'bad query 42', messageKey: 'bad query <n>', frame: 'search (tools/search.py)', provider: null,
      }),
    ]);
  });

  it('takes the body as the message when the exception has none', () => {
    const [occurrence] = errorsFromLogs([log({ body: 'payment failed', attributes: { 'exception.type': 'StripeError' } })]);
    expect(occurrence).toMatchObject({ exceptionType: 'StripeError', message: 'payment failed', spanName: '' });
  });

  it('leaves the exception type of an exception logged without one empty', () => {
    const [occurrence] = errorsFromLogs([log({ attributes: { 'exception.message': 'disk full' } })]);
    expect(occurrence).toMatchObject({ exceptionType: '', message: 'disk full', messageKey: 'disk full' });
  });

  it('ignores error logs without an exception, and exceptions logged below ERROR', () => {
    const plain = log({});
    const warning = log({ severityNumber: 13, attributes: { 'exception.type': 'Warning', 'exception.message': 'slow' } });
    expect(errorsFromLogs([plain, warning])).toEqual([]);
  });
});

import type { LlmFields, LogRecordData, SpanEventRecord, SpanRecord } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { emptyLlm, log as recordLog, span as recordSpan } from '../../test/support/record-fixtures.js';
import { errorsFromLogs, errorsFromSpans } from './error-occurrences.js';

// The record fixtures with the ids, service and times the expectations below name.
const span = (overrides: Partial<SpanRecord>): SpanRecord =>
  recordSpan({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), serviceName: 'svc', startTimeUs: 1_000, endTimeUs: 2_000, ...overrides });

const llm = (overrides: Partial<LlmFields>): LlmFields => ({ ...emptyLlm(), provider: 'openai', operation: 'chat', requestModel: 'gpt-4o', ...overrides });

function exception(type: string, message: string, stacktrace = '', timeUs = 1_500): SpanEventRecord {
  return {
    timeUs,
    name: 'exception',
    attributes: { 'exception.type': type, 'exception.message': message, 'exception.stacktrace': stacktrace },
    droppedAttributesCount: 0,
  };
}

/** An ERROR log record. */
const log = (overrides: Partial<LogRecordData>): LogRecordData =>
  recordLog({ timeUs: 5_000, traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), severityNumber: 17, severityText: 'ERROR', ...overrides });

const NODE_TRACE = (line: number) => `Error: boom
    at JSON.parse (<anonymous>)
    at APIClient.makeRequest (/app/node_modules/openai/core.js:${line}:9)
    at async Planner.plan [as step] (file:///srv/app/src/planner.mjs:${line}:4)
    at async main (/srv/app/src/main.ts:3:1)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;

describe('errorsFromSpans', () => {
  const rateLimited = (requestId: string, line: number, spanId = 'b'.repeat(16)) =>
    span({
      spanId,
      name: 'chat gpt-4o',
      category: 'llm',
      status: { code: 'error', message: 'rate limited' },
      llm: llm({ provider: 'openai' }),
      attributes: { 'error.type': 'RateLimitError', 'http.response.status_code': 429 },
      events: [exception('openai.RateLimitError', `Error code: 429 - request ${requestId}`, NODE_TRACE(line), 1_700)],
    });

  it('records nothing for spans that did not fail', () => {
    const ok = span({ status: { code: 'ok', message: '' } });
    const handled = span({ events: [exception('ValueError', 'retrying')] });
    const stopped = span({ category: 'llm', llm: llm({ finishReasons: ['stop'] }) });
    expect(errorsFromSpans([ok, handled, stopped])).toEqual([]);
  });

  it('records an LLM call that failed with a 429, from its exception event', () => {
    expect(errorsFromSpans([rateLimited('req_8fK2x9', 12)])).toEqual([
      {
        projectId: 'default',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        timeUs: 1_700,
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        parentSpanId: null,
        serviceName: 'svc',
        spanName: 'chat gpt-4o',
        message: 'Error code: 429 - request req_8fK2x9',
        source: 'span',
        exceptionType: 'openai.RateLimitError',
        messageKey: 'Error code: <n> - request <id>',
        frame: 'Planner.plan (src/planner.mjs)',
        provider: 'openai',
        httpStatus: 429,
        errorType: 'RateLimitError',
        finishReason: null,
        toolName: null,
      },
    ]);
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
    const [named] = errorsFromSpans([
      span({
        name: 'execute_tool',
        category: 'tool',
        status: { code: 'error', message: 'HTTP 500 from search backend' },
        attributes: { 'gen_ai.tool.name': 'web_search', 'http.response.status_code': 500 },
      }),
    ]);
    expect(named).toMatchObject({
      exceptionType: '',
      message: 'HTTP 500 from search backend',
      toolName: 'web_search',
      provider: null,
      httpStatus: null,
      timeUs: 2_000,
    });
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
    const [last] = errorsFromSpans([
      span({ status: { code: 'error', message: '' }, events: [exception('ValueError', 'first'), exception('KeyError', "'x'")] }),
    ]);
    expect(last).toMatchObject({ exceptionType: 'KeyError', message: "'x'" });
    const [bare] = errorsFromSpans([span({ status: { code: 'error', message: 'deadline exceeded' }, attributes: { 'error.type': 'timeout' } })]);
    expect(bare).toMatchObject({ exceptionType: 'timeout', message: 'deadline exceeded', frame: null });
  });

  it('leaves the exception type of a span that failed with only a status empty, and groups it by the status message', () => {
    const failed = (spanId: string, message: string) => span({ spanId, status: { code: 'error', message } });
    const [write, again, other] = errorsFromSpans([
      failed('1'.repeat(16), 'write to /data/7 failed'),
      failed('2'.repeat(16), 'write to /data/9 failed'),
      failed('3'.repeat(16), 'queue full'),
    ]);
    expect([write?.exceptionType, again?.exceptionType, other?.exceptionType]).toEqual(['', '', '']);
    expect(write?.fingerprint).toBe(again?.fingerprint);
    expect(write?.fingerprint).not.toBe(other?.fingerprint);
    // Cut short with an error status and nothing thrown: no type either, the finish reason says what happened.
    const [cut] = errorsFromSpans([span({ category: 'llm', status: { code: 'error', message: '' }, llm: llm({ finishReasons: ['length'] }) })]);
    expect(cut).toMatchObject({ exceptionType: '', finishReason: 'length' });
  });

  it('counts an exception once when parent spans only pass it on', () => {
    const child = span({
      spanId: '3'.repeat(16),
      parentSpanId: '2'.repeat(16),
      status: { code: 'error', message: '' },
      events: [exception('TimeoutError', 'took 30s')],
    });
    const parent = span({
      spanId: '2'.repeat(16),
      parentSpanId: '1'.repeat(16),
      status: { code: 'error', message: '' },
      events: [exception('TimeoutError', 'took 30s')],
    });
    const root = span({ spanId: '1'.repeat(16), status: { code: 'error', message: '' } });
    expect(errorsFromSpans([child, parent, root]).map((o) => o.spanId)).toEqual(['3'.repeat(16)]);
    const own = span({ spanId: '2'.repeat(16), status: { code: 'error', message: '' }, events: [exception('PlanError', 'no plan')] });
    expect(errorsFromSpans([child, own])).toHaveLength(2);
  });

  it('counts a parent that failed with only a status message over a failed child as passing it on', () => {
    const child = span({
      spanId: '3'.repeat(16),
      parentSpanId: '2'.repeat(16),
      status: { code: 'error', message: '' },
      events: [exception('CitationError', '2 of 9 sources unverified')],
    });
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
    expect(
      errorsFromLogs([
        log({
          eventName: 'tool.failed',
          attributes: { 'exception.type': 'ValueError', 'exception.message': 'bad query 42', 'exception.stacktrace': stacktrace },
        }),
      ]),
    ).toEqual([
      expect.objectContaining({
        source: 'log',
        spanName: 'tool.failed',
        traceId: 'c'.repeat(32),
        spanId: 'd'.repeat(16),
        parentSpanId: null,
        timeUs: 5_000,
        exceptionType: 'ValueError',
        message: 'bad query 42',
        messageKey: 'bad query <n>',
        frame: 'search (tools/search.py)',
        provider: null,
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

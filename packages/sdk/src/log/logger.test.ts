import { SeverityNumber } from '@opentelemetry/api-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { initInMemory, shutdown } from '../../test/support/memory.js';
import { withCorrelation } from '../context/correlation.js';
import { withSpan } from '../trace/with-span.js';
import { logger, withLogContext } from './logger.js';
import { prettyLine } from './pretty.js';

afterEach(() => shutdown());

describe('logger', () => {
  it('writes JSON lines with time, level, msg, service and the trace, span and correlation ids', async () => {
    const sdk = initInMemory({ serviceName: 'planner' });
    const ids = await withCorrelation('corr-1', () =>
      withSpan('work', async (span) => {
        logger.info({ category: 'agent', tool: 'search' }, 'tool %s finished in %d ms', 'search', 12);
        return span.spanContext();
      }),
    );
    logger.warn('outside any span');
    const [inside, outside] = sdk.lines();
    expect(inside).toMatchObject({
      level: 'info',
      msg: 'tool search finished in 12 ms',
      service: 'planner',
      trace_id: ids.traceId,
      span_id: ids.spanId,
      correlation_id: 'corr-1',
      category: 'agent',
      tool: 'search',
    });
    expect(new Date(String(inside?.time)).toISOString()).toBe(inside?.time);
    expect(outside).toEqual({ level: 'warn', time: outside?.time, service: 'planner', msg: 'outside any span' });
  });

  it('adds withLogContext fields to every line inside, nested contexts merged', async () => {
    const sdk = initInMemory();
    await withLogContext({ tenant: 'acme', user_id: 'u1' }, async () => {
      await withLogContext({ user_id: 'u2', request: 9 }, async () => logger.info('inner'));
      logger.info('outer');
    });
    logger.info('none');
    const [inner, outer, none] = sdk.lines();
    expect(inner).toMatchObject({ tenant: 'acme', user_id: 'u2', request: 9 });
    expect(outer).toMatchObject({ tenant: 'acme', user_id: 'u1' });
    expect(outer?.request).toBeUndefined();
    expect(none?.tenant).toBeUndefined();
  });

  it('serializes errors with type, message, stack and cause', () => {
    const sdk = initInMemory();
    class ToolError extends Error {
      override name = 'ToolError';
    }
    logger.error(new ToolError('search timed out', { cause: new RangeError('deadline') }));
    logger.error({ err: new TypeError('bad'), attempt: 2 }, 'retry failed');
    const [first, second] = sdk.lines();
    expect(first?.msg).toBe('search timed out');
    expect(first?.err).toMatchObject({ type: 'ToolError', message: 'search timed out', cause: { type: 'RangeError', message: 'deadline' } });
    expect(String((first?.err as { stack: string }).stack)).toContain('logger.test.ts');
    expect(second).toMatchObject({ msg: 'retry failed', attempt: 2, err: { type: 'TypeError', message: 'bad' } });
  });

  it('masks secrets in messages, fields and error messages before writing', () => {
    const sdk = initInMemory();
    logger.info({ password: 'hunter2', contact: 'ada@example.com', version: '1.2.3' }, 'login from 10.1.2.3 by %s', 'bob@example.com');
    logger.error(new Error('rejected key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'));
    const text = sdk.text();
    for (const secret of ['hunter2', 'ada@example.com', 'bob@example.com', '10.1.2.3', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z'])
      expect(text).not.toContain(secret);
    const [line] = sdk.lines();
    expect(line).toMatchObject({
      password: '[REDACTED:secret]',
      contact: '[REDACTED:email]',
      version: '1.2.3',
      msg: 'login from [REDACTED:ip] by [REDACTED:email]',
    });
  });

  it('exports the same records as OTLP logs inside their trace', async () => {
    const sdk = initInMemory();
    const spanContext = withCorrelation('corr-otlp', () =>
      withSpan('step', (span) => {
        logger.child({ module: 'retriever' }).warn({ docs: 3, nested: { k: 'v' } }, 'few documents');
        logger.error(new Error('boom'), 'failed');
        return span.spanContext();
      }),
    );
    const records = await sdk.logs();
    expect(records).toHaveLength(2);
    const [warn, error] = records;
    expect(warn?.body).toBe('few documents');
    expect(warn?.severityNumber).toBe(SeverityNumber.WARN);
    expect(warn?.severityText).toBe('WARN');
    expect(warn?.spanContext?.traceId).toBe(spanContext.traceId);
    expect(warn?.spanContext?.spanId).toBe(spanContext.spanId);
    expect(warn?.attributes).toEqual({ module: 'retriever', docs: 3, nested: { k: 'v' }, 'correlation.id': 'corr-otlp' });
    expect(error?.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'boom' });
    expect(String(error?.attributes['exception.stacktrace'])).toContain('logger.test.ts');
    expect(warn?.resource.attributes['service.name']).toBe('test-service');
  });

  it('honours the level and writes nothing below it', () => {
    const sdk = initInMemory({ logLevel: 'warn' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    expect(sdk.lines().map((line) => line.msg)).toEqual(['shown']);
  });

  it('writes one readable line per record in pretty mode', () => {
    const sdk = initInMemory({ logFormat: 'pretty' });
    withCorrelation('abcdef12-0000', () => withSpan('s', () => logger.info({ tool: 'search', docs: 3 }, 'done')));
    expect(sdk.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}done {2}tool=search {2}docs=3 {2}\[trace [0-9a-f]{8} corr abcdef12\]\n$/);
  });
});

describe('prettyLine()', () => {
  it('puts an error stack under the line, indented', () => {
    const line = prettyLine(
      50,
      ',"time":"2026-11-21T10:15:30.123Z"',
      { err: { type: 'Error', message: 'x', stack: 'Error: x\n    at f (a.js:1:1)' } },
      'failed',
    );
    expect(line).toBe('10:15:30.123 ERROR failed\n    Error: x\n        at f (a.js:1:1)\n');
  });
});

describe('logger edge cases', () => {
  it('masks child logger fields and writes no "undefined" message', () => {
    const sdk = initInMemory();
    logger.child({ email: 'bob@example.com', password: 'hunter2' }).info('child line');
    (logger.info as () => void)();
    logger.info(undefined, 'only a message');
    const text = sdk.text();
    expect(text).not.toContain('bob@example.com');
    expect(text).not.toContain('hunter2');
    const [, empty, onlyMessage] = sdk.lines();
    expect(empty?.msg).toBeUndefined();
    expect(onlyMessage?.msg).toBe('only a message');
  });

  it('exports the other records of a batch when one field is cyclic', async () => {
    const sdk = initInMemory();
    class Node {
      self: Node = this;
    }
    logger.info('first');
    logger.info(
      {
        node: new Node(),
        tree: (() => {
          const tree: Record<string, unknown> = {};
          tree.me = tree;
          return tree;
        })(),
      },
      'cyclic',
    );
    logger.info('last');
    const records = await sdk.logs();
    expect(records.map((record) => record.body)).toEqual(['first', 'cyclic', 'last']);
    expect(records[1]?.attributes.tree).toEqual({ me: '[Circular]' });
  });
});

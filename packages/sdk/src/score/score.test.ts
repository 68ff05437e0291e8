import { TraceFlags } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initInMemory, shutdown } from '../../test/support/memory.js';
import { logger } from '../log/logger.js';
import { withSpan } from '../trace/with-span.js';
import { workflow } from '../trace/workflow.js';
import { feedback, score } from './score.js';

afterEach(() => shutdown());

const TRACE = 'ab'.repeat(16);
const SPAN = 'cd'.repeat(8);

describe('score()', () => {
  it('sends a gen_ai.evaluation.result log record parented to the active span, in order with the log lines', async () => {
    const sdk = initInMemory({ serviceName: 'grader' });
    const ids = withSpan('answer', (span) => {
      logger.info('answered');
      score({ name: 'helpful', value: 0.75, label: 'mostly', comment: 'missed one source' });
      return span.spanContext();
    });
    const [line, record] = await sdk.logs();
    expect(line?.body).toBe('answered');
    expect(record?.eventName).toBe('gen_ai.evaluation.result');
    expect(record?.spanContext).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId });
    expect(record?.attributes).toEqual({
      'gen_ai.evaluation.name': 'helpful',
      'gen_ai.evaluation.score.value': 0.75,
      'gen_ai.evaluation.score.label': 'mostly',
      'gen_ai.evaluation.explanation': 'missed one source',
      'spoor.score.source': 'sdk',
    });
    expect(record?.resource.attributes['service.name']).toBe('grader');
    expect(record?.instrumentationScope).toBe(line?.instrumentationScope);
  });

  it("scores the workflow's trace or its session from a step inside it", async () => {
    const sdk = initInMemory();
    const traceId = await workflow('chat-turn', { sessionId: 'chat-7' }, (outer) =>
      workflow('inner', () => {
        score({ name: 'on_topic', label: 'yes', target: 'trace' });
        score({ name: 'resolved', value: 1, target: 'session' });
        return outer.spanContext().traceId;
      }),
    );
    const [forTrace, forSession] = await sdk.logs();
    expect(forTrace?.spanContext?.traceId).toBe(traceId);
    expect(forTrace?.attributes).toMatchObject({ 'spoor.score.target': 'trace' });
    expect(forSession?.attributes).toMatchObject({ 'spoor.score.target': 'session', 'session.id': 'chat-7' });
  });

  it('masks the comment as log lines are masked', async () => {
    const sdk = initInMemory();
    withSpan('answer', () => score({ name: 'helpful', value: 0, comment: 'wrong, says ada@example.com' }));
    const [record] = await sdk.logs();
    expect(record?.attributes['gen_ai.evaluation.explanation']).toBe('wrong, says [REDACTED:email]');
  });

  it('throws a TypeError outside any span when no ids are given, and sends nothing', async () => {
    const sdk = initInMemory();
    expect(() => score({ name: 'helpful', value: 1 })).toThrow(
      new TypeError('score(): traceId: no active span to score; pass traceId (and spanId), or call inside a span'),
    );
    expect(() => withSpan('answer', () => score({ name: 'helpful', value: 1, target: 'session' }))).toThrow(/^score\(\): sessionId: no session to score/);
    expect(() => withSpan('answer', () => score({ name: 'helpful', value: Number.NaN }))).toThrow('score(): value: must be a finite number');
    expect(await sdk.logs()).toEqual([]);
  });
});

describe('feedback()', () => {
  it('records thumbs given later, outside any span, on the trace and span named, from a human', async () => {
    const sdk = initInMemory();
    feedback({ traceId: TRACE, spanId: SPAN, value: 'down', comment: 'made up a citation', userId: 'u-42' });
    feedback({ traceId: TRACE.toUpperCase(), value: 'up' });
    const [onSpan, onTrace] = await sdk.logs();
    expect(onSpan?.eventName).toBe('gen_ai.evaluation.result');
    expect(onSpan?.spanContext).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.NONE });
    expect(onSpan?.attributes).toEqual({
      'gen_ai.evaluation.name': 'thumbs',
      'gen_ai.evaluation.score.value': 0,
      'gen_ai.evaluation.score.label': 'down',
      'gen_ai.evaluation.explanation': 'made up a citation',
      'spoor.score.source': 'human',
      'spoor.score.author': 'u-42',
      'user.id': 'u-42',
    });
    expect(onTrace?.spanContext).toEqual({ traceId: TRACE, spanId: '', traceFlags: TraceFlags.NONE });
    expect(onTrace?.attributes).toMatchObject({ 'gen_ai.evaluation.score.value': 1, 'gen_ai.evaluation.score.label': 'up', 'spoor.score.target': 'trace' });
  });

  it("is about the active span's whole trace when no ids are given", async () => {
    const sdk = initInMemory();
    const traceId = withSpan('answer', (span) => {
      feedback({ value: 5, name: 'stars' });
      return span.spanContext().traceId;
    });
    const [record] = await sdk.logs();
    expect(record?.spanContext?.traceId).toBe(traceId);
    expect(record?.attributes).toMatchObject({ 'gen_ai.evaluation.name': 'stars', 'gen_ai.evaluation.score.value': 5, 'spoor.score.target': 'trace' });
    expect(record?.attributes['gen_ai.evaluation.score.label']).toBeUndefined();
  });
});

describe('score() with the SDK off or not yet set up', () => {
  it('checks the fields but sends nothing and needs no span when disabled', async () => {
    const sdk = initInMemory({ enabled: false });
    expect(() => score({ name: 'helpful', value: 1 })).not.toThrow();
    expect(() => feedback({ value: 'up' })).not.toThrow();
    expect(() => feedback({ value: 'sideways' as 'up' })).toThrow(TypeError);
    expect(await sdk.logs()).toEqual([]);
  });

  it("goes through the global OpenTelemetry logs API before init(), for an app's own OTel SDK", () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    expect(logs.setGlobalLoggerProvider(provider)).toBe(provider);
    const warned = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      feedback({ traceId: TRACE, spanId: SPAN, value: 'up', userId: 'u-1' });
      // No span is active and nothing is set up: nothing to score, and nothing thrown.
      score({ name: 'helpful', value: 1 });
      // The OTel SDK drops a context without a valid span, so a bare trace id cannot go this way.
      feedback({ traceId: TRACE, value: 'down' });
      const [record, ...others] = exporter.getFinishedLogRecords();
      expect(others).toEqual([]);
      expect(record?.eventName).toBe('gen_ai.evaluation.result');
      expect(record?.spanContext).toMatchObject({ traceId: TRACE, spanId: SPAN });
      expect(record?.attributes).toMatchObject({ 'spoor.score.source': 'human', 'gen_ai.evaluation.score.label': 'up' });
      expect(warned.mock.calls.map(([text]) => String(text)).join('')).toContain('before init(), a trace named by its traceId alone cannot be scored');
    } finally {
      warned.mockRestore();
      logs.disable();
    }
  });
});

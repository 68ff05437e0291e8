import {
  microsFromIso,
  type LogRecord,
  type MetricListResponse,
  type MetricPointListResponse,
  type Span,
  type TraceDetail,
  type TraceListResponse,
} from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from '../../server/test/support/server.js';
import { init, logger, shutdown, stage, step, traced, withCorrelation, withSpan, workflow } from '../src/index.js';

/**
 * One agent run sent by the SDK to a real Spoor server over OTLP, then read back through the
 * REST API the way the UI reads it: the span tree, the failed step, the logs inside the trace,
 * and the workflow metrics.
 */

const SERVICE = 'e2e-research-agent';
const CORRELATION_ID = 'corr-e2e-1';
const DOC_DELAY_MS = 20;
const CONSUMER_DELAY_MS = 15;
const TOKENS = 3;

class CitationError extends Error {
  override name = 'CitationError';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const fetchDoc = traced(async function fetchDoc(id: string) {
  await sleep(DOC_DELAY_MS);
  return `doc-${id}`;
});

const streamTokens = traced(async function* streamTokens(count: number) {
  for (let index = 0; index < count; index++) {
    // Runs while the consumer is between iterations: the generator's span must still be active.
    const token = withSpan('token', { attributes: { 'token.index': index } }, () => `t${index}`);
    logger.info({ token_index: index }, 'token streamed');
    yield token;
  }
});

let server: TestServer;
const written: string[] = [];
let trace: TraceDetail;

/** The captured local log lines, parsed. */
function localLines(): Record<string, unknown>[] {
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function spansNamed(name: string): Span[] {
  return trace.spans.filter((span) => span.name === name);
}

function only(name: string): Span {
  const found = spansNamed(name);
  expect(found, `spans named '${name}' among ${trace.spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

function logNamed(body: string): LogRecord {
  const found = trace.logs.filter((log) => log.body === body);
  expect(found, `logs with body '${body}' among ${JSON.stringify(trace.logs.map((l) => l.body))}`).toHaveLength(1);
  return found[0]!;
}

const micros = (iso: string | null) => microsFromIso(iso!)!;

beforeAll(async () => {
  server = await startTestServer();
  init({
    serviceName: SERVICE,
    endpoint: server.url,
    logFormat: 'json',
    logDestination: { write: (line: string) => written.push(line) },
    // One export, at shutdown, so every metric has exactly one point per series.
    metricsIntervalMs: 60_000,
  });

  await withCorrelation(CORRELATION_ID, () =>
    workflow('answer-question', { runId: 'run-e2e-1', mode: 'sequential', agent: 'researcher', model: 'gpt-test', sessionId: 'session-e2e' }, async () => {
      logger.info({ category: 'agent' }, 'workflow started');
      await step('retrieve', { stepId: 'retrieve-1', agent: 'retriever', number: 1 }, () => Promise.all([fetchDoc('a'), fetchDoc('b'), fetchDoc('c')]));
      await stage('generation', 'Generate the answer', async () => {
        for await (const _token of streamTokens(TOKENS)) await sleep(CONSUMER_DELAY_MS);
      });
      try {
        await step('verify', { stepId: 'verify-1', agent: 'checker', number: 2 }, async () => {
          await sleep(1);
          throw new CitationError('citation missing for claim 2');
        });
      } catch (error) {
        logger.error(error);
      }
      return 'answer';
    }),
  );
  await shutdown();

  const list = await getJson<TraceListResponse>(server.url, `/api/traces?service=${SERVICE}`);
  expect(list.status).toBe(200);
  expect(list.body.traces).toHaveLength(1);
  const detail = await getJson<TraceDetail>(server.url, `/api/traces/${list.body.traces[0]!.traceId}`);
  expect(detail.status).toBe(200);
  trace = detail.body;
});

afterAll(async () => {
  await shutdown();
  await server?.stop();
});

describe('a workflow traced by the SDK, as the Spoor API shows it', () => {
  it('arrives as one trace with every span of the run under the workflow', async () => {
    const list = await getJson<TraceListResponse>(server.url, `/api/traces?service=${SERVICE}`);
    expect(list.body.traces.map((t) => ({ id: t.traceId, root: t.rootName, spans: t.spanCount, errors: t.errorCount }))).toEqual([
      { id: trace.traceId, root: 'answer-question', spans: 11, errors: 1 },
    ]);
    expect(trace.spans.map((span) => span.name).sort()).toEqual(
      ['answer-question', 'retrieve', 'fetchDoc', 'fetchDoc', 'fetchDoc', 'generation', 'streamTokens', 'token', 'token', 'token', 'verify'].sort(),
    );
    for (const span of trace.spans) {
      expect(span.traceId).toBe(trace.traceId);
      expect(span.serviceName).toBe(SERVICE);
    }
  });

  it('nests steps, the stage and the parallel calls under the right parents', () => {
    const root = only('answer-question');
    const retrieve = only('retrieve');
    const generation = only('generation');
    const verify = only('verify');
    expect(root.parentSpanId).toBeNull();
    expect(root.depth).toBe(0);
    expect([retrieve, generation, verify].map((span) => span.parentSpanId)).toEqual([root.spanId, root.spanId, root.spanId]);
    expect(only('streamTokens').parentSpanId).toBe(generation.spanId);

    const docs = spansNamed('fetchDoc');
    expect(docs).toHaveLength(3);
    for (const doc of docs) expect(doc.parentSpanId).toBe(retrieve.spanId);
    // Promise.all ran them side by side: each started before any of them ended.
    const lastStart = Math.max(...docs.map((doc) => micros(doc.startTime)));
    const firstEnd = Math.min(...docs.map((doc) => micros(doc.endTime)));
    expect(lastStart).toBeLessThan(firstEnd);
  });

  it('keeps the generator span open across the whole iteration, with its body inside it', () => {
    const generator = only('streamTokens');
    const tokens = spansNamed('token');
    expect(tokens.map((token) => token.attributes['token.index']).sort()).toEqual([0, 1, 2]);
    for (const token of tokens) expect(token.parentSpanId).toBe(generator.spanId);
    // The consumer waited between items, so the span covers those waits, and it ends only after
    // the last item was produced.
    expect(generator.durationMs).toBeGreaterThanOrEqual((TOKENS - 1) * CONSUMER_DELAY_MS);
    const lastToken = Math.max(...tokens.map((token) => micros(token.endTime)));
    expect(micros(generator.endTime)).toBeGreaterThan(lastToken);
    // OTel JS starts each span at Date.now() (whole milliseconds) and measures its duration with
    // performance.now(), so times of different spans compare only to within 1 ms.
    expect(micros(generator.endTime)).toBeLessThanOrEqual(micros(only('generation').endTime) + 1000);
  });

  it('marks the failed step as an error with the exception type and message, and the workflow that caught it as not failed', () => {
    const verify = only('verify');
    expect(verify.status).toEqual({ code: 'error', message: 'citation missing for claim 2' });
    expect(verify.attributes['error.type']).toBe('CitationError');
    const exception = verify.events.find((event) => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({ 'exception.type': 'CitationError', 'exception.message': 'citation missing for claim 2' });
    expect(String(exception?.attributes['exception.stacktrace'])).toContain('CitationError: citation missing for claim 2');

    const errors = trace.spans.filter((span) => span.status.code === 'error').map((span) => span.name);
    expect(errors).toEqual(['verify']);
  });

  it('labels the workflow and step spans with their options', () => {
    expect(only('answer-question').attributes).toMatchObject({
      'spoor.kind': 'workflow',
      'workflow.name': 'answer-question',
      'workflow.run_id': 'run-e2e-1',
      'workflow.mode': 'sequential',
      'workflow.agent': 'researcher',
      'workflow.model': 'gpt-test',
      'session.id': 'session-e2e',
    });
    expect(only('answer-question').sessionId).toBe('session-e2e');
    expect(only('retrieve').attributes).toMatchObject({
      'spoor.kind': 'step',
      'step.id': 'retrieve-1',
      'step.agent': 'retriever',
      'step.number': 1,
      'workflow.name': 'answer-question',
    });
    expect(only('verify').attributes).toMatchObject({ 'step.id': 'verify-1', 'step.number': 2 });
    expect(only('generation').attributes).toMatchObject({ 'spoor.kind': 'stage', 'stage.id': 'generation', 'stage.name': 'Generate the answer' });
  });

  it('puts the correlation id on every span', () => {
    const missing = trace.spans.filter((span) => span.attributes['correlation.id'] !== CORRELATION_ID).map((span) => span.name);
    expect(missing).toEqual([]);
  });

  it('shows the log lines inside the trace, on the span that wrote them, with the correlation id', () => {
    const root = only('answer-question');
    const started = logNamed('workflow started');
    expect(started).toMatchObject({ traceId: trace.traceId, spanId: root.spanId, severityText: 'INFO', serviceName: SERVICE });
    expect(started.attributes).toMatchObject({ 'correlation.id': CORRELATION_ID, category: 'agent' });

    const failed = logNamed('citation missing for claim 2');
    expect(failed).toMatchObject({ traceId: trace.traceId, spanId: root.spanId, severityText: 'ERROR' });
    expect(failed.severityNumber).toBeGreaterThanOrEqual(17);
    expect(failed.attributes).toMatchObject({
      'correlation.id': CORRELATION_ID,
      'exception.type': 'CitationError',
      'exception.message': 'citation missing for claim 2',
    });

    const streamed = trace.logs.filter((log) => log.body === 'token streamed');
    expect(streamed).toHaveLength(TOKENS);
    for (const log of streamed) {
      expect(log.spanId).toBe(only('streamTokens').spanId);
      expect(log.attributes['correlation.id']).toBe(CORRELATION_ID);
    }
    expect(trace.logs).toHaveLength(TOKENS + 2);
  });

  it('writes JSON log lines locally that carry the same trace, span and correlation ids', () => {
    const lines = localLines();
    expect(lines.map((line) => line.msg)).toEqual(['workflow started', 'token streamed', 'token streamed', 'token streamed', 'citation missing for claim 2']);
    for (const line of lines) {
      expect(line).toMatchObject({ service: SERVICE, trace_id: trace.traceId, correlation_id: CORRELATION_ID });
      expect(typeof line.time).toBe('string');
    }
    expect(lines[0]).toMatchObject({ level: 'info', span_id: only('answer-question').spanId });
    expect(lines[4]).toMatchObject({
      level: 'error',
      span_id: only('answer-question').spanId,
      err: { type: 'CitationError', message: 'citation missing for claim 2' },
    });
  });

  it('exports the workflow metrics, with one successful run counted', async () => {
    const { body } = await getJson<MetricListResponse>(server.url, '/api/metrics');
    const byName = new Map(body.metrics.map((metric) => [metric.name, metric]));
    expect(byName.get('workflow.count')).toMatchObject({ type: 'sum' });
    expect(byName.get('workflow.duration')).toMatchObject({ type: 'histogram', unit: 's' });
    expect(byName.get('step.duration')).toMatchObject({ type: 'histogram', unit: 's' });
    expect(byName.get('error.count')).toMatchObject({ type: 'sum' });

    const runs = await getJson<MetricPointListResponse>(server.url, '/api/metrics/points?name=workflow.count');
    expect(runs.status).toBe(200);
    expect(runs.body.points.map((point) => ({ attributes: point.attributes, value: point.value, service: point.serviceName }))).toEqual([
      { attributes: { 'workflow.name': 'answer-question', status: 'ok' }, value: 1, service: SERVICE },
    ]);

    const steps = await getJson<MetricPointListResponse>(server.url, '/api/metrics/points?name=step.duration');
    const stepCounts = steps.body.points.map((point) => [point.attributes['step.name'], point.attributes.status, point.count]).sort();
    expect(stepCounts).toEqual([
      ['retrieve', 'ok', 1],
      ['verify', 'error', 1],
    ]);

    const errors = await getJson<MetricPointListResponse>(server.url, '/api/metrics/points?name=error.count');
    expect(errors.body.points.map((point) => [point.attributes['error.type'], point.value])).toEqual([['CitationError', 1]]);
  });
});

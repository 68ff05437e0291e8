import { type DiagLogger, DiagLogLevel, ROOT_CONTEXT, SpanKind, diag, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { LogListResponse, Score, ScoreListResponse } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_VARIANTS, logExporterFor, traceExporterFor } from './support/otel-exporters.js';
import { type TestServer, getJson, metricValue, startTestServer } from './support/server.js';

/**
 * Scores sent as OpenTelemetry's `gen_ai.evaluation.result` event by the official OpenTelemetry
 * JS SDK and its OTLP/HTTP exporters (protobuf and JSON): a log record parented to the judged
 * span, a span event, a score naming only the LLM call's `gen_ai.response.id` sent before that
 * call's span, and an evaluation record with no name, refused in the partial success while the
 * rest of its request is stored.
 */

let server: TestServer;
/** What the exporters warned of: the partial successes they were answered. */
const warnings: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const quiet = (): void => {};
  const logger: DiagLogger = {
    error: quiet,
    info: quiet,
    debug: quiet,
    verbose: quiet,
    warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
  };
  diag.setLogger(logger, DiagLogLevel.WARN);
});

afterAll(async () => {
  diag.disable();
  await server?.stop();
});

const HTTP_VARIANTS = EXPORT_VARIANTS.filter((v) => v.transport === 'http' && !v.gzip);

async function scoresWhere(query: string): Promise<Score[]> {
  const { status, body } = await getJson<ScoreListResponse>(server.url, `/api/scores?${query}`);
  expect(status, query).toBe(200);
  return body.scores;
}

describe.each(HTTP_VARIANTS)('scores sent as gen_ai.evaluation.result events over $name', (variant) => {
  const service = `judged-${variant.slug}`;
  const responseId = `chatcmpl-${variant.slug}`;
  let traceId = '';
  let llmSpanId = '';
  let rootSpanId = '';

  it('keeps an evaluation of a response id that no span has yet, unattached', async () => {
    const logs = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      processors: [new SimpleLogRecordProcessor({ exporter: logExporterFor(variant, server.url) })],
    });
    // An offline judge that knows the provider's response id, not the trace.
    logs.getLogger('judge').emit({
      eventName: 'gen_ai.evaluation.result',
      attributes: { 'gen_ai.evaluation.name': 'faithfulness', 'gen_ai.evaluation.score.value': 0.4, 'gen_ai.response.id': responseId },
      context: ROOT_CONTEXT,
    });
    await logs.forceFlush();
    await logs.shutdown();
    const [early] = await scoresWhere('name=faithfulness&source=otel').then((all) => all.filter((s) => s.responseId === responseId));
    expect(early).toMatchObject({ traceId: null, spanId: null, responseId, value: 0.4, source: 'otel', author: '' });
  });

  it('attaches log records and span events to their spans, and the early score to the span of its response id', async () => {
    const resource = resourceFromAttributes({ 'service.name': service });
    const tracer = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(traceExporterFor(variant, server.url))] });
    const logs = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporterFor(variant, server.url) })] });
    const root = tracer.getTracer('app').startSpan('answer question', {}, ROOT_CONTEXT);
    const llm = tracer.getTracer('app').startSpan(
      'chat gpt-4o',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.system': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.id': responseId,
          'gen_ai.usage.input_tokens': 10,
          'gen_ai.usage.output_tokens': 4,
        },
      },
      trace.setSpan(ROOT_CONTEXT, root),
    );
    // A guardrail's verdict, recorded on the call's span itself.
    llm.addEvent('gen_ai.evaluation.result', {
      'gen_ai.evaluation.name': 'toxicity',
      'gen_ai.evaluation.score.label': 'none',
      'gen_ai.evaluation.explanation': 'polite',
    });
    const inLlm = trace.setSpan(ROOT_CONTEXT, llm);
    const logger = logs.getLogger('judge');
    logger.emit({
      eventName: 'gen_ai.evaluation.result',
      attributes: {
        'gen_ai.evaluation.name': 'relevance',
        'gen_ai.evaluation.score.value': 0.9,
        'gen_ai.evaluation.score.label': 'relevant',
        'gen_ai.evaluation.explanation': 'answers the question',
      },
      context: inLlm,
    });
    llm.end();
    root.end();
    await tracer.forceFlush();
    await logs.forceFlush();
    await Promise.all([tracer.shutdown(), logs.shutdown()]);
    traceId = root.spanContext().traceId;
    rootSpanId = root.spanContext().spanId;
    llmSpanId = llm.spanContext().spanId;

    const scores = await scoresWhere(`traceId=${traceId}`);
    const byName = Object.fromEntries(scores.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['faithfulness', 'relevance', 'toxicity']);
    expect(byName.relevance).toMatchObject({ traceId, spanId: llmSpanId, value: 0.9, label: 'relevant', comment: 'answers the question', source: 'otel' });
    expect(byName.toxicity).toMatchObject({ traceId, spanId: llmSpanId, value: null, label: 'none', comment: 'polite', source: 'otel' });
    // Sent before the span; found on it now that the span with its response id is stored.
    expect(byName.faithfulness).toMatchObject({ traceId, spanId: llmSpanId, responseId, value: 0.4 });
    expect((await scoresWhere(`spanId=${llmSpanId}`)).map((s) => s.name).sort()).toEqual(['faithfulness', 'relevance', 'toxicity']);
    expect(await scoresWhere(`spanId=${rootSpanId}`)).toEqual([]);
  });

  it('refuses an evaluation record without gen_ai.evaluation.name in the partial success, and stores the rest of its request', async () => {
    const rejectedBefore = await metricValue(server.url, 'spoor_ingest_records_rejected_total');
    const refusedBefore = await metricValue(server.url, 'spoor_ingest_evaluations_refused_total');
    const warned = warnings.length;
    const context = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId, spanId: rootSpanId, traceFlags: 1 }));
    // One request of three records, as a batch processor sends them.
    const processor = new BatchLogRecordProcessor({ exporter: logExporterFor(variant, server.url), maxExportBatchSize: 10, scheduledDelayMillis: 60_000 });
    const logger = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': service }), processors: [processor] }).getLogger('judge');
    logger.emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.score.value': 1 }, context, body: 'nameless' });
    logger.emit({ eventName: 'gen_ai.evaluation.result', attributes: { 'gen_ai.evaluation.name': 'helpful', 'gen_ai.evaluation.score.value': 1 }, context });
    logger.emit({ body: `ordinary line of ${variant.slug}`, context });
    await processor.forceFlush();
    await processor.shutdown();

    const partial = warnings.slice(warned).find((w) => w.includes('Partial Success'));
    expect(partial, warnings.join('\n')).toBeDefined();
    const answered = JSON.parse(partial!.slice(partial!.indexOf('{'))) as { rejectedLogRecords: string | number; errorMessage: string };
    expect(Number(answered.rejectedLogRecords)).toBe(1);
    expect(answered.errorMessage).toBe('1 log records rejected: gen_ai.evaluation.result event: gen_ai.evaluation.name is missing');
    expect(await metricValue(server.url, 'spoor_ingest_records_rejected_total')).toBe(rejectedBefore + 1);
    expect(await metricValue(server.url, 'spoor_ingest_evaluations_refused_total')).toBe(refusedBefore + 1);

    expect((await scoresWhere(`spanId=${rootSpanId}`)).map((s) => s.name)).toEqual(['helpful']);
    const { body } = await getJson<LogListResponse>(server.url, `/api/logs?traceId=${traceId}`);
    const bodies = body.logs.map((l) => l.body);
    expect(bodies).toContain(`ordinary line of ${variant.slug}`);
    expect(bodies).not.toContain('nameless');
  });

  it('keeps a span whose evaluation event is no score, and counts the event refused on /metrics', async () => {
    const refusedBefore = await metricValue(server.url, 'spoor_ingest_evaluations_refused_total');
    const tracer = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new SimpleSpanProcessor(traceExporterFor(variant, server.url))],
    });
    const span = tracer.getTracer('app').startSpan('judged step', {}, ROOT_CONTEXT);
    span.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.score.value': 1 });
    span.addEvent('gen_ai.evaluation.result', { 'gen_ai.evaluation.name': 'relevance' });
    span.end();
    await tracer.forceFlush();
    await tracer.shutdown();
    const stepTrace = span.spanContext().traceId;
    const { status, body } = await getJson<{ spans: Array<{ name: string; events: unknown[] }> }>(server.url, `/api/traces/${stepTrace}`);
    expect(status).toBe(200);
    expect(body.spans.map((s) => [s.name, s.events.length])).toEqual([['judged step', 2]]);
    expect(await scoresWhere(`traceId=${stepTrace}`)).toEqual([]);
    expect(await metricValue(server.url, 'spoor_ingest_evaluations_refused_total')).toBe(refusedBefore + 2);
  });
});

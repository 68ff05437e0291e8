import { ROOT_CONTEXT } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Sends `count` LLM calls of service `rag` and a model, each `ms(i)` long, from `baseMs`, 100 ms apart, sent by the OpenTelemetry SDK (with `key`, when given). */
export async function sendCalls(url: string, key: string | null, model: string, count: number, ms: (i: number) => number, baseMs: number): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'rag' }),
    spanProcessors: [
      new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: key === null ? {} : { authorization: `Bearer ${key}` } })),
    ],
  });
  const tracer = provider.getTracer('promql-test');
  for (let i = 0; i < count; i++) {
    const start = baseMs + i * 100;
    const span = tracer.startSpan(
      `chat ${model}`,
      {
        startTime: start,
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': model,
          'gen_ai.usage.input_tokens': 1000 + i,
          'gen_ai.usage.output_tokens': 100,
        },
      },
      ROOT_CONTEXT,
    );
    span.end(start + ms(i));
  }
  await provider.forceFlush();
  await provider.shutdown();
}

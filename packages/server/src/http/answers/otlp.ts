import { Type } from '@sinclair/typebox';
import { Bytes, contentAnswer } from '../content.js';
import { ErrorAnswer } from './errors.js';

/**
 * OTLP/HTTP's bodies and answers (`ingest/routes.ts`): protobuf or its JSON mapping, as the
 * OpenTelemetry protocol specifies. The bodies are described in the document only: the receiver
 * reads them itself (gzip, size limit, partial success).
 */

const SIGNALS = {
  traces: { request: 'ExportTraceServiceRequest', items: 'resourceSpans', rejected: 'rejectedSpans' },
  logs: { request: 'ExportLogsServiceRequest', items: 'resourceLogs', rejected: 'rejectedLogRecords' },
  metrics: { request: 'ExportMetricsServiceRequest', items: 'resourceMetrics', rejected: 'rejectedDataPoints' },
} as const;
export type OtlpSignalName = keyof typeof SIGNALS;

/** The request body of `POST /v1/{signal}`, in Fastify's form (`content` by media type), for the document. */
export function otlpBody(signal: OtlpSignalName): { description: string; content: Record<string, { schema: unknown }> } {
  const { request, items } = SIGNALS[signal];
  return {
    description: `An OTLP ${request}, as protobuf or its JSON mapping; Content-Encoding: gzip allowed`,
    content: {
      'application/x-protobuf': { schema: Bytes(`opentelemetry.proto.collector.${signal}.v1.${request}`) },
      'application/json': { schema: Type.Object({ [items]: Type.Array(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: true }) },
    },
  };
}

/** `POST /v1/{signal}`'s answers: the export response, or a `google.rpc.Status` refusal. */
export function otlpAnswers(signal: OtlpSignalName) {
  const { request, rejected } = SIGNALS[signal];
  const response = request.replace('Request', 'Response');
  // Refused before the receiver runs (no key, a wrong Host), the answer is the API's JSON error.
  const status = contentAnswer('Refused: a google.rpc.Status (the JSON one also carries the API error), or the API error', {
    'application/x-protobuf': Bytes('google.rpc.Status'),
    'application/json': Type.Union([
      Type.Object(
        { code: Type.Integer(), message: Type.String(), error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }) },
        { additionalProperties: false },
      ),
      ErrorAnswer,
    ]),
  });
  return {
    200: contentAnswer(`Taken: an ${response}, with partialSuccess when some records were refused`, {
      'application/x-protobuf': Bytes(`opentelemetry.proto.collector.${signal}.v1.${response}`),
      'application/json': Type.Object(
        {
          partialSuccess: Type.Optional(
            Type.Object(
              { [rejected]: Type.Optional(Type.String({ description: 'int64, as text' })), errorMessage: Type.String() },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    }),
    '4xx': status,
    '5xx': status,
  };
}

import { randomBytes } from 'node:crypto';

/**
 * The records the route table's server is seeded with and its ingest routes send: the ids of the
 * two projects' traces and spans, their OTLP bodies, and the text only `shop`'s records carry.
 */

export const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
export const randomTraceId = (): string => randomBytes(16).toString('hex');
export const SHOP_TRACE = '5b0a1d3c7e9f4a2b8c6d0e1f2a3b4c5d';
export const ROOT_SPAN = '1111111111111111';
export const LLM_SPAN = '2222222222222222';
export const ERROR_SPAN = '3333333333333333';
export const OTHER_TRACE = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

/** Text that only project `shop`'s records carry: no answer to a key of `other` may hold any. */
export const SHOP_MARKS = [
  SHOP_TRACE,
  'shop-api',
  'sess-shop',
  'shop-rule',
  'shop.queue.depth',
  'shop-model',
  'shop silence',
  'boom in shop',
  'shop verdict',
  'shop-dataset',
  'shop question',
  'shop-experiment',
  'shop answer',
  'shop-hook',
  'shop-prompt',
  'shop prompt words',
];

export function tracesBody(service: string, traceId: string, sessionId: string): object {
  const start = nowNs() - 60_000_000_000n;
  const at = (ms: number): string => String(start + BigInt(ms) * 1_000_000n);
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', service), str('service.version', '1.0')] },
        scopeSpans: [
          {
            scope: { name: 'access-test' },
            spans: [
              {
                traceId,
                spanId: ROOT_SPAN,
                name: 'handle order',
                kind: 2,
                startTimeUnixNano: at(0),
                endTimeUnixNano: at(900),
                attributes: [str('session.id', sessionId)],
              },
              {
                traceId,
                spanId: LLM_SPAN,
                parentSpanId: ROOT_SPAN,
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: at(10),
                endTimeUnixNano: at(400),
                attributes: [
                  str('gen_ai.system', 'openai'),
                  str('gen_ai.operation.name', 'chat'),
                  str('gen_ai.request.model', 'gpt-4o'),
                  int('gen_ai.usage.input_tokens', 10),
                  int('gen_ai.usage.output_tokens', 5),
                ],
              },
              {
                traceId,
                spanId: ERROR_SPAN,
                parentSpanId: ROOT_SPAN,
                name: 'charge card',
                startTimeUnixNano: at(500),
                endTimeUnixNano: at(800),
                status: { code: 2, message: `boom in ${service}` },
                events: [
                  {
                    name: 'exception',
                    timeUnixNano: at(799),
                    attributes: [str('exception.type', 'CardError'), str('exception.message', `boom in ${service}`)],
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

export function logsBody(service: string, traceId: string): object {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: String(nowNs() - 30_000_000_000n),
                severityNumber: 9,
                body: { stringValue: `order placed by ${service}` },
                traceId,
                spanId: ROOT_SPAN,
              },
            ],
          },
        ],
      },
    ],
  };
}

export function metricsBody(service: string, name: string): object {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints: [{ timeUnixNano: String(nowNs() - 30_000_000_000n), asInt: '7' }] } }] }],
      },
    ],
  };
}

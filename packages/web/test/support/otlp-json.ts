/**
 * Spans posted as OTLP/JSON (`POST /v1/traces`), as any OpenTelemetry exporter sends them: the
 * live tests decide each span's times and send it when they want the page to see it.
 */
export interface SpanToSend {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  /** `null` sends a running snapshot (`endTimeUnixNano` 0). */
  endMs: number | null;
  /** Attributes of the span (`session.id`, `gen_ai.usage.input_tokens`, ...): a whole number goes as an `intValue`. */
  attributes?: Readonly<Record<string, string | number>>;
  /** OTLP's span kind number; default 1 (internal). */
  kind?: number;
}

const nanos = (ms: number): string => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

const valueOf = (value: string | number) =>
  typeof value === 'string' ? { stringValue: value } : Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };

/** Posts `spans` of service `service`; resolves when the server has acknowledged them (so they are on its spool). */
export async function postSpans(url: string, spans: readonly SpanToSend[], service = 'live-e2e'): Promise<void> {
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'spoor-web-e2e' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId === undefined ? {} : { parentSpanId: s.parentSpanId }),
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: nanos(s.startMs),
              endTimeUnixNano: s.endMs === null ? '0' : nanos(s.endMs),
              status: { code: 0 },
              ...(s.attributes === undefined ? {} : { attributes: Object.entries(s.attributes).map(([key, value]) => ({ key, value: valueOf(value) })) }),
            })),
          },
        ],
      },
    ],
  };
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`POST /v1/traces answered ${response.status}: ${await response.text()}`);
}

/** A random id of `bytes` bytes in lowercase hex. */
export function randomHexId(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

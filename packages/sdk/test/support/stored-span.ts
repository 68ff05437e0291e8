import type { Span } from '@spoor/model';

let clock = 0;

/**
 * A span as `GET /api/traces/:traceId` answers it, with only what a cassette reads filled in; each
 * starts a microsecond after the one made before it, so spans made in order are in start order.
 */
export function storedSpan(spanId: string, name: string, parentSpanId: string | null, attributes: Span['attributes'] = {}, extra: Partial<Span> = {}): Span {
  clock++;
  return {
    traceId: 't'.repeat(32),
    spanId,
    parentSpanId,
    name,
    serviceName: 'agent',
    startTime: `2026-11-01T00:00:00.${String(clock).padStart(6, '0')}Z`,
    status: { code: 'unset', message: '' },
    attributes,
    llm: attributes['gen_ai.operation.name'] === undefined ? null : ({ operation: attributes['gen_ai.operation.name'] } as Span['llm']),
    ...extra,
  } as Span;
}

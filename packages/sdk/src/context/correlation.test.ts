import { afterEach, describe, expect, it } from 'vitest';
import { byName, initInMemory, shutdown } from '../../test/support/memory.js';
import { withSpan } from '../trace/with-span.js';
import { extractContext, getCorrelationId, injectContext, withCorrelation } from './correlation.js';

afterEach(() => shutdown());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation ids', () => {
  it('generates a UUID when none is given and keeps it through awaits and timers', async () => {
    initInMemory();
    const seen = await withCorrelation(async () => {
      const first = getCorrelationId();
      await new Promise((resolve) => setTimeout(resolve, 2));
      const afterTimer = await new Promise<string | undefined>((resolve) => setImmediate(() => resolve(getCorrelationId())));
      return [first, getCorrelationId(), afterTimer];
    });
    expect(seen[0]).toMatch(UUID);
    expect(new Set(seen).size).toBe(1);
    expect(getCorrelationId()).toBeUndefined();
  });

  it('keeps concurrent requests apart', async () => {
    initInMemory();
    const handle = (id: string) =>
      withCorrelation(id, async () => {
        await new Promise((resolve) => setTimeout(resolve, id === 'a' ? 5 : 1));
        return getCorrelationId();
      });
    await expect(Promise.all([handle('a'), handle('b')])).resolves.toEqual(['a', 'b']);
  });

  it('puts the id on every span started inside', async () => {
    const sdk = initInMemory();
    await withCorrelation('req-42', () => withSpan('outer', () => withSpan('inner', async () => undefined)));
    await withSpan('outside', () => undefined);
    const spans = await sdk.spans();
    expect(byName(spans, 'outer').attributes['correlation.id']).toBe('req-42');
    expect(byName(spans, 'inner').attributes['correlation.id']).toBe('req-42');
    expect(byName(spans, 'outside').attributes['correlation.id']).toBeUndefined();
  });

  it('crosses a hop in W3C traceparent and baggage headers and continues the trace', async () => {
    const sdk = initInMemory();
    const headers = withCorrelation('req-7', () => withSpan('client', () => injectContext({ 'content-type': 'application/json' })));
    expect(headers['content-type']).toBe('application/json');
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(headers.baggage).toBe('correlation.id=req-7');
    const onServer = extractContext(headers, () => withSpan('server', { kind: 'server' }, () => getCorrelationId()));
    expect(onServer).toBe('req-7');
    const spans = await sdk.spans();
    const client = byName(spans, 'client');
    const server = byName(spans, 'server');
    expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
    expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(server.attributes['correlation.id']).toBe('req-7');
  });

  it('reads and writes a fetch Headers object', () => {
    initInMemory();
    const headers = withCorrelation('h-1', () => injectContext(new Headers()));
    expect(headers.get('baggage')).toBe('correlation.id=h-1');
    expect(extractContext(headers, () => getCorrelationId())).toBe('h-1');
  });
});

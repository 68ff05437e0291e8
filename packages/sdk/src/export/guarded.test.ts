import { afterEach, describe, expect, it } from 'vitest';
import { byName, initInMemory, shutdown } from '../../test/support/memory.js';
import { withSpan } from '../trace/with-span.js';

afterEach(() => shutdown());

describe('masking at export', () => {
  it('masks span attributes, event attributes and the status message before spans leave the process', async () => {
    const sdk = initInMemory();
    await withSpan('call', { attributes: { 'http.request.header.authorization': 'Bearer abc.def.ghi', 'user.email': 'ada@example.com' } }, async (span) => {
      span.setAttribute('app.version', '2.42.0');
      span.setAttribute('gen_ai.usage.input_tokens', 120);
      span.addEvent('retry', { note: 'card 4111 1111 1111 1111 declined' });
      span.recordException(new Error('call from 192.168.1.20 failed'));
      span.setStatus({ code: 2, message: 'call from 192.168.1.20 failed' });
    });
    const span = byName(await sdk.spans(), 'call');
    expect(span.attributes).toEqual({
      'http.request.header.authorization': '[REDACTED:secret]',
      'user.email': '[REDACTED:email]',
      'app.version': '2.42.0',
      'gen_ai.usage.input_tokens': 120,
    });
    expect(span.events[0]?.attributes).toEqual({ note: 'card [REDACTED:card] declined' });
    expect(span.events[1]?.attributes?.['exception.message']).toBe('call from [REDACTED:ip] failed');
    expect(span.status.message).toBe('call from [REDACTED:ip] failed');
  });

  it('sends values unmasked when masking is turned off', async () => {
    const sdk = initInMemory({ redact: false });
    withSpan('call', { attributes: { 'user.email': 'ada@example.com' } }, () => undefined);
    expect(byName(await sdk.spans(), 'call').attributes['user.email']).toBe('ada@example.com');
  });

  it('hashes instead of masking when asked, so equal values still correlate', async () => {
    const sdk = initInMemory({ redact: { mode: 'hash' } });
    withSpan('a', { attributes: { who: 'ada@example.com' } }, () => undefined);
    withSpan('b', { attributes: { who: 'ada@example.com' } }, () => undefined);
    withSpan('c', { attributes: { who: 'bob@example.com' } }, () => undefined);
    const spans = await sdk.spans();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => String(byName(spans, name).attributes.who));
    expect(a).toMatch(/^\[email:[0-9a-f]{12}\]$/);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });
});

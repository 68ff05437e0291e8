import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createRedactor, type TextPattern } from '@spoor/model';
import { afterEach, describe, expect, it } from 'vitest';
import { byName, initInMemory, shutdown } from '../../test/support/memory.js';
import { traced } from '../trace/traced.js';
import { withSpan } from '../trace/with-span.js';
import { SpanMasker } from './span-masker.js';

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

/** A masking rule that matches nothing and counts the texts it is asked to scan. */
function countingRule(): { pattern: TextPattern; scans: (text: string) => number } {
  const seen = new Map<string, number>();
  return {
    pattern: { source: 'never', find: (text, from) => (from === 0 && seen.set(text, (seen.get(text) ?? 0) + 1), null) },
    scans: (text) => seen.get(text) ?? 0,
  };
}

describe('masking at export, for values every span repeats', () => {
  it('scans a clean attribute value once, not again on every span that carries it', async () => {
    const rule = countingRule();
    const sdk = initInMemory({ redact: { rules: [{ name: 'count', pattern: rule.pattern }] } });
    const retrieve = traced(function retrieve(n: number) {
      return n;
    });
    for (let i = 0; i < 50; i++) retrieve(i);
    const spans = await sdk.spans();
    expect(spans.filter((span) => span.attributes['code.function.name'] === 'retrieve')).toHaveLength(50);
    expect(rule.scans('retrieve')).toBe(1);
  });

  it('masks a value under a secret key after the same value passed clean under another key', async () => {
    const sdk = initInMemory();
    withSpan('a', { attributes: { 'app.label': 'swordfish' } }, () => undefined);
    withSpan('b', { attributes: { 'db.password': 'swordfish', 'app.label': 'swordfish' } }, () => undefined);
    const spans = await sdk.spans();
    expect(byName(spans, 'a').attributes).toEqual({ 'app.label': 'swordfish' });
    expect(byName(spans, 'b').attributes).toEqual({ 'db.password': '[REDACTED:secret]', 'app.label': 'swordfish' });
  });

  it('masks a value that needs it on every span, and drops a dropped one every time', async () => {
    const sdk = initInMemory({ redact: { rules: [{ name: 'ticket', pattern: /TICKET-\d+/, mode: 'drop' }] } });
    for (const name of ['a', 'b', 'c']) {
      withSpan(name, { attributes: { 'user.email': 'ada@example.com', 'app.ticket': 'TICKET-42' } }, () => undefined);
    }
    for (const span of await sdk.spans()) expect(span.attributes).toEqual({ 'user.email': '[REDACTED:email]' });
  });
});

describe('SpanMasker', () => {
  const spanWith = (attributes: Record<string, unknown>) => ({ attributes, events: [], links: [], status: { code: 0 } }) as unknown as ReadableSpan;

  it('forgets what it remembered past 4096 clean pairs and learns again', () => {
    const rule = countingRule();
    const masker = new SpanMasker(createRedactor({ rules: [{ name: 'count', pattern: rule.pattern }] }));
    masker.mask(spanWith({ 'code.function.name': 'first' }));
    masker.mask(spanWith({ 'code.function.name': 'first' }));
    expect(rule.scans('first')).toBe(1);
    for (let i = 0; i < 4096; i++) masker.mask(spanWith({ 'app.n': `value ${i}` }));
    masker.mask(spanWith({ 'code.function.name': 'first' }));
    expect(rule.scans('first')).toBe(2);
  });

  it('does not remember long values, which seldom repeat', () => {
    const rule = countingRule();
    const masker = new SpanMasker(createRedactor({ rules: [{ name: 'count', pattern: rule.pattern }] }));
    const prompt = 'a'.repeat(257);
    masker.mask(spanWith({ 'input.value': prompt }));
    masker.mask(spanWith({ 'input.value': prompt }));
    expect(rule.scans(prompt)).toBe(2);
  });
});

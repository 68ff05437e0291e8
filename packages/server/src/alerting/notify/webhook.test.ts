import { afterEach, describe, expect, it } from 'vitest';
import type { NotifyLogger } from './delivery.js';
import { WebhookNotifier, resolveSecret, signatureFor, verifySignature } from './webhook.js';

const SECRET = 'hook-secret';
const BODY = '{"version":1}';
const NOW_S = 1_750_000_000;
const GOOD = signatureFor(SECRET, NOW_S, BODY);

describe('verifySignature', () => {
  it.each([
    ['the signature of the body at that time', SECRET, NOW_S, BODY, GOOD, true],
    ['a timestamp 300 s old', SECRET, NOW_S - 300, BODY, signatureFor(SECRET, NOW_S - 300, BODY), true],
    ['a timestamp 301 s old', SECRET, NOW_S - 301, BODY, signatureFor(SECRET, NOW_S - 301, BODY), false],
    ['a timestamp 301 s ahead', SECRET, NOW_S + 301, BODY, signatureFor(SECRET, NOW_S + 301, BODY), false],
    ['another secret', 'other-secret', NOW_S, BODY, GOOD, false],
    ['a changed body', SECRET, NOW_S, '{"version":2}', GOOD, false],
    ['a changed timestamp', SECRET, NOW_S + 1, BODY, GOOD, false],
    ['a signature without its sha256= prefix', SECRET, NOW_S, BODY, GOOD.slice('sha256='.length), false],
    ['a truncated signature', SECRET, NOW_S, BODY, GOOD.slice(0, -2), false],
    ['an empty header', SECRET, NOW_S, BODY, '', false],
    ['a timestamp that is not a number', SECRET, 'now', BODY, GOOD, false],
  ])('given %s, answers accordingly', (_case, secret, timestamp, body, header, expected) => {
    expect(verifySignature(secret, timestamp, body, header, NOW_S)).toBe(expected);
  });

  it('accepts the body as a Buffer and the timestamp as the header text', () => {
    expect(verifySignature(SECRET, String(NOW_S), Buffer.from(BODY), GOOD, NOW_S)).toBe(true);
  });

  it('takes another tolerance', () => {
    const old = NOW_S - 60;
    expect(verifySignature(SECRET, old, BODY, signatureFor(SECRET, old, BODY), NOW_S, 30)).toBe(false);
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 in hex', () => {
    // echo -n '1750000000.{"version":1}' | openssl dgst -sha256 -hmac hook-secret
    expect(GOOD).toBe('sha256=78c5c1ca9fb971da5aebc13d289b02d9905773a9349fef09f5c134c0c4d7dd2a');
  });
});

describe('resolveSecret', () => {
  const NAME = 'SPOOR_TEST_WEBHOOK_SECRET_RESOLVE';
  afterEach(() => {
    delete process.env[NAME];
  });

  it('takes a literal secret as it is', () => {
    expect(resolveSecret('literal', 'secret')).toBe('literal');
    expect(resolveSecret(undefined, 'secret')).toBeNull();
  });

  it('reads env:NAME from the environment', () => {
    process.env[NAME] = 'from-env';
    expect(resolveSecret(`env:${NAME}`, 'secret')).toBe('from-env');
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('throws when the variable is %s, naming it', (_case, value) => {
    if (value !== undefined) process.env[NAME] = value;
    expect(() => resolveSecret(`env:${NAME}`, "receiver 'ops': webhook.secret")).toThrow(
      `receiver 'ops': webhook.secret reads environment variable ${NAME}, which is not set`,
    );
  });

  it.each(['', 'env:', 'env:1BAD', 'env:has-dash'])('rejects the malformed secret %j', (secret) => {
    expect(() => resolveSecret(secret, 'webhook.secret')).toThrow('webhook.secret must');
  });
});

describe('WebhookNotifier', () => {
  const deps = { onResult: () => {}, logger: { info: () => {}, warn: () => {}, error: () => {} } satisfies NotifyLogger };

  it('refuses to be created without its env: secret rather than send unsigned', () => {
    delete process.env.SPOOR_TEST_WEBHOOK_SECRET_MISSING;
    expect(() => new WebhookNotifier('ops', { url: 'http://127.0.0.1:9/hook', secret: 'env:SPOOR_TEST_WEBHOOK_SECRET_MISSING' }, deps)).toThrow(
      "receiver 'ops': webhook.secret reads environment variable SPOOR_TEST_WEBHOOK_SECRET_MISSING, which is not set",
    );
  });

  it.each(['X-Spoor-Signature', 'content-type', 'Host'])('refuses a configured %s header', (header) => {
    expect(() => new WebhookNotifier('ops', { url: 'http://127.0.0.1:9/hook', headers: { [header]: 'x' } }, deps)).toThrow(
      `receiver 'ops': webhook.headers may not set ${header}`,
    );
  });

  it.each(['ftp://example.com/hook', 'not a url', '/relative'])('refuses the URL %j without echoing it', (url) => {
    expect(() => new WebhookNotifier('ops', { url }, deps)).toThrow(/^receiver 'ops': url must be an http\(s\) URL$/);
  });
});

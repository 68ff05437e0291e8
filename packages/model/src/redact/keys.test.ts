import { describe, expect, it } from 'vitest';
import { createKeyClassifier, isSensitiveKey, keySegments } from './keys.js';

describe('keySegments', () => {
  it.each([
    ['password', ['password']],
    ['db.password', ['db', 'password']],
    ['OPENAI_API_KEY', ['openai', 'api', 'key']],
    ['x-api-key', ['x', 'api', 'key']],
    ['apiKey', ['api', 'key']],
    ['APIKey', ['api', 'key']],
    ['XMLHttpRequest', ['xml', 'http', 'request']],
    ['oauth2Token', ['oauth2', 'token']],
    ['ai.usage.promptTokens', ['ai', 'usage', 'prompt', 'tokens']],
    ['client secret ', ['client', 'secret']],
    ['__', []],
  ])('splits %j into %j', (key, segments) => {
    expect(keySegments(key)).toEqual(segments);
  });
});

describe('isSensitiveKey', () => {
  it.each([
    'password',
    'db.password',
    'PASSWORD',
    'user_passwd',
    'mysql.pwd',
    'http.request.header.authorization',
    'http.response.header.set-cookie',
    'OPENAI_API_KEY',
    'x-api-key',
    'apiKey',
    'apikey',
    'access_token',
    'accessKey',
    'aws.secret_access_key',
    'private_key',
    'secretKey',
    'client_secret',
    'x-auth-token',
    'sessionToken',
    'refresh_token',
    'github.credentials',
    'credential',
    'password_',
  ])('treats %j as a secret', (key) => {
    expect(isSensitiveKey(key)).toBe(true);
  });

  it.each([
    'gen_ai.usage.input_tokens',
    'gen_ai.usage.output_tokens',
    'gen_ai.request.max_tokens',
    'llm.token_count.prompt',
    'ai.usage.promptTokens',
    'tokens',
    'token_count',
    'secret_name',
    'password_policy_version',
    'tokenizer',
    'cache.key',
    'key',
    'http.request.method',
    '',
  ])('passes %j through as ordinary telemetry', (key) => {
    expect(isSensitiveKey(key)).toBe(false);
  });
});

describe('createKeyClassifier', () => {
  it('labels built-in secret names "secret" with the default mode', () => {
    const classify = createKeyClassifier([], 'hash');
    expect(classify('db.password')).toEqual({ label: 'secret', mode: 'hash', maskText: '[REDACTED:secret]' });
    expect(classify('gen_ai.usage.input_tokens')).toBeUndefined();
  });

  it('matches a string rule by exact name, ignoring case', () => {
    const classify = createKeyClassifier([{ name: 'ssn', key: 'User.SSN' }], 'mask');
    expect(classify('user.ssn')?.label).toBe('ssn');
    expect(classify('USER.SSN')?.label).toBe('ssn');
    expect(classify('user.ssn_hint')).toBeUndefined();
  });

  it('matches a RegExp rule on every call even when it carries the g flag', () => {
    const classify = createKeyClassifier([{ name: 'pii', key: /^user\./g }], 'mask');
    expect(['user.name', 'user.phone', 'user.email'].map((key) => classify(key)?.label)).toEqual(['pii', 'pii', 'pii']);
  });

  it('lets a rule win over the built-in names and carry its own mode', () => {
    const classify = createKeyClassifier([{ name: 'db', key: 'db.password', mode: 'drop' }], 'mask');
    expect(classify('db.password')).toEqual({ label: 'db', mode: 'drop', maskText: '[REDACTED:db]' });
    expect(classify('other.password')).toEqual({ label: 'secret', mode: 'mask', maskText: '[REDACTED:secret]' });
  });

  it('keeps deciding correctly after more distinct keys than its cache holds', () => {
    const classify = createKeyClassifier([], 'mask');
    for (let i = 0; i < 10_000; i++) classify(`attr.${i}`);
    expect(classify('api_key')?.label).toBe('secret');
    expect(classify('attr.5')).toBeUndefined();
  });
});

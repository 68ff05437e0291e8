import { describe, expect, it } from 'vitest';
import { timeGrowth } from '../../test/support/growth.js';
import { type TextPattern, createRedactor } from './redactor.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl';
// Assembled from pieces so that secret scanners reading this repository leave it alone.
const OPENAI_KEY = ['sk-proj-', 'abcDEF0123456789ghiJKL4567mnoPQR'].join('');

// First 12 hex of sha256(salt + value), worked out once by hand with node:crypto, so that a change
// to the hash input or format fails here.
const HASH = {
  email: '5ff860bf1190', // 'bob@example.com'
  pepperedEmail: '40f27281a6f2', // 'pepper' + 'bob@example.com'
  hunter2: 'f52fbd32b2b3', // 'hunter2'
  number42: '73475cb40a56', // '42'
  credentials: '65ca20f0f696', // '{"user":"u","pass":"p"}'
  bearer: '5e4c40e1c2ac', // 'abc123def456ghi'
};

/** A TextPattern over a JavaScript regex, standing in for another engine's (the server's RE2). */
function textPattern(source: string): TextPattern & { calls: number } {
  const regex = new RegExp(source, 'g');
  const pattern = {
    source,
    calls: 0,
    find(text: string, from: number) {
      pattern.calls++;
      regex.lastIndex = from;
      const match = regex.exec(text);
      return match === null ? null : { start: match.index, end: match.index + match[0].length };
    },
  };
  return pattern;
}

describe('string', () => {
  const redactor = createRedactor();

  it.each([
    ['mail bob@example.com or call +1 415 555 0132', 'mail [REDACTED:email] or call [REDACTED:phone]'],
    ['Authorization: Bearer abc123def456ghi', 'Authorization: Bearer [REDACTED:bearer]'],
    [`Authorization: Bearer ${JWT}`, 'Authorization: Bearer [REDACTED:bearer]'],
    [`callback?token=${JWT}`, 'callback?token=[REDACTED:jwt]'],
    ['paid with 4111 1111 1111 1111, declined 4111 1111 1111 1112', 'paid with [REDACTED:card], declined 4111 1111 1111 1112'],
    ['peer 10.0.0.1:8080 and [2001:db8::1]:443', 'peer [REDACTED:ip]:8080 and [[REDACTED:ip]]:443'],
    ['mapped ::ffff:192.0.2.1 address', 'mapped [REDACTED:ip] address'],
    [`OPENAI_API_KEY=${OPENAI_KEY}`, 'OPENAI_API_KEY=[REDACTED:api_key]'],
    ['(415) 555-0132 / 415.555.0132', '[REDACTED:phone] / [REDACTED:phone]'],
  ])('masks %j as %j', (input, expected) => {
    expect(redactor.string(input)).toBe(expected);
  });

  it.each([
    'GET /api/v1/users/42 returned 200 in 12.5 ms',
    'request 123e4567-e89b-12d3-a456-426614174000 at 2026-11-21T10:15:30Z',
    // These pass the shared gate, so the detectors run and must still find nothing.
    'epoch 1763719200125 ms',
    'the Bearer authentication scheme',
    'pip install sk-learn; std::vector',
    '',
  ])('returns the very same string for the clean %j', (input) => {
    expect(redactor.string(input)).toBe(input);
  });

  it('hashes equal values to equal tokens so they still correlate', () => {
    const hashing = createRedactor({ mode: 'hash' });
    expect(hashing.string('from bob@example.com to bob@example.com')).toBe(`from [email:${HASH.email}] to [email:${HASH.email}]`);
    expect(hashing.string('Authorization: Bearer abc123def456ghi')).toBe(`Authorization: Bearer [bearer:${HASH.bearer}]`);
  });

  it('salts the hash so tokens differ between deployments', () => {
    expect(createRedactor({ mode: 'hash', hashSalt: 'pepper' }).string('bob@example.com')).toBe(`[email:${HASH.pepperedEmail}]`);
  });

  it('masks in drop mode, since a message cannot lose a field', () => {
    expect(createRedactor({ mode: 'drop' }).string('mail bob@example.com')).toBe('mail [REDACTED:email]');
  });

  it('runs only the detectors it is given', () => {
    const emailOnly = createRedactor({ detectors: ['email'] });
    expect(emailOnly.string('bob@example.com +1 415 555 0132')).toBe('[REDACTED:email] +1 415 555 0132');
    expect(createRedactor({ detectors: [] }).string('bob@example.com')).toBe('bob@example.com');
  });

  it('masks every match of a rule pattern given without the g flag, with the rule name and mode', () => {
    const withRule = createRedactor({ rules: [{ name: 'ssn', pattern: /\b\d{3}-\d{2}-\d{4}\b/, mode: 'hash' }] });
    expect(withRule.string('ssn 123-45-6789 and 987-65-4321, mail bob@example.com')).toMatch(
      /^ssn \[ssn:[0-9a-f]{12}\] and \[ssn:[0-9a-f]{12}\], mail \[REDACTED:email\]$/,
    );
  });

  it("leaves the caller's rule regex and its lastIndex alone", () => {
    const pattern = /secret-\d+/gy;
    pattern.lastIndex = 3;
    const withRule = createRedactor({ rules: [{ name: 'code', pattern }] });
    expect(withRule.string('a secret-1 b secret-22')).toBe('a [REDACTED:code] b [REDACTED:code]');
    expect(pattern.lastIndex).toBe(3);
  });

  it('masks every match of a rule pattern another engine compiled, stepping over its empty matches', () => {
    const ssn = textPattern(String.raw`\d{3}-\d{2}-\d{4}|\b`);
    const withRule = createRedactor({ detectors: [], rules: [{ name: 'ssn', pattern: ssn }] });
    expect(withRule.string('ssn 123-45-6789 and 987-65-4321')).toBe('ssn [REDACTED:ssn] and [REDACTED:ssn]');
    expect(withRule.string('no number')).toBe('no number');
    expect(ssn.calls).toBeGreaterThan(0);
  });

  it('finishes on a rule pattern that only ever matches empty text', () => {
    expect(createRedactor({ rules: [{ name: 'edge', pattern: /\b/ }] }).string('two words')).toBe('two words');
  });

  it('prefers the longer finding when a rule and a detector overlap at the same start', () => {
    const withRule = createRedactor({ rules: [{ name: 'user', pattern: /bob/ }] });
    expect(withRule.string('bob@example.com and bob')).toBe('[REDACTED:email] and [REDACTED:user]');
  });

  // A quadratic pattern turns these into minutes; linear scans take milliseconds. Each text is
  // scanned at 25 kB and at 200 kB, timed side by side: the larger may take at most 20 times as
  // long (linear work: 8; quadratic: 64).
  it.each<[string, (n: number) => string, number]>([
    ['digits and spaces', (n) => '4 '.repeat(n), 100_000],
    ['a long local part', (n) => `${'a'.repeat(n)}@`, 100_000],
    ['many at signs', (n) => 'a@b.'.repeat(n), 50_000],
    ['colons and hex', (n) => 'f:'.repeat(n), 100_000],
    ['dotted numbers', (n) => '1.2.3.4:'.repeat(n), 25_000],
    ['JWT-like parts', (n) => 'eyJa.'.repeat(n), 40_000],
    ['repeated bearer words', (n) => 'bearer '.repeat(n), 30_000],
    ['plus signs and digits', (n) => '+1 '.repeat(n), 70_000],
  ])('scans 200 kB of %s in linear time', (_what, textOf, count) => {
    const redactor = createRedactor();
    const texts = new Map<number, string>();
    const scan = (n: number): void => {
      let text = texts.get(n);
      if (text === undefined) texts.set(n, (text = textOf(n)));
      redactor.string(text);
    };
    expect(timeGrowth(scan, count / 8, count)).toBeLessThan(20);
  });
});

describe('value', () => {
  const redactor = createRedactor();

  it.each<[string, unknown, unknown]>([
    ['db.password', 'hunter2', '[REDACTED:secret]'],
    ['api_key', 12345, '[REDACTED:secret]'],
    ['http.request.header.authorization', ['Bearer abc123def456ghi'], '[REDACTED:secret]'],
    ['password', null, null],
    ['password', undefined, undefined],
    ['user.email', 'bob@example.com', '[REDACTED:email]'],
    ['emails', ['a@example.io', 'plain', 7], ['[REDACTED:email]', 'plain', 7]],
    ['gen_ai.usage.input_tokens', 1234, 1234],
    ['llm.token_count.prompt', 17, 17],
    ['flag', true, true],
    ['note', 'all clear', 'all clear'],
  ])('turns %s = %j into %j', (key, value, expected) => {
    expect(redactor.value(key, value)).toEqual(expected);
  });

  it('returns the same array when no element holds a finding', () => {
    const models = ['gpt-4o-mini', 'claude-sonnet'];
    expect(redactor.value('gen_ai.request.models', models)).toBe(models);
  });

  it('hashes the text of a sensitive value, whatever its type', () => {
    const hashing = createRedactor({ mode: 'hash' });
    expect(hashing.value('db.password', 'hunter2')).toBe(`[secret:${HASH.hunter2}]`);
    expect(hashing.value('api_key', 42)).toBe(`[secret:${HASH.number42}]`);
  });

  it.each<[string, unknown]>([
    ['password', 'hunter2'],
    ['note', 'mail bob@example.com'],
    ['recipients', ['ok', 'a@example.io']],
  ])('drops %s = %j in drop mode', (key, value) => {
    expect(createRedactor({ mode: 'drop' }).value(key, value)).toBeUndefined();
  });

  it('keeps clean values in drop mode', () => {
    const dropping = createRedactor({ mode: 'drop' });
    expect(dropping.value('note', 'all clear')).toBe('all clear');
    expect(dropping.value('gen_ai.usage.input_tokens', 10)).toBe(10);
  });

  it('applies key rules, and key names even with the value detectors off', () => {
    const keysOnly = createRedactor({ detectors: [], rules: [{ name: 'tenant', key: /^tenant\./, mode: 'hash' }] });
    expect(keysOnly.value('user.email', 'bob@example.com')).toBe('bob@example.com');
    expect(keysOnly.value('password', 'hunter2')).toBe('[REDACTED:secret]');
    expect(keysOnly.value('tenant.name', 'hunter2')).toBe(`[tenant:${HASH.hunter2}]`);
    const byTextPattern = createRedactor({ detectors: [], rules: [{ name: 'tenant', key: textPattern('^tenant\\.') }] });
    expect(byTextPattern.value('tenant.name', 'acme')).toBe('[REDACTED:tenant]');
    expect(byTextPattern.value('my.tenant.name', 'acme')).toBe('acme');
  });
});

describe('attributesInPlace', () => {
  it('masks findings and secrets in place and leaves everything else as it was', () => {
    const finishReasons = ['stop'];
    const attributes: Record<string, unknown> = {
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1234,
      'gen_ai.response.finish_reasons': finishReasons,
      'http.request.header.authorization': 'Bearer abc123def456ghi',
      'enduser.email': 'bob@example.com',
      'app.recipients': ['a@example.io', 'team'],
    };
    const before = attributes;
    createRedactor().attributesInPlace(attributes);
    expect(attributes).toBe(before);
    expect(attributes).toEqual({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1234,
      'gen_ai.response.finish_reasons': ['stop'],
      'http.request.header.authorization': '[REDACTED:secret]',
      'enduser.email': '[REDACTED:email]',
      'app.recipients': ['[REDACTED:email]', 'team'],
    });
    expect(attributes['gen_ai.response.finish_reasons']).toBe(finishReasons);
  });

  it('deletes the keys that drop mode removes', () => {
    const attributes: Record<string, unknown> = { 'db.password': 'x', 'user.email': 'bob@example.com', 'db.system': 'postgresql' };
    createRedactor({ mode: 'drop' }).attributesInPlace(attributes);
    expect(attributes).toEqual({ 'db.system': 'postgresql' });
    expect(Object.keys(attributes)).toEqual(['db.system']);
  });
});

describe('object', () => {
  const redactor = createRedactor();

  it('returns the same object when nothing needs masking, however deep', () => {
    const fields = { user: { id: 42, roles: ['admin', 'dev'], meta: { region: 'eu-west-1' } }, took: 12 };
    expect(redactor.object(fields)).toBe(fields);
  });

  it('masks nested values and secrets in a copy, keeping the original and its key order', () => {
    const fields = {
      user: { id: 42, email: 'bob@example.com', password: 's3cret' },
      tags: ['ok', 'a@example.io'],
      messages: [{ role: 'user', content: 'call me at 415-555-0132' }],
      count: 3,
    };
    const snapshot = structuredClone(fields);
    const masked = redactor.object(fields);
    expect(masked).toEqual({
      user: { id: 42, email: '[REDACTED:email]', password: '[REDACTED:secret]' },
      tags: ['ok', '[REDACTED:email]'],
      messages: [{ role: 'user', content: 'call me at [REDACTED:phone]' }],
      count: 3,
    });
    expect(Object.keys(masked.user)).toEqual(['id', 'email', 'password']);
    expect(fields).toEqual(snapshot);
  });

  it('replaces a whole object held under a sensitive key', () => {
    expect(redactor.object({ credentials: { user: 'u', pass: 'p' } })).toEqual({ credentials: '[REDACTED:secret]' });
    expect(createRedactor({ mode: 'hash' }).object({ credentials: { user: 'u', pass: 'p' } })).toEqual({
      credentials: `[secret:${HASH.credentials}]`,
    });
  });

  it('replaces cycles with "[Circular]" and still masks the rest', () => {
    const node: Record<string, unknown> = { name: 'root', email: 'bob@example.com' };
    node.self = node;
    node.children = [node];
    expect(redactor.object(node)).toEqual({ name: 'root', email: '[REDACTED:email]', self: '[Circular]', children: ['[Circular]'] });
  });

  it('walks a shared object twice when it is not a cycle', () => {
    const shared = { email: 'bob@example.com' };
    expect(redactor.object({ a: shared, b: shared })).toEqual({ a: { email: '[REDACTED:email]' }, b: { email: '[REDACTED:email]' } });
  });

  it('walks 8 levels below the root and replaces deeper containers with "[Truncated]"', () => {
    type Level = { email: string; next?: Level };
    const root: Level = { email: 'bob@example.com' };
    let tip = root;
    for (let depth = 1; depth <= 9; depth++) tip = tip.next = { email: 'bob@example.com' };
    let masked = redactor.object(root) as Level | string | undefined;
    for (let depth = 0; depth <= 8; depth++) {
      expect(typeof masked === 'object' && masked.email).toBe('[REDACTED:email]');
      masked = typeof masked === 'object' ? masked.next : undefined;
    }
    expect(masked).toBe('[Truncated]');
  });

  it('leaves Errors, Dates, Buffers and Maps as they are', () => {
    const error = new Error('mail bob@example.com');
    const date = new Date(0);
    const buffer = Buffer.from('bob@example.com');
    const map = new Map([['email', 'bob@example.com']]);
    const fields = { error, date, buffer, map };
    expect(redactor.object(fields)).toBe(fields);
  });

  it('walks objects without a prototype', () => {
    const fields = Object.assign(Object.create(null) as Record<string, unknown>, { email: 'bob@example.com' });
    expect(redactor.object(fields)).toEqual({ email: '[REDACTED:email]' });
  });

  it('masks a bare string or array given as the root', () => {
    expect(redactor.object('mail bob@example.com')).toBe('mail [REDACTED:email]');
    expect(redactor.object(['bob@example.com', 1])).toEqual(['[REDACTED:email]', 1]);
  });

  it('removes fields in drop mode, an array with a finding counting as one field', () => {
    const fields = {
      note: 'mail bob@example.com',
      ok: 'fine',
      list: ['x', 'a@example.io'],
      nested: { password: 'p', keep: 1, items: [{ token: 't', id: 2 }] },
    };
    expect(createRedactor({ mode: 'drop' }).object(fields)).toEqual({ ok: 'fine', nested: { keep: 1, items: [{ id: 2 }] } });
  });

  it('masks in drop mode where there is no field to remove: a root string or root array', () => {
    const dropping = createRedactor({ mode: 'drop' });
    expect(dropping.object('mail bob@example.com')).toBe('mail [REDACTED:email]');
    expect(dropping.object(['bob@example.com'])).toEqual(['[REDACTED:email]']);
  });
});

describe('createRedactor', () => {
  it('refuses bad options with a message that says how to fix them', () => {
    expect(() => createRedactor({ detectors: ['mail' as 'email'] })).toThrow("detectors[0] is 'mail'; use any of");
  });
});

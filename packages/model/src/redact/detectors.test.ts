import { describe, expect, it } from 'vitest';
import { DETECTOR_GATE, DETECTOR_NAMES, DETECTORS, type DetectorName, hasCardPrefix, isIpv6, passesLuhn } from './detectors.js';

/**
 * Every substring the detectors called `name` report in `text`, in order. Overlaps keep the
 * earlier, then longer, match, as the redactor does (`ip` has an IPv4 and an IPv6 finder).
 */
function matchesOf(name: DetectorName, text: string): string[] {
  const ranges = [];
  for (const detector of DETECTORS.filter((d) => d.name === name)) {
    for (let range = detector.find(text, 0); range !== null; range = detector.find(text, range.end)) ranges.push(range);
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  let cursor = 0;
  const kept = [];
  for (const range of ranges) {
    if (range.start < cursor) continue;
    kept.push(text.slice(range.start, range.end));
    cursor = range.end;
  }
  return kept;
}

// Secret-shaped test strings are assembled from pieces so that secret scanners reading this
// repository do not take them for leaked credentials.
const KEY_BODY = 'abcDEF0123456789ghiJKL4567mnoPQR';
const OPENAI_KEY = `sk-proj-${KEY_BODY}`;
const ANTHROPIC_KEY = `sk-ant-api03-${KEY_BODY}`;
const AWS_KEY = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const GITHUB_TOKEN = ['ghp', '_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('');
const GITHUB_PAT = ['github', '_pat_', '11ABCDEFG0123456789_abcdefghijKLMNOP'].join('');
const SLACK_TOKEN = ['xox', 'b-', '1234567890-0987654321-AbCdEfGhIjKl'].join('');
const STRIPE_KEY = ['sk', '_live_', 'abcDEF0123456789ghiJKL'].join('');
const GOOGLE_KEY = ['AI', 'za', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'].join('');
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXZhbHVl';

const UUID = '123e4567-e89b-12d3-a456-426614174000';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

/** Ordinary telemetry text that no detector may touch. */
const ORDINARY = [
  'GET /api/v1/users/42 returned 200 in 12.5 ms',
  'version 1.2.3, build v10.0.19045, package 2.42.0+ds',
  'at 2026-11-21T10:15:30Z (12:30:45 local), date 2026-11-21',
  'took 1234 ms for id 123456789',
  `trace ${TRACE_ID} span ${SPAN_ID} request ${UUID}`,
  'pi is 3.14159 and e is 2.71828',
  'epoch 1763719200125 ms, 1763719200123456782 ns',
  'the Bearer authentication scheme needs a Bearer token',
  'pip install scikit-learn sk-learn for the task-force',
  'std::vector and Foo::bar in C++',
];

describe.each<[DetectorName, [string, string[]][], string[]]>([
  [
    'email',
    [
      ['contact bob@example.com today', ['bob@example.com']],
      ['first.last+tag@mail.example.co.uk', ['first.last+tag@mail.example.co.uk']],
      ['A_B%c-d@sub-domain.example.org.', ['A_B%c-d@sub-domain.example.org']],
      ['<alice@example.io>, carol@example.dev', ['alice@example.io', 'carol@example.dev']],
      ['...dots@example.com', ['dots@example.com']],
    ],
    ['pkg@1.2.3', '@scope/pkg@2.0.0', 'user@localhost', 'ping @here', 'foo@bar', 'x@y.z', 'name @ example.com', `${'a'.repeat(65)}@example.com`],
  ],
  [
    'phone',
    [
      ['call +1 415 555 0132 now', ['+1 415 555 0132']],
      ['+44 20 7946 0958', ['+44 20 7946 0958']],
      ['+14155550132', ['+14155550132']],
      ['+1-415-555-0132', ['+1-415-555-0132']],
      ['+1 (415) 555-0132', ['+1 (415) 555-0132']],
      ['(415) 555-0132', ['(415) 555-0132']],
      ['call 415-555-0132.', ['415-555-0132']],
      ['415.555.0132', ['415.555.0132']],
    ],
    [
      '1.2.3',
      'v10.0.19045',
      '2.42.0+ds',
      'v1.2.3+20130313144700',
      '2026-11-21',
      '2026-11-21T10:15:30+01:00',
      '12:30:45',
      'took 1234 ms',
      'id 123456789',
      'id 4155550132',
      UUID,
      TRACE_ID,
      SPAN_ID,
      '3.14159',
      '+12345',
      '1.415.555.0132.9',
    ],
  ],
  [
    'card',
    [
      ['card 4111 1111 1111 1111 exp 12/29', ['4111 1111 1111 1111']],
      ['4111-1111-1111-1111', ['4111-1111-1111-1111']],
      ['4012888888881881', ['4012888888881881']],
      ['amex 378282246310005', ['378282246310005']],
      ['5555 5555 5555 4444', ['5555 5555 5555 4444']],
      ['2223 0031 2200 3222', ['2223 0031 2200 3222']],
      ['6011 1111 1111 1117', ['6011 1111 1111 1117']],
    ],
    [
      '4111 1111 1111 1112',
      '4111 1111 1111',
      '0000 0000 0000 0000',
      '1763719200125',
      '1763719200123456782',
      '2026112110153011',
      '12345678901234567890123',
      UUID,
      TRACE_ID,
    ],
  ],
  [
    'ip',
    [
      ['from 192.168.1.1 to 8.8.8.8.', ['192.168.1.1', '8.8.8.8']],
      ['10.0.0.1:8080', ['10.0.0.1']],
      ['255.255.255.255', ['255.255.255.255']],
      ['2001:db8::1', ['2001:db8::1']],
      ['::1', ['::1']],
      ['fe80::1ff:fe23:4567:890a', ['fe80::1ff:fe23:4567:890a']],
      ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', ['2001:0db8:85a3:0000:0000:8a2e:0370:7334']],
      ['::ffff:192.0.2.1', ['::ffff:192.0.2.1']],
      ['[2001:db8::2]:443', ['2001:db8::2']],
    ],
    [
      '999.1.1.1',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      'v1.2.3.4',
      '12:30:45',
      '2026-11-21T10:15:30Z',
      '00:1a:2b:3c:4d:5e',
      'std::vector',
      'a :: b',
      '1:2:3:4:5:6:7:8:9',
      TRACE_ID,
      UUID,
    ],
  ],
  [
    'bearer',
    [
      ['Authorization: Bearer abc123def456ghi', ['abc123def456ghi']],
      [`bearer ${JWT}`, [JWT]],
      ['BEARER dG9rZW4tdmFsdWU=', ['dG9rZW4tdmFsdWU=']],
      ['Bearer someOpaqueToken', ['someOpaqueToken']],
    ],
    ['the Bearer authentication scheme', 'Bearer token', 'bearer <token>', 'Bearer ${TOKEN}', 'bearer abc1'],
  ],
  [
    'jwt',
    [
      [`token=${JWT}&x=1`, [JWT]],
      ['alg none eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end', ['eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.']],
    ],
    ['eyJhbGciOiJIUzI1NiJ9', 'eyJhbGciOiJIUzI1NiJ9.abc.def', 'keyJ.eyJa.b', 'monkeyJump.eyJx.y'],
  ],
  [
    'apiKey',
    [
      [`OPENAI_API_KEY=${OPENAI_KEY}`, [OPENAI_KEY]],
      [`key ${ANTHROPIC_KEY}.`, [ANTHROPIC_KEY]],
      [`sk-${KEY_BODY}`, [`sk-${KEY_BODY}`]],
      [`aws ${AWS_KEY}`, [AWS_KEY]],
      [GITHUB_TOKEN, [GITHUB_TOKEN]],
      [GITHUB_PAT, [GITHUB_PAT]],
      [SLACK_TOKEN, [SLACK_TOKEN]],
      [GOOGLE_KEY, [GOOGLE_KEY]],
      [`stripe ${STRIPE_KEY}`, [STRIPE_KEY]],
    ],
    [
      'sk-learn',
      'task-force',
      'sk-this-is-a-long-hyphenated-phrase',
      `risk-${KEY_BODY}`,
      'AKIA is a prefix',
      `${AWS_KEY}X`,
      'ghp_short',
      'xoxb-',
      'sk_live_short',
    ],
  ],
])('the %s detector', (name, positives, negatives) => {
  it.each(positives)('finds the secret in %j', (text, expected) => {
    expect(matchesOf(name, text)).toEqual(expected);
  });

  it.each(positives)('lets %j through its hint and the shared gate', (text) => {
    for (const detector of DETECTORS.filter((d) => d.name === name)) {
      if (detector.find(text, 0) !== null) expect(detector.hint.test(text)).toBe(true);
    }
    expect(DETECTOR_GATE.test(text)).toBe(true);
  });

  it.each([...negatives, ...ORDINARY])('leaves %j alone', (text) => {
    expect(matchesOf(name, text)).toEqual([]);
  });
});

describe('the shared gate', () => {
  // Not a correctness property (the gate may let clean text through) but the speed one: these
  // everyday lines must cost one regex scan and nothing more.
  it.each([
    'GET /api/v1/users/42 returned 200 in 12.5 ms',
    'version 1.2.3, build v10.0.19045, package 2.42.0+ds',
    'at 2026-11-21T10:15:30Z (12:30:45 local), date 2026-11-21',
    'took 1234 ms for id 123456789',
    `trace ${TRACE_ID} span ${SPAN_ID}`,
    'User asked the assistant to summarize the quarterly report.',
    '{"model":"gpt-4o-mini","temperature":0.2,"max_tokens":512}',
  ])('turns away the everyday line %j', (text) => {
    expect(DETECTOR_GATE.test(text)).toBe(false);
  });

  it('names every built-in detector once', () => {
    expect(DETECTOR_NAMES).toEqual(['bearer', 'jwt', 'apiKey', 'email', 'card', 'phone', 'ip']);
  });
});

describe('passesLuhn', () => {
  it.each([
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1112', false],
    ['79927398713', true],
    ['79927398710', false],
  ])('judges %j as %s', (text, valid) => {
    expect(passesLuhn(text)).toBe(valid);
  });
});

describe('hasCardPrefix', () => {
  it.each([
    ['4111', true],
    ['3782', true],
    ['6011', true],
    ['2221 0000', true],
    ['2720-9999', true],
    ['2220 9999', false],
    ['2721', false],
    ['1763', false],
    ['0000', false],
    ['9999', false],
  ])('judges %j as %s', (text, issued) => {
    expect(hasCardPrefix(text)).toBe(issued);
  });
});

describe('isIpv6', () => {
  it.each([
    ['2001:db8::1', true],
    ['::1', true],
    ['1::', true],
    ['1:2:3:4:5:6:7:8', true],
    ['::ffff:192.0.2.1', true],
    ['1:2:3:4:5:6:192.0.2.1', true],
    ['::', false],
    ['1::2::3', false],
    ['1:2:3:4:5:6:7', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2:3:4:5:6:7:8', false],
    ['12345::1', false],
    ['::ffff:999.0.2.1', false],
    ['::1.2.3.4:5', false],
  ])('judges %j as %s', (text, valid) => {
    expect(isIpv6(text)).toBe(valid);
  });
});

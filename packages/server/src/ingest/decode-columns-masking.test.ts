import { describe, expect, it } from 'vitest';
import { caseRandom } from '../../test/fuzz/fuzz.js';
import { RECEIVED_US, T0, book, expectSameResult, id, manyKinds, span, stored } from '../../test/support/column-paths.js';
import { type AttributesInput, type ResourceGroup, type SpanInput, encodeTraces } from '../../test/support/otlp-encode.js';
import { encodeTracesJson } from '../../test/support/otlp-json-encode.js';
import type { Random } from '../cli/demo-history.js';
import { type DecodedColumns, decodeTraceColumns } from './decode-columns.js';
import { decodeBatch } from './decode.js';
import { DecodeCore } from './decoder.js';
import { type MaskingPolicy, ProjectMasking } from './masking.js';

/**
 * A masked project's trace requests take the column path: what it stores must be what the record
 * path stores (`decodeBatch` with the project's masker), byte for byte, and the masked values
 * counted alike, over the places a span carries text and over random requests.
 */

const SECRETS = {
  email: 'bob.smith@example.com',
  phone: '+1 415 555 0132',
  card: '4111 1111 1111 1111',
  ip: '192.168.1.23',
  bearer: 'Bearer abcDEF1234567890abcdef.XYZ',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  apiKey: 'sk-proj-AbCdEf0123456789AbCdEf0123456789',
};
const ALL = Object.values(SECRETS).join(' | ');

const POLICIES: MaskingPolicy[] = [
  {},
  { mode: 'hash', hashSalt: 'pepper' },
  { mode: 'drop' },
  { detectors: [], rules: [{ name: 'ssn', pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }] },
  {
    detectors: ['email'],
    rules: [
      { name: 'who', key: '/^(session|user)\\.id$/' },
      { name: 'pw', key: 'db.password', mode: 'drop' },
    ],
  },
];

type Encoding = 'protobuf' | 'json';

/** Decodes `body` of project `shop` under `policy` both ways, and expects the same stored columns, answer and counts. */
function expectSameMasked(body: Uint8Array, encoding: Encoding, policy: MaskingPolicy, what = ''): DecodedColumns {
  const columnMasking = new ProjectMasking(null);
  const recordMasking = new ProjectMasking(null);
  columnMasking.set('shop', policy);
  recordMasking.set('shop', policy);
  const fast = decodeTraceColumns(encoding, body, 'shop', RECEIVED_US, book, undefined, undefined, columnMasking.maskersOf('shop')!.request);
  const record = decodeBatch('traces', encoding, body, 'shop', RECEIVED_US, book, undefined, recordMasking.maskerFor('shop'));
  expectSameResult(fast, record, 'shop', what);
  expect(columnMasking.metricsText(), what).toBe(recordMasking.metricsText());
  return fast;
}

const encode = (groups: Array<ResourceGroup<SpanInput>>, encoding: Encoding): Uint8Array =>
  encoding === 'protobuf' ? encodeTraces(groups) : encodeTracesJson(groups);

/** Every secret in every place a span carries text: its attributes, resource, scope, events, links, status, ids, a snapshot. */
function secretsEverywhere(): Array<ResourceGroup<SpanInput>> {
  const llm = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };
  return [
    {
      resource: { attributes: { 'service.name': 'pii-app', 'host.ip': SECRETS.ip } },
      scopes: [
        {
          scope: { name: 'pii.scope', attributes: { 'scope.owner': SECRETS.email } },
          items: [
            span(1, {
              attributes: { 'session.id': SECRETS.email, 'user.id': SECRETS.phone, 'db.password': 'hunter2', 'gen_ai.prompt': `my details: ${ALL}` },
              events: [{ name: 'exception', timeUnixNano: T0, attributes: { 'exception.type': 'E', 'exception.message': `failed for ${SECRETS.email}` } }],
              links: [{ traceId: id(9, 16), spanId: id(9, 8), attributes: { caller: SECRETS.phone } }],
              status: { code: 2, message: `card ${SECRETS.card} declined` },
            }),
            span(2, { attributes: { ...llm, 'gen_ai.response.id': `resp for ${SECRETS.email}`, list: [SECRETS.card, 'plain', 3] } }),
            span(3, {
              attributes: { nested: { inner: SECRETS.jwt, list: [SECRETS.apiKey] }, authorization: SECRETS.bearer },
              events: [
                {
                  name: 'gen_ai.evaluation.result',
                  timeUnixNano: T0,
                  attributes: {
                    'gen_ai.evaluation.name': 'helpful',
                    'gen_ai.evaluation.score.value': 1,
                    'gen_ai.evaluation.explanation': `mailed ${SECRETS.email}`,
                  },
                },
              ],
            }),
            span(4, { endTimeUnixNano: 0n, attributes: { 'session.id': SECRETS.email, note: `running for ${SECRETS.phone}` } }),
            span(5, { parentSpanId: id(1, 8), status: { code: 2, message: `no route to ${SECRETS.ip}` } }),
          ],
        },
      ],
    },
  ];
}

describe('the column path masks a masked project', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    it.each(POLICIES.map((policy) => [JSON.stringify(policy), policy] as const))(`stores what the record path stores, ${encoding}, under %s`, (_, policy) => {
      const fast = expectSameMasked(encode(secretsEverywhere(), encoding), encoding, policy);
      expect(fast.records).toBe(4);
      expect(fast.snapshots).toBe(1);
      if (policy.detectors === undefined) {
        // Nothing sent is stored: the test would not see a value left unmasked otherwise.
        const text = Buffer.from(JSON.stringify(stored(fast.batch)));
        for (const [name, secret] of Object.entries(SECRETS)) expect(text.includes(Buffer.from(secret).toString('hex')), name).toBe(false);
      }
    });

    it(`stores what the record path stores of every kind of span, ${encoding}`, () => {
      const groups = [{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope: { name: 'app' }, items: manyKinds() }] }];
      for (const policy of POLICIES) expectSameMasked(encode(groups, encoding), encoding, policy, JSON.stringify(policy));
    });

    it(`stores what the record path stores of random requests, ${encoding} (300 cases)`, () => {
      for (let i = 0; i < 300; i++) {
        const random = caseRandom(71, i);
        expectSameMasked(encode(randomRequest(random), encoding), encoding, random.pick(POLICIES), `case ${i}`);
      }
    });
  }

  it('masks a request spelled otherwise (a byte order mark, a key with an escape, a field twice) as the record path does', () => {
    const text = Buffer.from(encode(secretsEverywhere(), 'json')).toString('utf8');
    const spelled = [`\ufeff${text}`, text.replace('"key":"note"', '"key":"\\u006eote"'), spanAttributesTwice(text)];
    for (const edited of spelled) {
      expect(edited).not.toBe(text);
      for (const policy of POLICIES) expectSameMasked(Buffer.from(edited), 'json', policy, JSON.stringify(policy));
    }
  });

  it('refuses a request of a project whose policy this server cannot use, as the record path does, and a malformed body for what it is', () => {
    const masking = new ProjectMasking({ fallback: { detectors: [], rules: [{ name: 'b', pattern: '(?<=x)y' }] }, projects: {} });
    const body = encode(secretsEverywhere(), 'protobuf');
    const maskers = masking.maskersOf('shop')!;
    const refusal = (() => {
      try {
        decodeBatch('traces', 'protobuf', body, 'shop', RECEIVED_US, book, undefined, maskers.records);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('the record path stored it');
    })();
    expect(refusal).toMatch(/project 'shop' has a masking policy this server cannot use/);
    const core = new DecodeCore(null, { fallback: { detectors: [], rules: [{ name: 'b', pattern: '(?<=x)y' }] }, projects: {} });
    const request = { signal: 'traces' as const, encoding: 'protobuf' as const, projectId: 'shop', receivedUs: RECEIVED_US };
    expect(() => core.decode({ ...request, body })).toThrow(refusal);
    expect(() => core.decode({ ...request, body: encodeTraces([]) })).toThrow(refusal);
    expect(() => core.decode({ ...request, body: body.subarray(0, 40) })).toThrow(/malformed protobuf/);
  });

  it('decodes a masked project by the column path', () => {
    const core = new DecodeCore(null, { fallback: {}, projects: {} });
    for (const encoding of ['protobuf', 'json'] as const) {
      const decoded = core.decode({ signal: 'traces', encoding, projectId: 'shop', receivedUs: RECEIVED_US, body: encode(secretsEverywhere(), encoding) });
      expect(decoded.records).toBe(4);
      core.settle(decoded.ticket, false);
    }
    expect(core.maskedMetrics()).toMatch(/spoor_masked_values_total\{detector="email"\} [1-9]/);
  });
});

/** The first span's attributes given twice, the first a KeyValue the last replaces. */
function spanAttributesTwice(text: string): string {
  return text.replace(/("spans":\[\{[^]*?)"attributes":\[/, '$1"attributes":[{"key":"gone","value":{"stringValue":"bob@example.com"}}],"attributes":[');
}

const KEYS = ['note', 'db.password', 'authorization', 'session.id', 'user.id', 'gen_ai.prompt', 'gen_ai.response.id', 'exception.message', 'http.url'];
const VALUES: Array<() => AttributesInput[string]> = [
  ...Object.values(SECRETS).map((secret) => () => secret),
  () => `text around ${SECRETS.email} and 123-45-6789`,
  () => 'version 1.2.3, order 123456789',
  () => 42,
  () => true,
  () => [SECRETS.card, 'plain'],
  () => ({ inner: SECRETS.phone, n: 1 }),
];

function randomAttributes(random: Random, most: number): AttributesInput {
  const attributes: AttributesInput = {};
  for (let k = random.int(0, most); k > 0; k--) attributes[`${random.pick(KEYS)}${random.chance(0.7) ? '' : `.${k}`}`] = random.pick(VALUES)();
  return attributes;
}

/** A request of random spans: secrets in random places, LLM calls, errors, evaluations, snapshots, a span twice. */
function randomRequest(random: Random): Array<ResourceGroup<SpanInput>> {
  const spans: SpanInput[] = [];
  for (let n = 1, count = random.int(1, 8); n <= count; n++) {
    const attributes = randomAttributes(random, 5);
    if (random.chance(0.3)) Object.assign(attributes, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': n });
    const events: NonNullable<SpanInput['events']> = [];
    if (random.chance(0.3))
      events.push({ name: 'exception', timeUnixNano: T0, attributes: { 'exception.message': `${random.pick(VALUES)()}`, ...randomAttributes(random, 2) } });
    if (random.chance(0.2)) {
      const explanation = `why: ${random.pick(Object.values(SECRETS))}`;
      events.push({
        name: 'gen_ai.evaluation.result',
        timeUnixNano: T0,
        attributes: { 'gen_ai.evaluation.score.value': 1, 'gen_ai.evaluation.explanation': explanation },
      });
    }
    spans.push(
      span(random.chance(0.1) ? 1 : n, {
        attributes,
        events,
        links: random.chance(0.2) ? [{ traceId: id(7, 16), spanId: id(7, 8), attributes: randomAttributes(random, 2) }] : [],
        status: random.chance(0.3) ? { code: 2, message: `${random.pick(VALUES)()}` } : { code: 0 },
        ...(random.chance(0.1) ? { endTimeUnixNano: 0n } : {}),
      }),
    );
  }
  return [
    {
      resource: { attributes: { 'service.name': 'svc', ...randomAttributes(random, 2) } },
      scopes: [{ scope: { name: 'app', attributes: randomAttributes(random, 1) }, items: spans }],
    },
  ];
}

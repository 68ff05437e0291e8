import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Random } from '../../src/cli/demo-history.js';
import { double, encodeLogs, encodeMetrics, encodeSpanBatch } from '../support/otlp-encode.js';
import { type Json, logsBody, metricsBody, span, tracesBody } from '../support/json-fixtures.js';

/**
 * A seeded mutation fuzzer for OTLP bodies (its REST requests: rest-requests.ts). Every case is a
 * pure function of (seed, index), so a failure names the two numbers that bring it back; the input
 * is also written to a file.
 */

/** The random source of case `index` of a run seeded `seed`. */
export const caseRandom = (seed: number, index: number): Random => new Random(Math.imul(seed ^ 0x9e3779b9, 2654435761) ^ index);

export type Signal = 'traces' | 'logs' | 'metrics';
export type Encoding = 'json' | 'protobuf';

export interface Seed {
  signal: Signal;
  encoding: Encoding;
  body: Uint8Array;
}

const T0 = 1_763_719_200_000_000_000n;

/** Valid bodies of every signal in both encodings, with every value kind, to mutate. */
export function seeds(): Seed[] {
  const jsonSpans: Json[] = [
    span({
      name: 'chat gpt-4o',
      kind: 3,
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: '120' } },
        { key: 'gen_ai.usage.output_tokens', value: { intValue: 48 } },
        { key: 'ratio', value: { doubleValue: 0.5 } },
        { key: 'ok', value: { boolValue: true } },
        { key: 'raw', value: { bytesValue: 'AAEC' } },
        { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } } },
        { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
      ],
      events: [
        {
          timeUnixNano: '1763719200124456789',
          name: 'exception',
          attributes: [
            { key: 'exception.type', value: { stringValue: 'TimeoutError' } },
            { key: 'exception.stacktrace', value: { stringValue: 'Error: x\n    at f (/app/a.js:1:2)' } },
          ],
        },
      ],
      links: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', attributes: [] }],
      status: { code: 2, message: 'boom' },
      flags: 257,
      droppedAttributesCount: 1,
    }),
    span({ spanId: '0102030405060708', parentSpanId: '00f067aa0ba902b7', name: 'tool web_search', kind: 1 }),
  ];
  const jsonLogs: Json[] = [
    {
      timeUnixNano: '1763719200123456789',
      observedTimeUnixNano: '1763719200123456999',
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: 'request failed' },
      attributes: [{ key: 'exception.type', value: { stringValue: 'ValueError' } }],
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      flags: 1,
    },
    {
      observedTimeUnixNano: '1763719200123456999',
      severityNumber: 9,
      body: { kvlistValue: { values: [{ key: 'event', value: { stringValue: 'x' } }] } },
      eventName: 'app.start',
    },
    { timeUnixNano: '1763719200099999999', severityNumber: 5, body: { bytesValue: 'AAEC/v8=' } },
  ];
  const jsonMetrics: Json[] = [
    {
      name: 'requests',
      unit: '1',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [
          {
            asInt: '7',
            startTimeUnixNano: '1763719200000000000',
            timeUnixNano: '1763719260000000000',
            attributes: [{ key: 'route', value: { stringValue: '/a' } }],
          },
        ],
      },
    },
    {
      name: 'queue',
      gauge: {
        dataPoints: [
          {
            asDouble: 3.5,
            timeUnixNano: '1763719260000000000',
            exemplars: [{ asDouble: 1, timeUnixNano: '1763719260000000000', traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }],
          },
        ],
      },
    },
    {
      name: 'latency',
      unit: 's',
      histogram: {
        aggregationTemporality: 1,
        dataPoints: [
          { count: '6', sum: 2.5, min: 0.1, max: 1.2, bucketCounts: ['1', '2', '3'], explicitBounds: [0.2, 0.8], timeUnixNano: '1763719260000000000' },
        ],
      },
    },
    {
      name: 'size',
      exponentialHistogram: {
        aggregationTemporality: 2,
        dataPoints: [{ count: '3', scale: 2, zeroCount: '0', positive: { offset: -1, bucketCounts: ['1', '2'] }, timeUnixNano: '1763719260000000000' }],
      },
    },
    { name: 'rpc', summary: { dataPoints: [{ count: '4', sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }], timeUnixNano: '1763719260000000000' }] } },
    // Integer points at and past the ends of int64 (the last is rejected on its own).
    {
      name: 'bytes',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: ['9223372036854775807', '-9223372036854775808', '9007199254740993', '9223372036854775808'].map((asInt) => ({
          asInt,
          timeUnixNano: '1763719260099999999',
        })),
      },
    },
  ];
  const protobufLogs = encodeLogs([
    {
      resource: { attributes: { 'service.name': 'svc', 'deployment.environment': 'prod' } },
      schemaUrl: SCHEMA_URL,
      scopes: [
        {
          schemaUrl: SCHEMA_URL,
          items: [
            {
              timeUnixNano: T0,
              severityNumber: 13,
              severityText: 'WARN',
              body: 'slow',
              attributes: { 'a.int': 5, 'a.double': double(1.5), 'a.list': [1, 'x'], 'a.map': { k: true } },
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: 'eee19b7ec3c1b174',
            },
            { timeUnixNano: 0, observedTimeUnixNano: T0, severityNumber: 21, body: { structured: [1, 2] }, eventName: 'crash' },
            { timeUnixNano: T0, severityNumber: 9, body: new Uint8Array([0, 1, 2, 254, 255]) },
          ],
        },
      ],
    },
  ]);
  const protobufMetrics = encodeMetrics([
    {
      resource: { attributes: { 'service.name': 'svc' } },
      schemaUrl: SCHEMA_URL,
      scopes: [
        {
          schemaUrl: SCHEMA_URL,
          items: [
            {
              name: 'bytes',
              data: {
                type: 'sum',
                temporality: 2,
                monotonic: true,
                points: [
                  { asInt: 2n ** 63n - 1n, timeUnixNano: T0 },
                  { asInt: -(2n ** 63n), timeUnixNano: T0 },
                ],
              },
            },
            {
              name: 'requests',
              unit: '1',
              data: { type: 'sum', temporality: 2, monotonic: true, points: [{ asInt: 7, timeUnixNano: T0, attributes: { route: '/a' } }] },
            },
            {
              name: 'latency',
              data: {
                type: 'histogram',
                temporality: 1,
                points: [{ count: 6, sum: 2.5, bucketCounts: [1, 2, 3], explicitBounds: [0.2, 0.8], timeUnixNano: T0 }],
              },
            },
            {
              name: 'size',
              data: {
                type: 'exponential_histogram',
                temporality: 2,
                points: [{ count: 3, scale: 2, zeroCount: 0, positive: { offset: -1, bucketCounts: [1, 2] }, timeUnixNano: T0 }],
              },
            },
            { name: 'rpc', data: { type: 'summary', points: [{ count: 4, sum: 10, quantiles: [{ quantile: 0.5, value: 2 }], timeUnixNano: T0 }] } },
            {
              name: 'queue',
              data: {
                type: 'gauge',
                points: [
                  {
                    asDouble: 3.5,
                    timeUnixNano: T0,
                    exemplars: [{ asDouble: 1, timeUnixNano: T0, traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174' }],
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ]);
  return [
    { signal: 'traces', encoding: 'json', body: tracesBody(jsonSpans) },
    { signal: 'logs', encoding: 'json', body: logsBody(jsonLogs) },
    { signal: 'metrics', encoding: 'json', body: metricsBody(jsonMetrics) },
    // The same, times and asInts written as bare numbers, as the protobuf JSON mapping allows.
    { signal: 'traces', encoding: 'json', body: bare(tracesBody(jsonSpans)) },
    { signal: 'logs', encoding: 'json', body: bare(logsBody(jsonLogs)) },
    { signal: 'metrics', encoding: 'json', body: bare(metricsBody(jsonMetrics)) },
    { signal: 'traces', encoding: 'protobuf', body: encodeSpanBatch({ traces: 2, spansPerTrace: 3 }) },
    { signal: 'logs', encoding: 'protobuf', body: protobufLogs },
    { signal: 'metrics', encoding: 'protobuf', body: protobufMetrics },
  ];
}

const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.26.0';

/** A JSON body with its quoted nanosecond times and asInts written as bare numbers. */
function bare(body: Uint8Array): Uint8Array {
  return new TextEncoder().encode(new TextDecoder().decode(body).replace(/("(?:\w*UnixNano|asInt)":)"(-?\d+)"/g, '$1$2'));
}

/** Values that break parsers that trust their input. */
const NASTY_JSON: unknown[] = [
  -1,
  0,
  -0,
  1.5,
  4294967296,
  -2147483649,
  2 ** 53 + 2,
  1e16,
  1e21,
  1e30,
  1e308,
  -1e308,
  5e-324,
  2 ** 63,
  -(2 ** 63),
  '-1',
  '4294967296',
  '9007199254740993',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '1e30',
  'NaN',
  'Infinity',
  '',
  ' ',
  '0x10',
  'abc',
  '\ud800',
  '\u0000',
  '__proto__',
  'constructor',
  'a'.repeat(70_000),
  null,
  true,
  false,
  [],
  {},
  [[[[[[[[]]]]]]]],
  { __proto__: { polluted: true } },
  { stringValue: 'x' },
  { intValue: '1e400' },
  { arrayValue: {} },
  { kvlistValue: { values: [{}] } },
];

/** Mutates a JSON document: a value replaced, a key dropped or renamed, an array grown; sometimes its text too. */
function mutateJson(random: Random, body: Uint8Array): Uint8Array {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return mutateBytes(random, body);
  }
  const rounds = 1 + random.int(0, 2);
  for (let r = 0; r < rounds; r++) doc = mutateNode(random, doc, 0);
  const text = new TextEncoder().encode(JSON.stringify(doc) ?? 'null');
  return random.chance(0.15) ? mutateBytes(random, text) : text;
}

function mutateNode(random: Random, node: unknown, depth: number): unknown {
  // Deep nodes more often than the document's skeleton, so most cases get past the envelope.
  if (node === null || typeof node !== 'object' || depth > 12 || (depth > 3 && random.chance(0.2))) {
    return random.chance(0.8) ? random.pick(NASTY_JSON) : node;
  }
  if (Array.isArray(node)) {
    if (node.length === 0 || random.chance(0.1)) return random.chance(0.5) ? [...node, random.pick(NASTY_JSON)] : [];
    const i = random.int(0, node.length - 1);
    const copy = [...node];
    if (random.chance(0.1)) copy.push(copy[i]);
    else copy[i] = mutateNode(random, copy[i], depth + 1);
    return copy;
  }
  const entries = Object.entries(node as Json);
  if (entries.length === 0) return { [random.pick(['traceId', 'value', 'spanId', 'name'])]: random.pick(NASTY_JSON) };
  const [key, value] = entries[random.int(0, entries.length - 1)]!;
  const copy: Json = Object.fromEntries(entries);
  const roll = random.next();
  if (roll < 0.08) delete copy[key];
  else if (roll < 0.14) {
    delete copy[key];
    copy[random.pick(['__proto__', `${key}X`, key.toUpperCase(), 'unknownField'])] = value;
  } else copy[key] = mutateNode(random, value, depth + 1);
  return copy;
}

/** Byte-level mutations, for protobuf (and sometimes JSON text). */
export function mutateBytes(random: Random, body: Uint8Array): Uint8Array {
  let out = Uint8Array.from(body);
  const rounds = 1 + random.int(0, 3);
  for (let r = 0; r < rounds; r++) {
    const at = out.length === 0 ? 0 : random.int(0, out.length - 1);
    switch (random.int(0, 8)) {
      case 0:
        if (out.length > 0) out[at] = out[at]! ^ (1 << random.int(0, 7));
        break;
      case 1:
        if (out.length > 0) out[at] = random.pick([0x00, 0xff, 0x80, 0x7f, 0x0a, 0x12, 0x1a]);
        break;
      case 2:
        out = out.slice(0, at);
        break;
      case 3: {
        const length = random.int(0, Math.min(64, out.length - at));
        out = Uint8Array.from([...out.slice(0, at), ...out.slice(at + length)]);
        break;
      }
      case 4: {
        const from = random.int(0, out.length);
        const piece = out.slice(from, from + random.int(0, 255));
        out = Uint8Array.from([...out.slice(0, at), ...piece, ...out.slice(at)]);
        break;
      }
      case 5: // A 10-byte varint: the largest length or value a field can claim.
        out = Uint8Array.from([
          ...out.slice(0, at),
          ...random.pick([
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            [0x80, 0x80, 0x80, 0x80, 0x08],
            [0xff, 0xff, 0xff, 0xff, 0x0f],
          ]),
          ...out.slice(at),
        ]);
        break;
      case 6: // A field with a new number and wire type.
        out = Uint8Array.from([...out.slice(0, at), (random.int(0, 39) << 3) | random.pick([0, 1, 2, 3, 4, 5, 6, 7]), random.int(0, 255), ...out.slice(at)]);
        break;
      case 7:
        for (let i = 0; i < 4 && at + i < out.length; i++) out[at + i] = random.int(0, 255);
        break;
      default: // The same message twice: repeated fields and merged singulars.
        out = Uint8Array.from([...out, ...out.slice(0, random.int(0, out.length))]);
    }
  }
  return out;
}

/** A mutated body of one of the seeds, in its own encoding (most of the time). */
export function mutatedBody(random: Random, corpus: readonly Seed[]): Seed {
  const seed = random.pick(corpus);
  const body = seed.encoding === 'json' && random.chance(0.85) ? mutateJson(random, seed.body) : mutateBytes(random, seed.body);
  return { ...seed, body };
}

/** How a mutated body goes over HTTP: its content type and encoding, sometimes wrong on purpose. */
export function transportOf(random: Random, seed: Seed): { contentType: string; gzip: boolean; contentEncoding: string | null; body: Uint8Array } {
  const right = seed.encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const contentType = random.chance(0.85)
    ? right
    : random.pick(['application/json', 'application/x-protobuf', 'application/protobuf', 'text/plain', 'application/json; charset=latin1', '']);
  const gzip = random.chance(0.2);
  let body = gzip ? new Uint8Array(gzipSync(seed.body)) : seed.body;
  let contentEncoding: string | null = gzip ? 'gzip' : null;
  if (random.chance(0.05)) contentEncoding = random.pick(['gzip', 'br', 'deflate', 'identity', 'x-unknown']);
  if (gzip && random.chance(0.1)) body = mutateBytes(random, body);
  return { contentType, gzip, contentEncoding, body };
}

/** Keeps a failing input where a person can find it, and says how to run it again. */
export function keepFailure(kind: string, seed: number, index: number, input: Uint8Array | string, problem: string): string {
  const dir = join(tmpdir(), 'spoor-fuzz-failures');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-seed${seed}-case${index}.bin`);
  writeFileSync(file, input);
  return `${kind} case ${index} of seed ${seed}: ${problem} (input kept in ${file}; FUZZ_SEED=${seed} reproduces it)`;
}

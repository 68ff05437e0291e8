import { describe, expect, it } from 'vitest';
import { span, tracesBody } from '../../test/support/json-fixtures.js';
import { encodeTraces } from '../../test/support/otlp-encode.js';
import { span as protobufSpan } from '../../test/support/protobuf-fixtures.js';
import { decodeRequest } from './decode.js';

/** Input that looks like data to a user and like something else to JavaScript. */
describe('decoded attributes', () => {
  it('keep __proto__ as a plain key, in JSON and in protobuf alike', () => {
    const json = decodeRequest(
      'traces',
      'json',
      tracesBody([
        span({
          attributes: [
            { key: '__proto__', value: { stringValue: 'x' } },
            { key: 'k', value: { stringValue: 'v' } },
          ],
        }),
      ]),
      'p1',
      0,
    );
    const protobuf = decodeRequest(
      'traces',
      'protobuf',
      encodeTraces([
        {
          resource: { attributes: { 'service.name': 'svc' } },
          scopes: [{ items: [protobufSpan({ attributes: JSON.parse('{"__proto__":"x","k":"v"}') as Record<string, string> })] }],
        },
      ]),
      'p1',
      0,
    );
    for (const decoded of [json, protobuf]) {
      const attributes = decoded.batch.spans[0]!.attributes;
      expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
      expect(Object.keys(attributes).sort()).toEqual(['__proto__', 'k']);
      expect(JSON.parse(JSON.stringify(attributes))).toEqual(JSON.parse('{"__proto__":"x","k":"v"}'));
    }
  });

  it('never take a service name from a resource attribute named __proto__', () => {
    const body = new TextEncoder().encode(
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'service.name', value: { stringValue: 'spoofed' } }] } } }] },
            scopeSpans: [{ spans: [span()] }],
          },
        ],
      }),
    );
    const [decoded] = decodeRequest('traces', 'json', body, 'p1', 0).batch.spans;
    expect(decoded!.serviceName).toBe('unknown_service');
    expect(Object.keys(decoded!.resource.attributes)).toEqual(['__proto__']);
  });
});

describe('a JSON body', () => {
  it('with bytes that are not UTF-8 is malformed, as protobuf strings are', () => {
    const text = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span({ name: 'NAME' })] }] }] }));
    const bad = Buffer.from(text.toString('latin1').replace('NAME', 'N\u00ffE'), 'latin1');
    expect(() => decodeRequest('traces', 'json', bad, 'p1', 0)).toThrow(/not valid UTF-8/);
    expect(decodeRequest('traces', 'json', text, 'p1', 0).batch.spans[0]!.name).toBe('NAME');
  });
});

describe('a request holding one span twice', () => {
  it('keeps the first and rejects the others, counted, in JSON and in protobuf alike', () => {
    const twice = [span({ name: 'first' }), span({ name: 'again' }), span({ name: 'other', spanId: 'aaaaaaaaaaaaaaaa' }), span({ name: 'third time' })];
    const json = decodeRequest('traces', 'json', tracesBody(twice), 'p1', 0);
    const protobuf = decodeRequest(
      'traces',
      'protobuf',
      encodeTraces([
        {
          resource: { attributes: {} },
          scopes: [{ items: [protobufSpan({ name: 'first', spanId: '0102030405060708' }), protobufSpan({ name: 'again', spanId: '0102030405060708' })] }],
        },
      ]),
      'p1',
      0,
    );
    expect(json.batch.spans.map((s) => s.name)).toEqual(['first', 'other']);
    expect(json.rejected).toBe(2);
    expect(json.rejectReason).toMatch(/appears more than once in the request; the first is kept/);
    expect(protobuf.batch.spans.map((s) => s.name)).toEqual(['first']);
    expect(protobuf.rejected).toBe(1);
  });
});

describe('span ids shared by two traces of one request', () => {
  it('are two spans, not a duplicate', () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    const decoded = decodeRequest(
      'traces',
      'json',
      tracesBody([span({ name: 'a' }), span({ name: 'b', traceId: other }), span({ name: 'b again', traceId: other })]),
      'p1',
      0,
    );
    expect(decoded.batch.spans.map((s) => s.name)).toEqual(['a', 'b']);
    expect(decoded.rejected).toBe(1);
  });
});

import { readFileSync } from 'node:fs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { caseRandom, mutatedBody, seeds } from '../../test/fuzz/fuzz.js';
import {
  type FixtureSpan,
  both,
  everyValue,
  expectSame,
  expectSameOutcome,
  fixtureFiles,
  fixtureGroups,
  manyKinds,
  severalGroups,
  span,
} from '../../test/support/column-paths.js';
import { type ResourceGroup, type SpanInput, spanBatch } from '../../test/support/otlp-encode.js';
import { type JsonStyle, encodeTracesJson } from '../../test/support/otlp-json-encode.js';
import { respelled } from '../../test/support/json-respell.js';

/**
 * The column path's OTLP/JSON reader (`json/trace-columns.ts`) against the record path
 * (`json/traces.ts`): see `test/support/column-paths.ts`.
 */

describe('decoding an OTLP/JSON trace request straight into columns', () => {
  const styles: Array<[string, JsonStyle]> = [
    ['as the OpenTelemetry JS exporter writes it', {}],
    ['with bare numbers, enum names and upper-case ids', { bareNumbers: true, enumNames: true, upperIds: true }],
    ['indented, zero fields left out', { indent: true, omitZeros: true }],
  ];
  const json = (groups: Array<ResourceGroup<SpanInput>>, style: JsonStyle = {}): Uint8Array => encodeTracesJson(groups, style);
  const oneJson = (spans: SpanInput[], style: JsonStyle = {}, scope = { name: 'app' }): Uint8Array =>
    json([{ resource: { attributes: { 'service.name': 'svc' } }, scopes: [{ scope, items: spans }] }], style);

  it.each(styles)('stores what the record path stores for generated LLM traces, %s', (_what, style) => {
    expectSame(json(spanBatch({ traces: 40, spansPerTrace: 7 }), style), 'p1', 'json');
    expectSame(json(spanBatch({ traces: 3, spansPerTrace: 2, services: 1, seed: 9 }), style), 'default', 'json');
  });

  it("stores what the record path stores for the OpenTelemetry JS exporter's own OTLP/JSON", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'otel-js' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('spoor-test', '1.0.0');
    tracer.startActiveSpan('invoke_agent planner', (root) => {
      tracer.startActiveSpan('chat gpt-4o', { kind: SpanKind.CLIENT }, (call) => {
        call.setAttributes({
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 812,
          'gen_ai.usage.output_tokens': 97,
          'gen_ai.response.finish_reasons': ['stop'],
          ratio: 0.25,
          'gen_ai.prompt': 'say "hi"\n\ttwice ✓',
        });
        call.addEvent('gen_ai.content.completion', { 'gen_ai.completion': 'hi hi' });
        call.end();
      });
      tracer.startActiveSpan('execute_tool search', (tool) => {
        tool.recordException(new Error('search timed out'));
        tool.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
        tool.end();
      });
      root.end();
    });
    const body = JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
    await provider.shutdown();
    expectSame(body, 'p1', 'json');
  });

  it.each(fixtureFiles)('stores what the record path stores for the captured spans of %s', (file) => {
    const fixture = JSON.parse(readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')) as { spans?: FixtureSpan[] };
    expectSame(encodeTracesJson(fixtureGroups(fixture.spans!)), 'p1', 'json');
  });

  it.each(styles)('stores what the record path stores for errors, scores, links, values of every kind and escaped text, %s', (_what, style) => {
    expectSame(oneJson(manyKinds(), style), 'p1', 'json');
    expectSame(
      oneJson([span(1, { attributes: everyValue, name: 'naïve ünïcode', status: { code: 1, message: 'ok ✓' } })], style, { name: 'scope ✓' }),
      'p1',
      'json',
    );
  });

  it('stores what the record path stores over several resources and scopes, a resource after its scopes, odd kinds and clock skew', () => {
    expectSame(json(severalGroups()), 'p1', 'json');
    expectSame(json(severalGroups(), { bareNumbers: true, omitZeros: true }), 'p1', 'json');
  });

  it.each([
    [
      'escapes JSON.stringify would not write',
      (t: string) =>
        t.replace('"text","value":{"stringValue":"quote', '"text","value":{"stringValue":"\\/ \\u00e9 \\u00E9 \\u001F \\ud83d\\ude00 \\ud800 quote'),
    ],
    [
      'an escaped name, message and trace state',
      (t: string) => t.replace('"name":"span 1"', '"name":"span\\u0020\\u0031\\n"').replace('"message":""', '"message":"\\u00e9\\t"'),
    ],
    [
      'nulls for fields and values',
      (t: string) =>
        t.replace('"traceState":""', '"traceState":null').replace('"events":[]', '"events":null').replace('"status":{"code":0,"message":""}', '"status":null'),
    ],
    [
      'fields OTLP does not define, and a KeyValue of a key alone',
      (t: string) =>
        t
          .replace('"name":"span 1"', '"name":"span 1","extra":{"a":[1,2.5e3,true,null,"x\\"y"]},"more":-0.5')
          .replace('{"key":"yes","value":{"boolValue":true}}', '{"key":"yes"}'),
    ],
    ['fields in another order', (t: string) => t.replace(/"flags":(\d+)\}/g, '"flags":$1,"traceState":""}').replace(/"traceState":"",("parentSpanId")/g, '$1')],
    [
      'a value of two kinds, and maps, bytes and nested lists',
      (t: string) => t.replace('{"stringValue":"model-é"}', '{"stringValue":"model-é","intValue":"3"}'),
    ],
    [
      'times and integers of every spelling',
      (t: string) =>
        t
          .replace(/"startTimeUnixNano":"(\d+)"/, '"startTimeUnixNano":$1')
          .replace('"droppedAttributesCount":0', '"droppedAttributesCount":"0"')
          .replace('"kind":1', '"kind":"1"'),
    ],
  ])('stores what the record path stores with %s', (_what, edit) => {
    const text = Buffer.from(oneJson([span(1, { attributes: everyValue }), span(2)])).toString('utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    expectSame(Buffer.from(edited), 'p1', 'json');
  });

  it.each([
    ['a field twice in a span', (t: string) => t.replace('"name":"span 1"', '"name":"span 1","name":"again"'), false],
    ['a field twice in a span, the first malformed', (t: string) => t.replace('"name":"span 1"', '"name":5,"name":"span 1"'), false],
    [
      'a value twice in a KeyValue, the first malformed',
      (t: string) => t.replace('"value":{"stringValue":"x"}', '"value":"x","value":{"stringValue":"x"}'),
      false,
    ],
    ['attributes twice, the first malformed', (t: string) => t.replace('"attributes":[{"key":"a"', '"attributes":7,"attributes":[{"key":"a"'), false],
    [
      'a KeyValue whose value comes first',
      (t: string) => t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"value":{"stringValue":"x"},"key":"a"}'),
      false,
    ],
    ['a key holding an escape', (t: string) => t.replace('{"key":"a",', '{"key":"\\u0061",'), false],
    ['a byte order mark', (t: string) => `\ufeff${t}`, false],
    ['text after the request', (t: string) => `${t} {}`, true],
    ['a control character in a string', (t: string) => t.replace('"name":"span 1"', '"name":"span\u00011"'), true],
    ['a truncated body', (t: string) => t.slice(0, t.length - 40), true],
    ['a trace id that is not hex', (t: string) => t.replace(/"traceId":"0+1"/, `"traceId":"${'z'.repeat(32)}"`), true],
    ['a span id of another length, not hex', (t: string) => t.replace(/"spanId":"0+1"/, '"spanId":"00z1"'), true],
  ] as const)('stores or refuses a request with %s as the record path does, naming the fault in its words', (_what, edit, refused) => {
    const text = Buffer.from(oneJson([span(1, { attributes: { a: 'x' } }), span(2)])).toString('utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    const { fast, record } = both(Buffer.from(edited), 'p1', 'json');
    expect(record instanceof Error, record instanceof Error ? record.message : 'stored').toBe(refused);
    expectSameOutcome(fast, record);
  });

  it.each([
    ['a request that is not an object', () => '[]'],
    ['resourceSpans not an array', () => '{"resourceSpans":{}}'],
    ['a resource group not an object', (t: string) => t.replace('{"resourceSpans":[', '{"resourceSpans":[7,')],
    ['a resource not an object', (t: string) => t.replace('"resource":{', '"resource":[],"x":{')],
    ['a schema URL not a string', (t: string) => t.replace('"schemaUrl":""', '"schemaUrl":1')],
    ['scopeSpans not an array', () => '{"resourceSpans":[{"scopeSpans":"x"}]}'],
    ['a scope not an object', (t: string) => t.replace('"scope":{', '"scope":1,"y":{')],
    ['spans not an array', () => '{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}'],
    ['a span not an object', (t: string) => t.replace('"spans":[', '"spans":[null,')],
    ['a name not a string', (t: string) => t.replace('"name":"span 2"', '"name":2')],
    ['a trace state not a string', (t: string) => t.replace('"traceState":""', '"traceState":[]')],
    ['a parent id not a string', (t: string) => t.replace('"parentSpanId":""', '"parentSpanId":7')],
    ['an unknown kind', (t: string) => t.replace('"kind":1', '"kind":"SPAN_KIND_NONE"')],
    ['a kind not an integer', (t: string) => t.replace('"kind":1', '"kind":1.5')],
    ['a start not nanoseconds', (t: string) => t.replace(/"startTimeUnixNano":"\d+"/, '"startTimeUnixNano":"soon"')],
    ['a negative end', (t: string) => t.replace(/"endTimeUnixNano":"\d+"/, '"endTimeUnixNano":-5')],
    ['flags not an integer', (t: string) => t.replace(/"flags":\d+/, '"flags":true')],
    ['a dropped count not an integer', (t: string) => t.replace('"droppedAttributesCount":0,"events"', '"droppedAttributesCount":"x","events"')],
    ['attributes not an array', (t: string) => t.replace('"attributes":[{"key":"a"', '"attributes":{"key":"a"').replace('"x"}}],"dropped', '"x"}},"dropped')],
    ['a KeyValue not an object', (t: string) => t.replace('[{"key":"a",', '["a",{"key":"a",')],
    ['a key not a string', (t: string) => t.replace('{"key":"a",', '{"key":1,')],
    ['a string value not a string', (t: string) => t.replace('{"stringValue":"x"}', '{"stringValue":1}')],
    ['an int value not an integer', (t: string) => t.replace('{"stringValue":"x"}', '{"intValue":"1e3"}')],
    ['a double value not a number', (t: string) => t.replace('{"stringValue":"x"}', '{"doubleValue":"many"}')],
    ['a bool value not a boolean', (t: string) => t.replace('{"stringValue":"x"}', '{"boolValue":"yes"}')],
    ['a bytes value not base64', (t: string) => t.replace('{"stringValue":"x"}', '{"bytesValue":"*"}')],
    ['array values not an array', (t: string) => t.replace('{"stringValue":"x"}', '{"arrayValue":{"values":1}}')],
    ['values nested too deep', (t: string) => t.replace('{"stringValue":"x"}', `${'{"arrayValue":{"values":['.repeat(40)}1${']}}'.repeat(40)}`)],
    ['events not an array', (t: string) => t.replace('"events":[]', '"events":{}')],
    ['an event not an object', (t: string) => t.replace('"events":[]', '"events":[1]')],
    ['an event time not nanoseconds', (t: string) => t.replace('"events":[]', '"events":[{"timeUnixNano":"x"}]')],
    ['a link trace id not hex', (t: string) => t.replace('"links":[]', '"links":[{"traceId":"zz"}]')],
    ['a status not an object', (t: string) => t.replace('"status":{"code":0,"message":""}', '"status":"ok"')],
    ['an unknown status code', (t: string) => t.replace('"status":{"code":0,', '"status":{"code":"STATUS_CODE_MAYBE",')],
    ['a status message not a string', (t: string) => t.replace('"message":""', '"message":false')],
    ['a fault in a span after one in a later resource', (t: string) => t.replace('"name":"span 2"', '"name":2').replace(/\]\}$/, ',7]}')],
    [
      'a fault in a span whose ids are invalid, and one in a span after it',
      (t: string) => t.replace('"name":"span 1"', '"name":1,"spanId":""').replace('"name":"span 2"', '"name":2'),
    ],
  ])("refuses a request with %s in the record path's words", (_what, edit) => {
    const text = Buffer.from(oneJson([span(1, { attributes: { a: 'x' } }), span(2)])).toString('utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    const { fast, record } = both(Buffer.from(edited), 'p1', 'json');
    expect(record, 'the record path refuses it').toBeInstanceOf(Error);
    expectSameOutcome(fast, record);
  });

  it.each([
    ['a span id of another length', (t: string) => t.replace(/"spanId":"0+1"/, '"spanId":"0001"')],
    ['a span id of another length, in capitals', (t: string) => t.replace(/"spanId":"0+2"/, '"spanId":"00AB"')],
    ['an empty span id', (t: string) => t.replace(/"spanId":"0+1"/, '"spanId":""')],
    ['a trace id of another length', (t: string) => t.replace(/"traceId":"0+1"/, '"traceId":"0A01"')],
    ['a trace id all zeros', (t: string) => t.replace(/"traceId":"0+1"/, `"traceId":"${'0'.repeat(32)}"`)],
    ['a parent id of another length', (t: string) => t.replace(/"parentSpanId":"0+1"/, '"parentSpanId":"01"')],
    [
      'ids spelled with escapes',
      (t: string) =>
        t.replace(/"spanId":"0+1"/, '"spanId":"\\u0030000000000000001"').replace(/"traceId":"0+1"/, '"traceId":"\\u00300000000000000000000000000000001"'),
    ],
    ['the same span twice', (t: string) => t.replace(/"spanId":"0+2"/, `"spanId":"${'0'.repeat(15)}1"`)],
    ['an end past the year 2255', (t: string) => t.replace(/"endTimeUnixNano":"\d+"/, '"endTimeUnixNano":"9223372036854775807"')],
    ['the empty key twice, once with no key', (t: string) => t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"key":"","value":{"intValue":1}},{}')],
    ['the empty key twice, once null', (t: string) => t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"key":null},{"key":"","value":{"intValue":1}}')],
    [
      'a key twice',
      (t: string) =>
        t.replace('{"key":"a","value":{"stringValue":"x"}}', '{"key":"a","value":{"stringValue":"x"}},{"key":"b"},{"key":"a","value":{"intValue":"2"}}'),
    ],
    ['a running snapshot', (t: string) => t.replace(/"endTimeUnixNano":"\d+"/, '"endTimeUnixNano":"0"')],
  ])('takes a request with %s, and stores and answers what the record path does', (_what, edit) => {
    const text = Buffer.from(oneJson([span(1, { attributes: { a: 'x' } }), span(2), span(3)])).toString('utf8');
    const edited = edit(text);
    expect(edited).not.toBe(text);
    expectSame(Buffer.from(edited), 'p1', 'json');
  });

  it('refuses text that is not UTF-8 as the record path does', () => {
    const body = Buffer.from(oneJson([span(1, { attributes: { other: 'zzzz' } })]));
    body.write('\xff\xfe\xc3\x28', body.indexOf('zzzz'), 'latin1');
    const { fast, record } = both(body, 'p1', 'json');
    expect(record).toBeInstanceOf(Error);
    expectSameOutcome(fast, record);
  });

  it('stores what the record path stores of bodies spelled otherwise at random: escaped keys, members twice, a byte order mark (1,000 cases)', () => {
    const corpus = [
      json(spanBatch({ traces: 2, spansPerTrace: 3 })),
      json(severalGroups(), { bareNumbers: true, enumNames: true }),
      oneJson(manyKinds(), { bareNumbers: true }),
      oneJson([span(1, { attributes: everyValue }), span(2, { endTimeUnixNano: 0 })], { enumNames: true }),
      ...seeds()
        .filter((s) => s.signal === 'traces' && s.encoding === 'json')
        .map((s) => s.body),
    ];
    for (let i = 0; i < 1000; i++) {
      const random = caseRandom(37, i);
      const body = respelled(random, random.pick(corpus));
      const { fast, record } = both(body, 'p1', 'json');
      if (record instanceof Error) throw new Error(`case ${i}: the record path refused it (${record.message})`);
      expectSameOutcome(fast, record, 'p1', `case ${i}: ${Buffer.from(body).toString('utf8').slice(0, 400)}`);
    }
  });

  it('never stores a changed body other than the record path does (3,000 cases)', () => {
    const corpus = [
      json(spanBatch({ traces: 2, spansPerTrace: 3 })),
      oneJson(manyKinds(), { bareNumbers: true }),
      oneJson([span(1, { attributes: everyValue })], { enumNames: true, indent: true }),
      ...seeds()
        .filter((s) => s.signal === 'traces' && s.encoding === 'json')
        .map((s) => s.body),
    ];
    // Bytes changed at random (mostly no longer JSON), and characters changed for others of their
    // kind (digits, hex, letters, structure), which mostly still are.
    const KINDS_OF = ['0123456789', 'abcdefABCDEF', 'nrtu\\/"', ' \n{}[],:'];
    let taken = 0;
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const random = caseRandom(36, i);
      let body: Uint8Array = random.pick(corpus);
      if (i % 3 === 0)
        body = mutatedBody(
          random,
          corpus.map((seed) => ({ signal: 'traces', encoding: 'json', body: seed })),
        ).body;
      else {
        const text = Buffer.from(body);
        for (let k = random.int(1, 4); k > 0; k--) {
          const at = random.int(0, text.length - 1);
          const kind = KINDS_OF.find((chars) => chars.includes(String.fromCharCode(text[at]!))) ?? KINDS_OF[i % KINDS_OF.length]!;
          text[at] = kind.charCodeAt(random.int(0, kind.length - 1));
        }
        body = text;
      }
      const { fast, record } = both(body, 'p1', 'json');
      if (fast instanceof Error) refused++;
      else taken++;
      expectSameOutcome(fast, record, 'p1', `case ${i}: ${Buffer.from(body).toString('utf8').slice(0, 400)}`);
    }
    expect(taken).toBeGreaterThan(500);
    expect(refused).toBeGreaterThan(500);
  });
});

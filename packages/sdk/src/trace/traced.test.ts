import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { byName, initInMemory, shutdown } from '../../test/support/memory.js';
import { withCorrelation } from '../context/correlation.js';
import { keepsKey } from '../sampling/sampler.js';
import { traced } from './traced.js';
import { withSpan } from './with-span.js';

afterEach(() => shutdown());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('traced()', () => {
  it('makes a sync function a span named after it and returns its result', async () => {
    const sdk = initInMemory();
    const add = traced(function add(a: number, b: number) {
      return a + b;
    });
    expect(add(2, 3)).toBe(5);
    const [span] = await sdk.spans();
    expect(span?.name).toBe('add');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes['code.function.name']).toBe('add');
  });

  it('nests spans across awaits and Promise.all', async () => {
    const sdk = initInMemory();
    const leaf = traced('leaf', async (ms: number) => {
      await sleep(ms);
      return ms;
    });
    const root = traced({ name: 'root' });
    const run = root(async () => {
      await sleep(1);
      const inner = await withSpan('inner', async () => Promise.all([leaf(5), leaf(1), withSpan('sync-child', () => 7)]));
      return inner;
    });
    await expect(run()).resolves.toEqual([5, 1, 7]);
    const spans = await sdk.spans();
    const rootSpan = byName(spans, 'root');
    const inner = byName(spans, 'inner');
    expect(inner.parentSpanContext?.spanId).toBe(rootSpan.spanContext().spanId);
    const leaves = spans.filter((span) => span.name === 'leaf' || span.name === 'sync-child');
    expect(leaves).toHaveLength(3);
    for (const span of leaves) {
      expect(span.parentSpanContext?.spanId).toBe(inner.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(rootSpan.spanContext().traceId);
    }
  });
});

describe('traced() on generators and failures', () => {
  it('keeps an async generator span open across its iteration and ends it when the generator finishes', async () => {
    const sdk = initInMemory();
    const numbers = traced(async function* numbers(count: number) {
      for (let i = 0; i < count; i++) {
        await sleep(5);
        yield i;
      }
    });
    const seen: number[] = [];
    for await (const n of numbers(3)) {
      seen.push(n);
      await withSpan('consume', async () => sleep(1));
    }
    expect(seen).toEqual([0, 1, 2]);
    const spans = await sdk.spans();
    const generator = byName(spans, 'numbers');
    const durationMs = generator.duration[0] * 1000 + generator.duration[1] / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(14);
    // The consumer's spans are not children of the generator: the generator's context only wraps its own steps.
    expect(byName(spans, 'consume').parentSpanContext).toBeUndefined();
  });

  it('ends a generator span when the consumer breaks out early', async () => {
    const sdk = initInMemory();
    const forever = traced(function* forever() {
      let i = 0;
      for (;;) yield i++;
    });
    for (const n of forever()) if (n === 2) break;
    const spans = await sdk.spans();
    expect(byName(spans, 'forever').ended).toBe(true);
  });

  it('records a thrown exception with type, message and stack, and rethrows it unchanged', async () => {
    const sdk = initInMemory();
    class RetrievalError extends Error {
      override name = 'RetrievalError';
    }
    const failure = new RetrievalError('index unavailable');
    const retrieve = traced('retrieve', async () => {
      await sleep(1);
      throw failure;
    });
    await expect(retrieve()).rejects.toBe(failure);
    const span = byName(await sdk.spans(), 'retrieve');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'index unavailable' });
    expect(span.attributes['error.type']).toBe('RetrievalError');
    const event = span.events.find((e) => e.name === 'exception');
    expect(event?.attributes?.['exception.type']).toBe('RetrievalError');
    expect(event?.attributes?.['exception.message']).toBe('index unavailable');
    expect(String(event?.attributes?.['exception.stacktrace'])).toContain('traced.test.ts');
  });

  it('records arguments and result only when asked, masked', async () => {
    const sdk = initInMemory();
    const login = traced({ name: 'login', captureArgs: true }, (user: { email: string; password: string }, attempt: number) => ({
      ok: true,
      greeting: `hello ${user.email}`,
      attempt,
    }));
    const plain = traced('plain', (secret: string) => secret.length);
    login({ email: 'ada@example.com', password: 'hunter2' }, 1);
    plain('sk-proj-abcdefghijklmnopqrstuvwxyz123456');
    const spans = await sdk.spans();
    const input = String(byName(spans, 'login').attributes['input.value']);
    const output = String(byName(spans, 'login').attributes['output.value']);
    expect(input).not.toContain('ada@example.com');
    expect(input).not.toContain('hunter2');
    expect(JSON.parse(input)).toEqual([{ email: '[REDACTED:email]', password: '[REDACTED:secret]' }, 1]);
    expect(JSON.parse(output)).toEqual({ ok: true, greeting: 'hello [REDACTED:email]', attempt: 1 });
    expect(byName(spans, 'plain').attributes['input.value']).toBeUndefined();
  });

  it('keeps this for wrapped methods', async () => {
    initInMemory();
    const counterObject = {
      count: 41,
      bump: traced('bump', function (this: { count: number }) {
        return ++this.count;
      }),
    };
    expect(counterObject.bump()).toBe(42);
  });
});

describe("what a traced function returns or throws is the app's own", () => {
  it('returns a Promise subclass untouched, extra methods included, and ends the span when it settles', async () => {
    const sdk = initInMemory();
    class ApiPromise<T> extends Promise<T> {
      withResponse() {
        return 'raw response';
      }
    }
    const call = traced('api', () => new ApiPromise<number>((resolve) => setTimeout(() => resolve(7), 5)));
    const returned = call();
    expect(returned).toBeInstanceOf(ApiPromise);
    expect(returned.withResponse()).toBe('raw response');
    await expect(returned).resolves.toBe(7);
    await sleep(1);
    const span = byName(await sdk.spans(), 'api');
    expect(span.duration[0] * 1000 + span.duration[1] / 1e6).toBeGreaterThanOrEqual(4);
  });

  it('does not start a lazy thenable', async () => {
    initInMemory();
    let started = false;
    const lazy = { then: (resolve: (value: number) => void) => ((started = true), resolve(1)) };
    expect(traced('query', () => lazy)()).toBe(lazy);
    expect(started).toBe(false);
  });

  it('rethrows a value that cannot be turned into text, and still ends the span', async () => {
    const sdk = initInMemory();
    const odd = Object.create(null) as object;
    expect(() =>
      traced('odd', () => {
        throw odd;
      })(),
    ).toThrow();
    try {
      traced('odd', () => {
        throw odd;
      })();
    } catch (error) {
      expect(error).toBe(odd);
    }
    expect((await sdk.spans()).filter((span) => span.name === 'odd')).toHaveLength(2);
  });

  it('keeps an enclosing span open while a traced generator inside it is iterated', async () => {
    const sdk = initInMemory();
    const tokens = traced(async function* tokens() {
      for (let i = 0; i < 3; i++) {
        await sleep(5);
        yield i;
      }
    });
    const stream = withSpan('outer', () => tokens());
    for await (const _ of stream) void _;
    const outer = byName(await sdk.spans(), 'outer');
    expect(outer.duration[0] * 1000 + outer.duration[1] / 1e6).toBeGreaterThanOrEqual(14);
  });
});

describe('the function name on a traced span', () => {
  it('comes first, then the correlation id, then what the function adds', async () => {
    const sdk = initInMemory();
    const answer = traced(function answer() {
      trace.getActiveSpan()?.setAttribute('answer.length', 42);
    });
    withCorrelation('req-7', () => answer());
    const span = byName(await sdk.spans(), 'answer');
    expect(Object.entries(span.attributes)).toEqual([
      ['code.function.name', 'answer'],
      ['correlation.id', 'req-7'],
      ['answer.length', 42],
    ]);
  });

  it("comes before the caller's start attributes, and the caller's own code.function.name wins", async () => {
    const sdk = initInMemory();
    withCorrelation('req-8', () => {
      traced({ name: 'a', attributes: { team: 'search' }, force: true }, function a() {})();
      traced({ name: 'b', attributes: { 'code.function.name': 'handler', team: 'search' } }, function b() {})();
    });
    const spans = await sdk.spans();
    expect(Object.keys(byName(spans, 'a').attributes)).toEqual(['code.function.name', 'team', 'spoor.sampling.force', 'correlation.id']);
    expect(Object.entries(byName(spans, 'b').attributes)).toEqual([
      ['code.function.name', 'handler'],
      ['team', 'search'],
      ['correlation.id', 'req-8'],
    ]);
  });

  it('is seen by the sampler when sampling by it: each function kept or dropped as its name decides', async () => {
    const sdk = initInMemory({ sampleRate: 0.5, sampleBy: 'code.function.name' });
    const names = Array.from({ length: 40 }, (_, i) => `tool${i}`);
    for (const name of names) traced(Object.defineProperty(() => undefined, 'name', { value: name }))();
    const exported = new Set((await sdk.spans()).map((span) => span.attributes['code.function.name']));
    expect(names.filter((name) => exported.has(name))).toEqual(names.filter((name) => keepsKey(name, 0.5)));
    expect(exported.size).toBeGreaterThan(0);
    expect(exported.size).toBeLessThan(names.length);
  });

  it('is on spans made before init() through an OpenTelemetry SDK the app set up itself', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    trace.setGlobalTracerProvider(provider);
    try {
      traced(function early() {})();
      expect(exporter.getFinishedSpans().map((span) => span.attributes)).toEqual([{ 'code.function.name': 'early' }]);
    } finally {
      trace.disable();
    }
  });
});

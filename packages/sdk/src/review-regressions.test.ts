import { afterEach, describe, expect, it } from 'vitest';
import { byName, initInMemory, pointValue, shutdown } from '../test/support/memory.js';
import { counter, histogram, logger, traced, withSpan, workflow } from './index.js';

afterEach(() => shutdown());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('what a traced function returns or throws is the app\'s own', () => {
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
    expect(() => traced('odd', () => { throw odd; })()).toThrow();
    try {
      traced('odd', () => { throw odd; })();
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

describe('workflow totals', () => {
  it('go to the workflow an LLM span started in, even when a batching client ends it elsewhere', async () => {
    const sdk = initInMemory();
    const pending: (() => void)[] = [];
    // A client that queues calls and completes them all from one timer, outside either workflow.
    const batchedCall = (input: number) =>
      withSpan('chat', (span) => new Promise<void>((resolve) => pending.push(() => {
        span.setAttributes({ 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 1 });
        resolve();
      })));
    setTimeout(() => pending.splice(0).forEach((complete) => complete()), 5);
    await Promise.all([workflow('a', () => batchedCall(100)), workflow('b', () => batchedCall(7))]);
    const spans = await sdk.spans();
    expect(byName(spans, 'a').attributes['workflow.input_tokens']).toBe(100);
    expect(byName(spans, 'b').attributes['workflow.input_tokens']).toBe(7);
  });
});

describe('logger edge cases', () => {
  it('masks child logger fields and writes no "undefined" message', () => {
    const sdk = initInMemory();
    logger.child({ email: 'bob@example.com', password: 'hunter2' }).info('child line');
    (logger.info as () => void)();
    logger.info(undefined, 'only a message');
    const text = sdk.text();
    expect(text).not.toContain('bob@example.com');
    expect(text).not.toContain('hunter2');
    const [, empty, onlyMessage] = sdk.lines();
    expect(empty?.msg).toBeUndefined();
    expect(onlyMessage?.msg).toBe('only a message');
  });

  it('exports the other records of a batch when one field is cyclic', async () => {
    const sdk = initInMemory();
    class Node {
      self: Node = this;
    }
    logger.info('first');
    logger.info({ node: new Node(), tree: (() => { const tree: Record<string, unknown> = {}; tree.me = tree; return tree; })() }, 'cyclic');
    logger.info('last');
    const records = await sdk.logs();
    expect(records.map((record) => record.body)).toEqual(['first', 'cyclic', 'last']);
    expect(records[1]?.attributes.tree).toEqual({ me: '[Circular]' });
  });
});

describe('metric helpers', () => {
  it('warn instead of throwing on labels or buckets they cannot use', async () => {
    const sdk = initInMemory();
    expect(() => counter('odd.labels').add(1, { big: 10n } as never)).not.toThrow();
    expect(() => histogram('odd.buckets', { buckets: 'abc' as never }).record(1)).not.toThrow();
    counter('odd.labels').add(2, { fine: 'yes' });
    expect(pointValue((await sdk.metrics()).get('odd.labels'), { fine: 'yes' })).toBe(2);
  });
});

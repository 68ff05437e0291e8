import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../errors.js';
import { StoreError } from '../store/store.js';
import { ThreadClient } from './client.js';
import { inProcessLink } from './in-process.js';
import { type Link, type Served, type Transfers, type WireError, namedError } from './protocol.js';
import { ThreadServer } from './server.js';

/**
 * One protocol, served across a real `MessageChannel` (what a worker's port is: structured
 * clones, transfer lists) and in process: both links must behave alike.
 */
type TestProtocol = {
  config: null;
  calls: {
    echo: (value: { n: number; list: string[] }) => { n: number; list: string[] };
    later: (ms: number, label: string) => Promise<string>;
    /** Answers a buffer twice as long, starting with `bytes`. */
    grow: (bytes: Uint8Array) => Uint8Array;
    refuse: (how: 'app' | 'store' | 'type') => never;
    /** A feature's group: called as `link.calls.buffers.reverse(…)`, `buffers.reverse` on the wire. */
    buffers: {
      /** Answers the bytes reversed, in a buffer of its own. */
      reverse: (bytes: Uint8Array) => Uint8Array;
      length: (bytes: Uint8Array) => number;
    };
  };
  posts: { put: [bytes: Uint8Array, label: string] };
  events: { said: [label: string, n: number] };
};

const TRANSFERS: Transfers<TestProtocol> = {
  calls: { grow: (bytes) => [bytes.buffer as ArrayBuffer], buffers: { reverse: (bytes) => [bytes.buffer as ArrayBuffer] } },
  answers: { grow: (bytes) => [bytes.buffer as ArrayBuffer], buffers: { reverse: (bytes) => [bytes.buffer as ArrayBuffer] } },
  posts: { put: (bytes) => [bytes.buffer as ArrayBuffer] },
};

const errorOf = (wire: WireError): Error => (wire.name === 'StoreError' ? new StoreError(wire.message) : namedError(wire));

/** The thread's side, and what it saw. */
function served() {
  const seen = {
    echoed: [] as object[],
    grown: [] as Uint8Array[],
    reversed: [] as Uint8Array[],
    lengthOf: [] as Uint8Array[],
    put: [] as Array<[number, string]>,
  };
  const thread: Served<TestProtocol> = {
    calls: {
      echo: (value) => {
        seen.echoed.push(value);
        return value;
      },
      later: (ms, label) => new Promise((resolve) => setTimeout(() => resolve(label), ms)),
      grow: (bytes) => {
        const out = new Uint8Array(bytes.length * 2);
        out.set(bytes);
        seen.grown.push(out);
        return out;
      },
      refuse: (how) => {
        if (how === 'app') throw new AppError('ERR_INGEST_QUEUE_FULL', 'too many', { retryAfterSeconds: 2 });
        if (how === 'store') throw new StoreError('the disk is full');
        throw new TypeError('a bug');
      },
      buffers: {
        reverse: (bytes) => {
          const out = new Uint8Array(bytes).reverse();
          seen.reversed.push(out);
          return out;
        },
        length: (bytes) => {
          seen.lengthOf.push(bytes);
          return bytes.length;
        },
      },
    },
    posts: { put: (bytes, label) => seen.put.push([bytes.length, label]) },
  };
  return { seen, thread };
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

function overChannel() {
  const { seen, thread } = served();
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const server = new ThreadServer<TestProtocol>(port2, TRANSFERS);
  server.serve(thread);
  const events: Array<[string, number]> = [];
  const failures: Error[] = [];
  const client = new ThreadClient<TestProtocol>(port1, {
    what: 'test thread',
    events: { said: (label, n) => events.push([label, n]) },
    transfers: TRANSFERS,
    errorOf,
    unavailable: (failure) => new AppError('ERR_STORE_UNAVAILABLE', `gone: ${failure.message}`),
    onFailed: (error) => failures.push(error),
  });
  return { seen, link: client as Link<TestProtocol>, client, server, events, failures };
}

function inProcess() {
  const { seen, thread } = served();
  return { seen, link: inProcessLink(thread, { transfers: TRANSFERS, errorOf }) };
}

/** Until the posts sent so far have arrived: a call answered after them. */
const settled = (link: Link<TestProtocol>) => link.calls.later(0, 'after');

describe.each([
  ['across a message channel', overChannel],
  ['in process', inProcess],
])('a thread link %s', (_name, make) => {
  it('answers each call with its value, a copy of what the thread answered', async () => {
    const { seen, link } = make();
    const sent = { n: 1, list: ['a'] };
    const answer = await link.calls.echo(sent);
    expect(answer).toEqual(sent);
    expect(answer).not.toBe(sent);
    expect(seen.echoed[0]).not.toBe(sent);
  });

  it('answers calls as they finish, each with its own answer', async () => {
    const { link } = make();
    const order: string[] = [];
    await Promise.all([link.calls.later(40, 'slow').then((a) => order.push(a)), link.calls.later(0, 'fast').then((a) => order.push(a))]);
    expect(order).toEqual(['fast', 'slow']);
  });

  it('moves the buffers the protocol names, both ways, without a copy', async () => {
    const { seen, link } = make();
    const bytes = new Uint8Array([1, 2, 3]);
    const grown = await link.calls.grow(bytes);
    expect([...grown]).toEqual([1, 2, 3, 0, 0, 0]);
    // Moved: the sender's views are empty now.
    expect(bytes.byteLength).toBe(0);
    expect(seen.grown[0]!.byteLength).toBe(0);
  });

  it("answers a group's call under the group's name, moving the buffers the group names and copying the rest", async () => {
    const { seen, link } = make();
    const bytes = new Uint8Array([1, 2, 3]);
    const reversed = await link.calls.buffers.reverse(bytes);
    expect([...reversed]).toEqual([3, 2, 1]);
    // Moved both ways: the sender's views are empty now.
    expect(bytes.byteLength).toBe(0);
    expect(seen.reversed[0]!.byteLength).toBe(0);
    // The group's other call names no transfer: its argument is copied, the caller's bytes kept.
    const kept = new Uint8Array([4, 5]);
    expect(await link.calls.buffers.length(kept)).toBe(2);
    expect(kept.byteLength).toBe(2);
    expect(seen.lengthOf[0]).not.toBe(kept);
  });

  it("refuses a group's call it does not have, and a group it does not have, with ERR_INTERNAL", async () => {
    const { link } = make();
    for (const missing of [Reflect.get(link.calls.buffers, 'sort'), Reflect.get(Reflect.get(link.calls, 'nope'), 'sort')] as Array<() => Promise<unknown>>) {
      const error = await missing().catch((e: unknown) => e);
      expect(isAppError(error) && [error.code, error.message]).toEqual(['ERR_INTERNAL', expect.stringMatching(/no call '(buffers|nope)\.sort'/)]);
    }
    expect(await link.calls.buffers.length(new Uint8Array(1))).toBe(1);
  });

  it("keeps an AppError's code, status and Retry-After; another error is what the protocol makes of it", async () => {
    const { link } = make();
    const app = await link.calls.refuse('app').catch((e: unknown) => e);
    expect(isAppError(app) && [app.code, app.status, app.retryAfterSeconds, app.message]).toEqual(['ERR_INGEST_QUEUE_FULL', 503, 2, 'too many']);
    const store = await link.calls.refuse('store').catch((e: unknown) => e);
    expect(store).toBeInstanceOf(StoreError);
    expect((store as Error).message).toBe('the disk is full');
    expect(await link.calls.refuse('type').catch((e: Error) => [e.name, e.message])).toEqual(['TypeError', 'a bug']);
  });

  it('refuses a call it does not have with ERR_INTERNAL, and answers on', async () => {
    const { link } = make();
    const missing = Reflect.get(link.calls, 'nope') as () => Promise<unknown>;
    const error = await missing().catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('ERR_INTERNAL');
    expect(await link.calls.later(0, 'still here')).toBe('still here');
  });

  it('takes posts in order, their buffers moved', async () => {
    const { seen, link } = make();
    const first = new Uint8Array(5);
    link.post('put', first, 'one');
    link.post('put', new Uint8Array(2), 'two');
    await settled(link);
    expect(seen.put).toEqual([
      [5, 'one'],
      [2, 'two'],
    ]);
    expect(first.byteLength).toBe(0);
  });
});

describe('a thread client', () => {
  it("hands the thread's events to their receivers, in order", async () => {
    const { server, link, events } = overChannel();
    server.emit('said', 'one', 1);
    server.emit('said', 'two', 2);
    await settled(link);
    expect(events).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
  });

  it('once the thread failed, refuses the calls waiting and those to come, drops posts, and says so once', async () => {
    const { client, seen, failures } = overChannel();
    const waiting = client.calls.later(1000, 'never');
    client.fail(new Error('it exited'));
    client.fail(new Error('again'));
    await expect(waiting).rejects.toThrow('gone: it exited');
    await expect(client.calls.echo({ n: 1, list: [] })).rejects.toThrow('gone: it exited');
    client.post('put', new Uint8Array(1), 'lost');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.put).toEqual([]);
    expect(failures.map((e) => e.message)).toEqual(['it exited']);
  });
});

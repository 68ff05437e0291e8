import { type MessagePort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { deliver } from './client.js';
import {
  type FromThread,
  type Name,
  type Protocol,
  type Served,
  type ToThread,
  type Transfers,
  type WireTable,
  byWireName,
  transferOf,
  wireErrorOf,
} from './protocol.js';

/**
 * A thread's side of its protocol, over its `parentPort`: sends its events (from the start), and
 * once it {@link serve}s, answers the calls and takes the posts the main thread sent (those sent
 * before wait for it).
 */
export class ThreadServer<P extends Protocol> {
  private readonly answerTransfers: WireTable;
  private readonly eventTransfers: WireTable;

  constructor(
    private readonly port: MessagePort,
    transfers: Transfers<P> = {},
  ) {
    this.answerTransfers = byWireName(transfers.answers);
    this.eventTransfers = byWireName(transfers.events);
  }

  emit<K extends Name<P['events']>>(name: K, ...args: P['events'][K]): void {
    this.send({ kind: 'event', name, args }, transferOf(this.eventTransfers, name, args));
  }

  serve(served: Served<P>): void {
    const calls = byWireName(served.calls);
    this.port.on('message', (message: ToThread<P>) => {
      if (message.kind === 'post') deliver(served.posts, message.name, message.args);
      else this.answer(calls, message.id, message.name, message.args);
    });
  }

  private answer(calls: WireTable, id: number, name: string, args: readonly unknown[]): void {
    let answer: unknown;
    try {
      answer = invoke(calls, name, args);
    } catch (error) {
      this.send({ kind: 'failure', id, error: wireErrorOf(error) });
      return;
    }
    const reply = (value: unknown): void => this.send({ kind: 'answer', id, value }, transferOf(this.answerTransfers, name, [value]));
    // A call answered at once (a decode) is answered in this turn, with no promise between.
    if (answer instanceof Promise) answer.then(reply, (error: unknown) => this.send({ kind: 'failure', id, error: wireErrorOf(error) }));
    else reply(answer);
  }

  private send(message: FromThread<P>, transfer: readonly ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }
}

/** Runs call `name` of `calls` (by {@link byWireName}) with `args`; a name it does not serve is refused with `ERR_INTERNAL`. */
export function invoke(calls: WireTable, name: string, args: readonly unknown[]): unknown {
  const call = calls.get(name) as ((...args: readonly unknown[]) => unknown) | undefined;
  if (call === undefined) throw new AppError('ERR_INTERNAL', `the thread has no call '${name}'`);
  return call(...args);
}

/** What this thread was started with: the `config` its protocol declares, as `startWorker` sent it. */
export function threadConfig<P extends Protocol>(): P['config'] {
  return workerData as P['config'];
}

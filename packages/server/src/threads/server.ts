import { type MessagePort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { deliver } from './client.js';
import { type FromThread, type Name, type Protocol, type Served, type ToThread, type Transfers, transferOf, wireErrorOf } from './protocol.js';

/**
 * A thread's side of its protocol, over its `parentPort`: sends its events (from the start), and
 * once it {@link serve}s, answers the calls and takes the posts the main thread sent (those sent
 * before wait for it).
 */
export class ThreadServer<P extends Protocol> {
  constructor(
    private readonly port: MessagePort,
    private readonly transfers: Transfers<P> = {},
  ) {}

  emit<K extends Name<P['events']>>(name: K, ...args: P['events'][K]): void {
    this.send({ kind: 'event', name, args }, transferOf(this.transfers.events, name, args));
  }

  serve(served: Served<P>): void {
    this.port.on('message', (message: ToThread<P>) => {
      if (message.kind === 'post') deliver(served.posts, message.name, message.args);
      else this.answer(served, message.id, message.name, message.args);
    });
  }

  private answer(served: Served<P>, id: number, name: Name<P['calls']>, args: readonly unknown[]): void {
    let answer: unknown;
    try {
      answer = invoke(served, name, args);
    } catch (error) {
      this.send({ kind: 'failure', id, error: wireErrorOf(error) });
      return;
    }
    const reply = (value: unknown): void => this.send({ kind: 'answer', id, value }, transferOf(this.transfers.answers, name, [value]));
    // A call answered at once (a decode) is answered in this turn, with no promise between.
    if (answer instanceof Promise) answer.then(reply, (error: unknown) => this.send({ kind: 'failure', id, error: wireErrorOf(error) }));
    else reply(answer);
  }

  private send(message: FromThread<P>, transfer: readonly ArrayBuffer[] = []): void {
    this.port.postMessage(message, transfer);
  }
}

/** Runs call `name` of `served` with `args`; a name it does not serve is refused with `ERR_INTERNAL`. */
export function invoke<P extends Protocol>(served: Served<P>, name: string, args: readonly unknown[]): unknown {
  if (!Object.hasOwn(served.calls, name)) throw new AppError('ERR_INTERNAL', `the thread has no call '${name}'`);
  return Reflect.apply(Reflect.get(served.calls, name), served.calls, args);
}

/** What this thread was started with: the `config` its protocol declares, as `startWorker` sent it. */
export function threadConfig<P extends Protocol>(): P['config'] {
  return workerData as P['config'];
}

import { type MessagePort, Worker, type WorkerOptions } from 'node:worker_threads';
import { regexLimitsEnv } from '../regex.js';
import {
  type FromThread,
  type Link,
  type Messages,
  type Name,
  type Protocol,
  type Receivers,
  type Remote,
  type ToThread,
  type Transfers,
  type WireError,
  type WireTable,
  byWireName,
  errorFromWire,
  namedError,
  transferOf,
} from './protocol.js';

export interface ThreadClientOptions<P extends Protocol> {
  /** The thread, as errors name it: `database thread`. */
  what: string;
  /** What takes each of the thread's events. */
  events: Receivers<P['events']>;
  transfers?: Transfers<P>;
  /** What an error other than an `AppError` becomes here (default: an `Error` of its name and message). */
  errorOf?: (wire: WireError) => Error;
  /** What a call is refused with once the thread has failed. */
  unavailable: (failure: Error) => Error;
  /** The thread failed (an uncaught error, or it exited unasked): nothing more will be answered. */
  onFailed: (error: Error) => void;
}

/**
 * The main thread's {@link Link} to a worker (or to any `MessagePort`): calls numbered and
 * answered in any order, posts, and the thread's events handed to their receivers.
 */
export class ThreadClient<P extends Protocol> implements Link<P> {
  readonly calls: Remote<P['calls']>;
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;
  private exited = false;
  private readonly pending = new Map<number, { name: string; resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly callTransfers: WireTable;
  private readonly postTransfers: WireTable;

  constructor(
    private readonly port: Worker | MessagePort,
    private readonly options: ThreadClientOptions<P>,
  ) {
    this.calls = callsOver<P>((name, args) => this.request(name, args));
    this.callTransfers = byWireName(options.transfers?.calls);
    this.postTransfers = byWireName(options.transfers?.posts);
    port.on('message', (message: FromThread<P>) => this.receive(message));
    if (port instanceof Worker) {
      port.on('error', (error) => this.fail(error));
      port.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`the ${options.what} exited with code ${code}`));
        else this.refuseAfterClose();
      });
    }
  }

  /** Why the thread failed, or `null` while it has not. */
  get failed(): Error | null {
    return this.failure;
  }

  /** The thread is being closed: its exit from now on is no failure. */
  closed(): void {
    this.closing = true;
  }

  post<K extends Name<P['posts']>>(name: K, ...args: P['posts'][K]): void {
    if (this.failure === null) this.send({ kind: 'post', name, args }, transferOf(this.postTransfers, name, args));
  }

  /** Refuses every call waiting and every one to come; says so once. */
  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const waiting of this.pending.values()) waiting.reject(this.options.unavailable(error));
    this.pending.clear();
    this.options.onFailed(error);
  }

  /** Once a closed thread has exited, a call waiting or made would never be answered: each is refused instead. */
  private refuseAfterClose(): void {
    this.exited = true;
    for (const waiting of this.pending.values()) waiting.reject(new Error(`the ${this.options.what} is closed (${waiting.name} not answered)`));
    this.pending.clear();
  }

  private request(name: string, args: readonly unknown[]): Promise<unknown> {
    if (this.failure !== null) return Promise.reject(this.options.unavailable(this.failure));
    if (this.exited) return Promise.reject(new Error(`the ${this.options.what} is closed (${name} not sent)`));
    const id = ++this.nextId;
    const transfer = transferOf(this.callTransfers, name, args);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { name, resolve, reject });
      this.port.postMessage({ kind: 'call', id, name, args }, transfer);
    });
  }

  private send(message: ToThread<P>, transfer: readonly ArrayBuffer[]): void {
    this.port.postMessage(message, transfer);
  }

  private receive(message: FromThread<P>): void {
    if (message.kind === 'event') {
      deliver(this.options.events, message.name, message.args);
      return;
    }
    const waiting = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.kind === 'answer') waiting?.resolve(message.value);
    else waiting?.reject(errorFromWire(message.error, this.options.errorOf ?? namedError));
  }
}

/**
 * Starts the thread at `url` with its protocol's config. Its environment carries this thread's
 * limits on regular expressions (`--regex-max-chars`, `--regex-max-cost`), which every thread that
 * masks applies.
 */
export function startWorker<P extends Protocol>(url: URL, config: P['config'], options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  return new Worker(url, { env: { ...process.env, ...regexLimitsEnv() }, ...options, workerData: config });
}

/** Hands a message to its receiver, the name and the arguments checked together; one that has none is dropped. */
export function deliver<M extends Messages, K extends Name<M>>(receivers: Receivers<M>, name: K, args: M[K]): void {
  if (Object.hasOwn(receivers, name)) receivers[name](...args);
}

/**
 * A link's `calls` over one `request` by name: where an answer takes the type of its call (the
 * answer that comes back with a call's id is that call's answer), once for every link. A group's
 * call is requested by its wire name, `group.call`, made once with its function and kept.
 */
export function callsOver<P extends Protocol>(request: (name: string, args: readonly unknown[]) => Promise<unknown>): Remote<P['calls']> {
  const callOf =
    (name: string) =>
    (...args: unknown[]) =>
      request(name, args);
  // Which names are groups only the caller's type knows (a group's calls exist once the thread
  // made them): an entry is both, a call when called, its group when read.
  const entryOf = (name: string): unknown => {
    const members = new Map<string, unknown>();
    return new Proxy(callOf(name), {
      get: (call, member) => {
        if (typeof member !== 'string') return Reflect.get(call, member);
        if (member === 'then') return undefined;
        let found = members.get(member);
        if (found === undefined) members.set(member, (found = callOf(`${name}.${member}`)));
        return found;
      },
    });
  };
  const entries = new Map<string, unknown>();
  // Not a thenable, nor anything else a symbol or `then` lookup expects.
  return new Proxy({} as Remote<P['calls']>, {
    get: (_target, name) => {
      if (typeof name !== 'string' || name === 'then') return undefined;
      let found = entries.get(name);
      if (found === undefined) entries.set(name, (found = entryOf(name)));
      return found;
    },
  });
}

import { AppError, type ErrorCode, isAppError } from '../errors.js';

/**
 * What one of the server's threads serves and says, as types both sides compile against: the
 * calls it answers, the one-way messages it takes, and the events it sends back. A thread
 * declares its protocol once (`dbthread/protocol.ts`, `ingest/decode-protocol.ts`); the main
 * thread's {@link Link} and the thread's `ThreadServer` are typed by it, so a misspelled name or a
 * wrong payload does not compile on either side, and no answer is cast where it arrives.
 *
 * What crosses is what the handlers take and answer, as a structured clone: a call whose answer
 * the API only sends on answers its JSON (`Json<T>` text, or `JsonUtf8<T>` bytes, moved
 * uncopied), one the main thread uses answers the value itself. Measured (`npm run bench:threads`):
 * 1,000 keys come back in 1.0 ms (median) as a clone against 1.7 ms as text parsed here, while a
 * 50,000-span trace keeps the main thread busy 20-33 ms as bytes it sends on against about 1 s
 * cloned and serialized here.
 */
export interface Protocol {
  /** What the thread is started with (its `workerData`). */
  config: unknown;
  /** main thread → thread, answered: name → the handler's signature. */
  calls: Calls;
  /** main thread → thread, not answered: name → arguments. */
  posts: Messages;
  /** thread → main thread: name → arguments. */
  events: Messages;
}

export type Calls = { [name: string]: (...args: never[]) => unknown };
export type Messages = { [name: string]: readonly unknown[] };

/** A name of a call, post or event. */
export type Name<T> = keyof T & string;

/** What a call answers, once it has. */
export type Answer<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Arguments of a call. */
export type Args<F> = F extends (...args: infer A) => unknown ? A : never;

/** The calls as the main thread makes them: the same names and arguments, each answer a promise. */
export type Remote<C extends Calls> = { readonly [K in keyof C]: (...args: Args<C[K]>) => Promise<Answer<C[K]>> };

/** What runs each call, in the thread. */
export type Handlers<C extends Calls> = { readonly [K in keyof C]: (...args: Args<C[K]>) => Answer<C[K]> | Promise<Answer<C[K]>> };

/** What takes each message: the thread's posts, or the main thread's events. */
export type Receivers<M extends Messages> = { readonly [K in keyof M]: (...args: M[K]) => void };

/** A thread's side of its protocol: its calls and what takes its posts. */
export interface Served<P extends Protocol> {
  calls: Handlers<P['calls']>;
  posts: Receivers<P['posts']>;
}

/**
 * The buffers each message moves instead of copying (they are unusable on the sending side
 * after): a call's arguments, its answer, a post's or an event's arguments. Declared with the
 * protocol, used alike by the worker, its client and the in-process link.
 */
export interface Transfers<P extends Protocol> {
  calls?: { readonly [K in keyof P['calls']]?: (...args: Args<P['calls'][K]>) => ArrayBuffer[] };
  answers?: { readonly [K in keyof P['calls']]?: (answer: Answer<P['calls'][K]>) => ArrayBuffer[] };
  posts?: { readonly [K in keyof P['posts']]?: (...args: P['posts'][K]) => ArrayBuffer[] };
  events?: { readonly [K in keyof P['events']]?: (...args: P['events'][K]) => ArrayBuffer[] };
}

/**
 * The buffers a message moves, by the table of its kind in {@link Transfers}: looked up by name,
 * as the machinery sends every call, post, answer and event alike.
 */
export function transferOf(table: object | undefined, name: string, args: readonly unknown[]): readonly ArrayBuffer[] {
  const of: unknown = table !== undefined && Object.hasOwn(table, name) ? Reflect.get(table, name) : undefined;
  return typeof of === 'function' ? of(...args) : [];
}

/** The main thread's handle on a thread (a worker, or the in-process link of tests). */
export interface Link<P extends Protocol> {
  /** Every call, as methods: `link.calls.listTraces(query)`. */
  readonly calls: Remote<P['calls']>;
  /** Sends a message that is not answered; dropped once the thread has failed. */
  post<K extends Name<P['posts']>>(name: K, ...args: P['posts'][K]): void;
}

/** Messages to a thread: a call (answered with its `id`), or a post. */
export type ToThread<P extends Protocol> =
  | { kind: 'call'; id: number; name: Name<P['calls']>; args: Args<P['calls'][Name<P['calls']>]> }
  | { kind: 'post'; name: Name<P['posts']>; args: P['posts'][Name<P['posts']>] };

/** Messages from a thread: the answer to call `id` (or why it failed), or an event. */
export type FromThread<P extends Protocol> =
  | { kind: 'answer'; id: number; value: unknown }
  | { kind: 'failure'; id: number; error: WireError }
  | { kind: 'event'; name: Name<P['events']>; args: P['events'][Name<P['events']>] };

/** An error as it crosses: an `AppError` keeps its code (so its status) and its `Retry-After`. */
export interface WireError {
  name: string;
  message: string;
  code?: ErrorCode;
  retryAfterSeconds?: number;
}

export function wireErrorOf(error: unknown): WireError {
  if (isAppError(error)) return { name: error.name, message: error.message, code: error.code, ...(error.retryAfterSeconds === null ? {} : { retryAfterSeconds: error.retryAfterSeconds }) };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error a `WireError` was: an `AppError` again, else what `other` makes of it. */
export function errorFromWire(wire: WireError, other: (wire: WireError) => Error): Error {
  if (wire.code !== undefined) return new AppError(wire.code, wire.message, wire.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: wire.retryAfterSeconds });
  return other(wire);
}

/** An error of the name and message it had in the thread (a bug's `TypeError`, say). */
export function namedError(wire: WireError): Error {
  return Object.assign(new Error(wire.message), { name: wire.name });
}

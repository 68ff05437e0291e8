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
  /** main thread → thread, answered: name → the handler's signature, or a feature's group of them. */
  calls: Calls;
  /** main thread → thread, not answered: name → arguments. */
  posts: Messages;
  /** thread → main thread: name → arguments. */
  events: Messages;
}

/** A call's signature, as its handler has it. */
export type Call = (...args: never[]) => unknown;
/**
 * Calls under one name, a feature's: `link.calls.sampling.decide(…)`, which crosses as the one
 * name `sampling.decide`, resolved once on each side ({@link byWireName}).
 */
export type CallGroup = { [name: string]: Call };
export type Calls = { [name: string]: Call | CallGroup };
export type Messages = { [name: string]: readonly unknown[] };

/** A name of a call, post or event. */
export type Name<T> = keyof T & string;

/** What a call answers, once it has. */
export type Answer<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

/** Arguments of a call. */
export type Args<F> = F extends (...args: infer A) => unknown ? A : never;

/** Each call of `C` or of its groups, as `F` makes of its signature. */
type PerCall<C extends Calls, F extends 'remote' | 'handler'> = {
  readonly [K in keyof C]: C[K] extends Call ? Made<C[K], F> : { readonly [M in keyof C[K]]: Made<C[K][M], F> };
};
type Made<S, F> = F extends 'remote' ? (...args: Args<S>) => Promise<Answer<S>> : (...args: Args<S>) => Answer<S> | Promise<Answer<S>>;

/** The calls as the main thread makes them: the same names (and groups) and arguments, each answer a promise. */
export type Remote<C extends Calls> = PerCall<C, 'remote'>;

/** What runs each call, in the thread. */
export type Handlers<C extends Calls> = PerCall<C, 'handler'>;

/** Receivers of what each call of `C` (or of its groups) takes, or answers: where a call's buffers are named. */
type PerCallTransfer<C extends Calls, W extends 'args' | 'answer'> = {
  readonly [K in keyof C]?: C[K] extends Call ? Transfer<C[K], W> : { readonly [M in keyof C[K]]?: Transfer<C[K][M], W> };
};
type Transfer<S, W> = W extends 'args' ? (...args: Args<S>) => ArrayBuffer[] : (answer: Answer<S>) => ArrayBuffer[];

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
 * protocol (a group's beside its calls), used alike by the worker, its client and the in-process link.
 */
export interface Transfers<P extends Protocol> {
  calls?: PerCallTransfer<P['calls'], 'args'>;
  answers?: PerCallTransfer<P['calls'], 'answer'>;
  posts?: { readonly [K in keyof P['posts']]?: (...args: P['posts'][K]) => ArrayBuffer[] };
  events?: { readonly [K in keyof P['events']]?: (...args: P['events'][K]) => ArrayBuffer[] };
}

/** The buffers a group's calls move: its arguments' and its answers'. */
export interface GroupTransfers<G extends CallGroup> {
  calls?: { readonly [M in keyof G]?: Transfer<G[M], 'args'> };
  answers?: { readonly [M in keyof G]?: Transfer<G[M], 'answer'> };
}

/** The names calls cross with: a call's own, a group's call's `group.call`. */
export type WireName<C extends Calls> = { [K in keyof C & string]: C[K] extends Call ? K : `${K}.${keyof C[K] & string}` }[keyof C & string];

/** The call that crosses as `name` ({@link WireName}). */
export type CallAt<C extends Calls, N extends WireName<C>> = N extends `${infer G}.${infer M}` ? (C[G] extends CallGroup ? C[G][M] : never) : C[N];

/** A table of functions by the name their message crosses with, built once: a group's as `group.call`. */
export type WireTable = ReadonlyMap<string, (...args: never[]) => unknown>;

/**
 * `table` (calls, or the transfers of a kind of message) by the names they cross with: its
 * functions by their own names, a group's by `group.call`, each bound to what holds it. Built
 * once, so a message costs one lookup, not a walk.
 */
export function byWireName(table: object | undefined): WireTable {
  const out = new Map<string, (...args: never[]) => unknown>();
  for (const [name, entry] of Object.entries(table ?? {})) {
    if (typeof entry === 'function') out.set(name, entry.bind(table));
    else if (typeof entry === 'object' && entry !== null)
      for (const [member, call] of Object.entries(entry)) if (typeof call === 'function') out.set(`${name}.${member}`, call.bind(entry));
  }
  return out;
}

/** The buffers a message moves, by its table in {@link Transfers} ({@link byWireName}). */
export function transferOf(table: WireTable, name: string, args: readonly unknown[]): readonly ArrayBuffer[] {
  const of = table.get(name) as ((...args: readonly unknown[]) => ArrayBuffer[]) | undefined;
  return of === undefined ? [] : of(...args);
}

/** The main thread's handle on a thread (a worker, or the in-process link of tests). */
export interface Link<P extends Protocol> {
  /** Every call, as methods: `link.calls.decode(request)`, a group's `link.calls.sampling.decide(…)`. */
  readonly calls: Remote<P['calls']>;
  /** Sends a message that is not answered; dropped once the thread has failed. */
  post<K extends Name<P['posts']>>(name: K, ...args: P['posts'][K]): void;
}

/** Messages to a thread: a call (answered with its `id`), or a post. */
export type ToThread<P extends Protocol> =
  | { kind: 'call'; id: number; name: WireName<P['calls']>; args: readonly unknown[] }
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
  if (isAppError(error))
    return {
      name: error.name,
      message: error.message,
      code: error.code,
      ...(error.retryAfterSeconds === null ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error a `WireError` was: an `AppError` again, else what `other` makes of it. */
export function errorFromWire(wire: WireError, other: (wire: WireError) => Error): Error {
  if (wire.code !== undefined)
    return new AppError(wire.code, wire.message, wire.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: wire.retryAfterSeconds });
  return other(wire);
}

/** An error of the name and message it had in the thread (a bug's `TypeError`, say). */
export function namedError(wire: WireError): Error {
  return Object.assign(new Error(wire.message), { name: wire.name });
}

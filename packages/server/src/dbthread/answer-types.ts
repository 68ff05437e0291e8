import type { DbCalls } from './calls.js';
import type { Json, JsonUtf8 } from '../json.js';
import type { CallAt, WireName } from '../threads/protocol.js';

type Sent<R> = R extends Json<infer T> ? T : R extends JsonUtf8<infer T> ? T : never;

/** What a database-thread call's JSON answer holds (the call by its name, `traces.list`): the type an answer schema of a route that sends it on must agree with. */
export type DbAnswer<N extends WireName<DbCalls>> = Sent<Awaited<ReturnType<CallAt<DbCalls, N>>>>;

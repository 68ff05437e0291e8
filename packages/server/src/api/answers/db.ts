import type { DbClient } from '../../dbthread/calls.js';
import type { Json, JsonUtf8 } from '../../json.js';

type Sent<R> = R extends Json<infer T> ? T : R extends JsonUtf8<infer T> ? T : never;

/** What a database-thread call's JSON answer holds: the type an answer schema of a route that sends it on must agree with. */
export type DbAnswer<K extends keyof DbClient> = Sent<Awaited<ReturnType<DbClient[K]>>>;

import { inProcessLink } from '../threads/in-process.js';
import { DB_TRANSFERS, type DbCalls, type DbClient } from './calls.js';
import { type DbQueryProtocol, storeErrorOf } from './protocol.js';

/** The calls on this thread: the API, queries and alerting over a store, without a worker or a build. */
export function inProcessClient(calls: DbCalls): DbClient {
  return inProcessLink<DbQueryProtocol>({ calls, posts: {} }, { transfers: DB_TRANSFERS, errorOf: storeErrorOf }).calls;
}

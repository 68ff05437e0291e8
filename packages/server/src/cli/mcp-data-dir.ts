import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AccessControl } from '../auth/access-control.js';
import { KeyRing } from '../auth/key-ring.js';
import { createDbCalls } from '../dbthread/calls.js';
import { inProcessClient } from '../dbthread/in-process-client.js';
import { PriceService } from '../pricing/price-service.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { type ApiCaller, injectCaller } from '../mcp/api-caller.js';
import { readOnlyApp } from '../serve/read-only-app.js';

/** Reads through `call` until `close`. */
export interface DataDirReader {
  call: ApiCaller;
  close: () => Promise<void>;
}

/**
 * `spoor mcp --data DIR`: the tools over a data directory no server holds (a stopped server's, a
 * copy, a backup), opened read-only. The tools still read through the REST API: the server's
 * app with only its routes that read (`serve/read-only-app.ts`), over the store in this process,
 * with the API's own parameter checks, errors and hooks, and no listening socket. Whoever can read the directory can read every record in it,
 * so no key is asked; `project` picks the project (`Spoor-Project`, as a key of every project does).
 */
export async function openDataDir(dir: string, project: string | null): Promise<DataDirReader> {
  const dataDir = resolve(dir);
  const path = join(dataDir, 'spoor.duckdb');
  if (!existsSync(path))
    throw new Error(`${dataDir} holds no Spoor data (no spoor.duckdb): give --data the data directory of a Spoor server, or --url a running one`);
  let store: DuckDbStore;
  try {
    store = await DuckDbStore.open({ path, readOnly: true });
  } catch (error) {
    // DuckDB lets one process write a file, and none read it meanwhile.
    if (!/lock/i.test((error as Error).message)) throw error;
    throw new Error(
      `a running Spoor server holds ${dataDir} (it has the file open for writing, and then no other process may open it): ask that server instead, with spoor mcp --url http://HOST:PORT (and SPOOR_API_KEY once it has keys)`,
      { cause: error },
    );
  }
  const ring = await KeyRing.start(async () => [], { refreshMs: 3_600_000, onError: () => {} });
  const db = inProcessClient(createDbCalls(store, new PriceService(store.prices, null)));
  const app = await readOnlyApp({
    db,
    access: new AccessControl({ mode: 'off', ring, sessionSecret: 'unused: no session is made here', metricsToken: null, ratePerSecond: 0 }),
    isReady: () => true,
  });
  await app.ready();
  return {
    call: injectCaller(app, { headers: project === null ? {} : { 'spoor-project': project }, remoteAddress: '127.0.0.1' }),
    close: async () => {
      await app.close();
      ring.close();
      await store.close();
    },
  };
}

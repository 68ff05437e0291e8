import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROWS, keyFor, seedRouteTable, send } from './support/route-table.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * The route walk for writes sent at once: every write route of the API (`support/route-table.ts`
 * names each, so a new one cannot be forgotten), sent 8 times at once as its right key sends it,
 * answers each without a 5xx: identical writes at once are a retrying client, two tabs, a script
 * run twice, never a fault of the server. Which 2xx and 4xx each gives, and on both stores, is
 * `concurrent-admin-writes.int.test.ts`'s.
 */

const AT_ONCE = 8;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await seedRouteTable(server);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('every write route, sent 8 times at once', () => {
  it('answers every copy without a 5xx', async () => {
    const faults: string[] = [];
    for (const [route, row] of Object.entries(ROWS)) {
      const method = route.split(' ', 1)[0]!;
      // OTLP's own answer to one body sent again before the first was stored is a 503 with retry (ERR_INGEST_DUPLICATE_IN_FLIGHT), by design.
      if (!WRITES.has(method) || route.includes(' /v1/') || row.need === 'public' || row.need === 'signed-in') continue;
      const key = keyFor(row.need, 'right');
      const body = row.body?.('shop');
      const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => send(method, row.path(), { key, body })));
      for (const answer of answers) if (answer.status >= 500) faults.push(`${route}: ${answer.status} ${answer.text}`);
    }
    expect(faults).toEqual([]);
  }, 180_000);
});

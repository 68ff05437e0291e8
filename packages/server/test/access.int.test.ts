import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../src/api/app.js';
import { ROWS, SHOP_MARKS, SHOP_TRACE, keyFor, keys, randomTraceId, seedRouteTable, send, shopSilence, spareKey, spareScore } from './support/route-table.js';
import { type TestServer, startTestServer } from './support/server.js';

/**
 * Keys and projects against a real server, over every route of the router: without a key 401,
 * with the wrong role 403, with another project's key every id of this project 404 and no list
 * showing any of its records, with the right key 2xx. The table below must name every route
 * (the test walks the router), so a new route cannot be forgotten (`support/route-table.ts`).
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await seedRouteTable(server);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('keys and projects on every route', () => {
  it('has a row for every route the router serves', () => {
    const routes = routesOf(server.app)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    expect(routes.filter((route) => !(route in ROWS))).toEqual([]);
    expect(Object.keys(ROWS).filter((row) => !routes.includes(row))).toEqual([]);
  });

  it('answers 401 without a key, except health, the sign-in endpoint and the dashboard', async () => {
    for (const [route, row] of Object.entries(ROWS)) {
      const method = route.split(' ', 1)[0]!;
      const answer = await send(method, row.path(), { body: row.body?.('shop') });
      if (row.need === 'public') {
        if (row.ok !== undefined) expect(answer.status, route).toBe(row.ok);
        else expect(answer.status, route).toBeLessThan(400);
      } else {
        expect(answer.status, route).toBe(401);
        expect(answer.headers.get('www-authenticate'), route).toBe('Bearer realm="spoor"');
      }
      if (method === 'GET' && row.need !== 'public') expect((await send('HEAD', row.path())).status, `HEAD ${route}`).toBe(401);
    }
    expect((await send('GET', '/traces')).status).toBe(200);
  });

  it('answers 403 to a key of the wrong role', async () => {
    for (const [route, row] of Object.entries(ROWS)) {
      if (row.need === 'public' || row.need === 'signed-in') continue;
      const method = route.split(' ', 1)[0]!;
      const answer = await send(method, row.path(), { key: keyFor(row.need, 'wrong-role'), body: row.body?.('shop') });
      expect(answer.status, `${route}: ${answer.text}`).toBe(403);
      // Said in English: "needs an admin key; this one is an ingest key", never "a admin".
      if (row.need !== 'metrics') expect(answer.text, route).toMatch(/needs (an admin|an ingest|a read) key; this one is (an admin|an ingest|a read) key/);
    }
    // The HEAD the router adds for a GET keeps what the GET's route declares (an export's admin need).
    const head = await send('HEAD', ROWS['GET /api/export']!.path(), { key: keyFor('admin', 'wrong-role') });
    expect(head.status, head.text).toBe(403);
  });

  it("shows another project's key none of this project's records: ids are 404, lists hold none of them", async () => {
    for (const [route, row] of Object.entries(ROWS)) {
      if (row.need === 'public' || row.need === 'signed-in' || row.need === 'metrics') continue;
      const method = route.split(' ', 1)[0]!;
      const answer = await send(method, row.path(), { key: keyFor(row.need, 'foreign'), body: row.body?.('other') });
      if (row.foreign === 'not-found') {
        expect(answer.status, `${route}: ${answer.text}`).toBe(404);
        // The same answer as for an id no project has: nothing tells a foreign id from an unknown one.
        if (row.path().includes(SHOP_TRACE)) {
          const unknown = randomTraceId();
          const never = await send(method, row.path().replace(SHOP_TRACE, unknown), { key: keyFor(row.need, 'foreign'), body: row.body?.('other') });
          expect({ status: never.status, text: never.text.replaceAll(unknown, SHOP_TRACE) }, route).toEqual({ status: 404, text: answer.text });
        }
      } else if (row.ok !== undefined && row.foreign === 'own') expect(answer.status, `${route}: ${answer.text}`).toBe(row.ok);
      else expect(answer.status, `${route}: ${answer.text}`).toBeLessThan(300);
      if (route === 'GET /api/sessions/:sessionId') {
        const never = JSON.parse((await send(method, row.path().replace('sess-shop', 'sess-never'), { key: keyFor(row.need, 'foreign') })).text) as Record<
          string,
          unknown
        >;
        const foreign = JSON.parse(answer.text) as Record<string, unknown>;
        expect({ ...foreign, sessionId: null, from: null, to: null }).toEqual({ ...never, sessionId: null, from: null, to: null });
      }
      // A 404 may repeat the id asked for; nothing else of the project's.
      const asked = row.path() + JSON.stringify(row.body?.('other') ?? null);
      for (const mark of SHOP_MARKS.filter((m) => !asked.includes(m))) expect(answer.text, `${route} shows '${mark}'`).not.toContain(mark);
    }
  });

  it('serves the right key', async () => {
    for (const [route, row] of Object.entries(ROWS)) {
      if (row.need === 'signed-in') continue;
      const method = route.split(' ', 1)[0]!;
      const answer = await send(method, row.path(), { key: keyFor(row.need, 'right'), body: row.body?.('shop') });
      if (row.ok !== undefined) expect(answer.status, `${route}: ${answer.text}`).toBe(row.ok);
      else expect(answer.status, `${route}: ${answer.text}`).toBeLessThan(300);
      if (method === 'GET') {
        const head = (await send('HEAD', row.path(), { key: keyFor(row.need, 'right') })).status;
        if (row.ok !== undefined) expect(head, `HEAD ${route}`).toBe(row.ok);
        else expect(head, `HEAD ${route}`).toBeLessThan(300);
      }
    }
    // The project's own records were there all along, through the API and through an MCP tool.
    expect((await send('GET', `/api/traces/${SHOP_TRACE}`, { key: keys.shopRead })).text).toContain('shop-api');
    expect((await send('POST', '/mcp', { key: keys.shopRead, body: ROWS['POST /mcp']!.body!('shop') })).text).toContain('boom in shop');
  });

  it('records who changed what, by key id, and shows it to the project', async () => {
    // Every change the route walk made, not only the newest page: the walk grows with every route.
    const audit = JSON.parse((await send('GET', '/api/audit?limit=1000', { key: keys.shopRead })).text) as {
      entries: Array<{ keyId: string; action: string; target: string }>;
    };
    const shopAdminId = keys.shopAdmin!.split('_')[2]!;
    expect(audit.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ keyId: shopAdminId, action: 'POST /api/alerts/rules', target: '' }),
        expect.objectContaining({ keyId: shopAdminId, action: 'PUT /api/prices/:model', target: 'shop-model' }),
        expect.objectContaining({ keyId: shopAdminId, action: 'DELETE /api/keys/:id', target: spareKey() }),
        expect.objectContaining({ keyId: shopAdminId, action: 'DELETE /api/alerts/silences/:id', target: shopSilence() }),
        expect.objectContaining({ keyId: shopAdminId, action: 'DELETE /api/scores/:scoreId', target: spareScore() }),
      ]),
    );
    // A score posted is a record of its own, with its author: the audit log is for changes to the project.
    expect(audit.entries.filter((entry) => entry.action === 'POST /api/scores')).toEqual([]);
    // A preview judges and stores nothing: not a change either.
    expect(audit.entries.filter((entry) => entry.action === 'POST /api/evaluators/preview')).toEqual([]);
    expect(JSON.stringify(audit)).not.toContain(keys.shopAdmin);
  });
});

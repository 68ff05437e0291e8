import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, ROWS, type Row, SHOP_MARKS, SHOP_TRACE, keyFor, keys, seedRouteTable, sendRaw } from './support/route-table.js';
import { type TestServer, startTestServer } from './support/server.js';
import { until } from './support/wait.js';

/**
 * The access check decides on the route the router matched, never on the URL as sent: every route
 * of the router, spelled every way a router may normalise (percent-encoded letters and slashes,
 * double encoding, case, doubled slashes, dot segments, fragments, trailing slashes, parameters
 * after `;`, the absolute form, backslashes), is sent without a key, with a key of the wrong role
 * and with another project's key. Each answer is what the canonical path gets with the same
 * credentials, or no route at all (404, or the dashboard's page for a GET), and none holds a record
 * of the project it may not see. Requests go out byte for byte (`sendRaw`): `fetch` would tidy
 * the path first.
 */

let server: TestServer;

beforeAll(async () => {
  // No per-key rate limit: the walk sends some thousands of requests with the same few keys.
  server = await startTestServer({ rateLimit: 0 });
  await seedRouteTable(server);
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

const hex = (char: string, upper: boolean): string => {
  const code = char.charCodeAt(0).toString(16);
  return `%${upper ? code.toUpperCase() : code}`;
};

/** The ways a path may be spelled that some router, proxy or client reads as the same path. */
export function spellingsOf(target: string, origin: string): string[] {
  const cut = target.indexOf('?');
  const path = cut === -1 ? target : target.slice(0, cut);
  const query = cut === -1 ? '' : target.slice(cut);
  const segments = path.split('/').slice(1);
  const rest = (from: number): string => segments.slice(from).join('/');
  const spelled = new Set<string>();
  segments.forEach((segment, i) => {
    if (segment === '' || !/^[a-z]/i.test(segment)) return;
    const before = segments
      .slice(0, i)
      .map((s) => `/${s}`)
      .join('');
    const after = rest(i + 1) === '' ? '' : `/${rest(i + 1)}`;
    spelled.add(`${before}/${hex(segment[0]!, false)}${segment.slice(1)}${after}${query}`);
    spelled.add(`${before}/${hex(segment[0]!, true)}${segment.slice(1)}${after}${query}`);
    // Encoded twice: a router that decodes twice reads the letter.
    spelled.add(`${before}/%25${hex(segment[0]!, true).slice(1)}${segment.slice(1)}${after}${query}`);
    spelled.add(`${before}/${segment.toUpperCase()}${after}${query}`);
    spelled.add(`${before}/${segment[0]!.toUpperCase()}${segment.slice(1)}${after}${query}`);
    spelled.add(`${before}/${segment};x=1${after}${query}`);
  });
  if (segments.length > 1) {
    spelled.add(`/${segments[0]}%2F${rest(1)}${query}`);
    spelled.add(`/${segments[0]}%2f${rest(1)}${query}`);
    spelled.add(`/${segments[0]}//${rest(1)}${query}`);
    spelled.add(`/${segments[0]}/./${rest(1)}${query}`);
    spelled.add(`/${segments[0]}/%2e/${rest(1)}${query}`);
    spelled.add(`/${segments[0]}/x/../${rest(1)}${query}`);
    spelled.add(`/${segments[0]}/x/%2E%2E/${rest(1)}${query}`);
    spelled.add(`/${segments[0]}\\${rest(1)}${query}`);
  }
  spelled.add(`/${path}${query}`);
  spelled.add(`//${path}${query}`);
  spelled.add(`/./${rest(0)}${query}`);
  spelled.add(`/x/..${path}${query}`);
  spelled.add(`${path}/${query}`);
  spelled.add(`${path};x=1${query}`);
  spelled.add(`${path}%00${query}`);
  spelled.add(`${path}${query}#fragment`);
  spelled.add(`${path}#${query}`);
  spelled.add(`${origin}${path}${query}`);
  spelled.add(`${origin.toUpperCase()}${path}${query}`);
  spelled.delete(target);
  return [...spelled];
}

/** The route table's rows that need credentials, with their method and path now. */
function guarded(): Array<{ route: string; method: string; row: Row }> {
  return Object.entries(ROWS)
    .filter(([, row]) => row.need !== 'public' && row.need !== 'signed-in')
    .map(([route, row]) => ({ route, method: route.split(' ', 1)[0]!, row }));
}

/** Whether an answer is the dashboard's page: what any address no route serves gets on GET. */
function isPage(answer: Answer): boolean {
  return answer.status === 200 && (answer.headers.get('content-type') ?? '').startsWith('text/html');
}

/** A 404 of the router: no route by that name. */
function isNoRoute(answer: Answer): boolean {
  return answer.status === 404 && (answer.headers.get('content-type') ?? '').includes('json');
}

/** The project's marks an answer holds that the request did not name itself (in any spelling). */
function leaks(answer: Answer, asked: string): string[] {
  let named = asked;
  for (let i = 0; i < 3; i++) named = named.replace(/%([0-9a-f]{2})/gi, (_, code: string) => String.fromCharCode(Number.parseInt(code, 16)));
  return SHOP_MARKS.filter((mark) => !named.toLowerCase().includes(mark.toLowerCase()) && answer.text.includes(mark));
}

async function countOf(path: string, field: string): Promise<number> {
  const answer = await sendRaw('GET', path, { key: keys.root, headers: { 'spoor-project': 'shop' } });
  expect(answer.status, answer.text).toBe(200);
  return (JSON.parse(answer.text) as Record<string, unknown[]>)[field]!.length;
}

describe('the access check on every spelling of every route', () => {
  it('spells each path many ways', () => {
    const spelled = spellingsOf('/api/keys/abc?x=1', 'http://h:1');
    for (const expected of [
      '/%61pi/keys/abc?x=1',
      '/api/%6Beys/abc?x=1',
      '/%2561pi/keys/abc?x=1',
      '/API/keys/abc?x=1',
      '//api/keys/abc?x=1',
      '/api%2Fkeys/abc?x=1',
      '/api/./keys/abc?x=1',
      '/api/x/%2E%2E/keys/abc?x=1',
      '/api/keys/abc?x=1#fragment',
      '/api/keys/abc/?x=1',
      '/api;x=1/keys/abc?x=1',
      'http://h:1/api/keys/abc?x=1',
    ]) {
      expect(spelled).toContain(expected);
    }
  });

  it('answers every spelling without a key 401 or as no route, and changes nothing', async () => {
    const keysBefore = await countOf('/api/keys', 'keys');
    const rulesBefore = await countOf('/api/alerts/rules', 'rules');
    const auditBefore = await countOf('/api/audit', 'entries');
    const failures: string[] = [];
    let sent = 0;
    for (const { route, method, row } of guarded()) {
      for (const target of spellingsOf(row.path(), server.url)) {
        // As the attacker sent it: the project named, and for keys, the widest key asked for.
        const body = route === 'POST /api/keys' ? { project: '*', role: 'admin' } : row.body?.('shop');
        const answer = await sendRaw(method, target, { body, headers: { 'spoor-project': 'shop' } });
        sent++;
        const allowed = answer.status === 401 || isNoRoute(answer) || (method === 'GET' && isPage(answer));
        if (!allowed || leaks(answer, target).length > 0) failures.push(`${method} ${target} (${route}): ${answer.status} ${answer.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    expect(await countOf('/api/keys', 'keys')).toBe(keysBefore);
    expect(await countOf('/api/alerts/rules', 'rules')).toBe(rulesBefore);
    expect(await countOf('/api/audit', 'entries')).toBe(auditBefore);
  });

  it('answers every spelling with a key of the wrong role 403 or as no route', async () => {
    const failures: string[] = [];
    for (const { route, method, row } of guarded()) {
      for (const target of spellingsOf(row.path(), server.url)) {
        const answer = await sendRaw(method, target, { key: keyFor(row.need, 'wrong-role'), body: row.body?.('shop') });
        const allowed = answer.status === 403 || isNoRoute(answer) || (method === 'GET' && isPage(answer));
        if (!allowed || leaks(answer, target).length > 0) failures.push(`${method} ${target} (${route}): ${answer.status} ${answer.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("shows another project's key nothing of this project's under any spelling", async () => {
    const failures: string[] = [];
    for (const { route, method, row } of guarded()) {
      if (row.need === 'metrics') continue;
      for (const target of spellingsOf(row.path(), server.url)) {
        const body = row.body?.('other');
        const answer = await sendRaw(method, target, { key: keyFor(row.need, 'foreign'), body });
        // A spelling may also be refused as a bad request (`;x=1` read into an id): never a 5xx,
        // and never a success where the canonical path is 404.
        const allowed = answer.status < 500 && (row.foreign !== 'not-found' || answer.status >= 400 || (method === 'GET' && isPage(answer)));
        const found = leaks(answer, target + JSON.stringify(body ?? null));
        if (!allowed || found.length > 0) failures.push(`${method} ${target} (${route}): ${answer.status} ${found.join(',')} ${answer.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("refuses the issue's requests: an admin key of every project, another project's trace, OTLP, /metrics and the key list", async () => {
    expect((await sendRaw('POST', '/%61pi/keys', { body: { project: '*', role: 'admin' } })).status).toBe(401);
    expect((await sendRaw('GET', `/%61pi/traces/${SHOP_TRACE}`, { headers: { 'spoor-project': 'shop' } })).status).toBe(401);
    expect((await sendRaw('POST', '/%761/traces', { body: {}, headers: { 'spoor-project': 'shop' } })).status).toBe(401);
    expect((await sendRaw('GET', '/%6Detrics')).status).toBe(401);
    expect((await sendRaw('GET', '/api/%6Beys', { key: keys.shopRead })).status).toBe(403);
    const doubled = await sendRaw('GET', `//api/traces/${SHOP_TRACE}`, { headers: { 'spoor-project': 'shop' } });
    expect(doubled.text).not.toContain('shop-api');
    expect(doubled.status).toBe(404);
  });

  it('records a change made through any spelling in the audit log, under its route', async () => {
    for (const [target, model] of [
      ['/%61pi/prices/spelled-a', 'spelled-a'],
      ['/api/%70rices/spelled-b', 'spelled-b'],
      [`${server.url}/api/prices/spelled-c`, 'spelled-c'],
    ]) {
      const answer = await sendRaw('PUT', target!, { key: keys.shopAdmin, body: { provider: 'acme', input: 1, output: 2 } });
      expect(answer.status, answer.text).toBe(200);
      // The audit line is appended as the answer goes out, so a read right after may precede it.
      await until(
        `the audit entry of ${target}`,
        async () => {
          const audit = JSON.parse((await sendRaw('GET', '/api/audit', { key: keys.shopRead })).text) as { entries: Array<{ action: string; target: string }> };
          return audit.entries.find((entry) => entry.action === 'PUT /api/prices/:model' && entry.target === model);
        },
        3000,
      );
    }
  });

  it('asks a signed-in browser for JSON from its own pages under any spelling', async () => {
    const signIn = await sendRaw('POST', '/api/session', { body: { key: keys.shopAdmin } });
    const cookie = signIn.headers.get('set-cookie')!.split(';', 1)[0]!;
    for (const target of ['/api/prices/forged', '/%61pi/prices/forged', '/api/%70rices/forged']) {
      const form = await sendRaw('PUT', target, { body: 'input=1', headers: { cookie, 'content-type': 'text/plain', origin: 'https://evil.example' } });
      expect(form.status, `${target}: ${form.text}`).toBe(415);
      const json = await sendRaw('PUT', target, { body: { provider: 'acme', input: 1, output: 2 }, headers: { cookie, origin: 'https://evil.example' } });
      expect(json.status, `${target}: ${json.text}`).toBe(403);
    }
    const prices = await sendRaw('GET', '/api/prices', { key: keys.shopRead });
    expect(prices.text).not.toContain('forged');
  });
});

describe('a server of one role', () => {
  it('serves no API under any spelling when it only ingests, and no OTLP when it only answers queries', async () => {
    const ingestOnly = await startTestServer({ role: 'ingest' });
    const queryOnly = await startTestServer({ role: 'query' });
    try {
      for (const target of ['/api/traces', '/%61pi/traces', '/api/%74races', `${ingestOnly.url}/api/traces`]) {
        const answer = await sendRaw('GET', target, { to: ingestOnly.url });
        expect(answer.status, target).toBe(404);
      }
      for (const target of ['/v1/traces', '/%761/traces', '/v1/%74races']) {
        const answer = await sendRaw('POST', target, { to: queryOnly.url, body: {} });
        expect(answer.status, target).toBe(404);
      }
    } finally {
      await ingestOnly.stop();
      await queryOnly.stop();
    }
  });
});

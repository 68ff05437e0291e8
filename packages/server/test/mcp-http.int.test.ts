import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_A, callTool, expectEveryTool, expectPagedTrace, expectToolList, seed } from './support/mcp.js';
import { type TestServer, callJson, makeKey, startTestServer } from './support/server.js';

/**
 * `POST /mcp` on a real server, with the MCP SDK's own client over Streamable HTTP: every tool
 * on real data, behind the REST API's keys (a read key of one project sees that project only, no
 * key is 401), bad arguments refused by name, and a trace too big for one answer paged.
 */

let server: TestServer;
let shopRead = '';
let otherRead = '';
let shopIngest = '';
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const root = await makeKey(server.url, '*', 'admin');
  shopIngest = await makeKey(server.url, 'shop', 'ingest', root);
  shopRead = await makeKey(server.url, 'shop', 'read', root);
  otherRead = await makeKey(server.url, 'other', 'read', root);
  await seed(server.url, shopIngest);
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.stop();
});

async function connect(headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'spoor-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

describe('MCP over Streamable HTTP (POST /mcp)', () => {
  it('lists the tools, their arguments named as the REST API names its parameters', async () => {
    await expectToolList(await connect({ authorization: `Bearer ${shopRead}` }));
  });

  it("answers every tool with the project's data", async () => {
    await expectEveryTool(await connect({ authorization: `Bearer ${shopRead}` }));
  });

  it('pages a trace too big for maxChars: each answer says what it left out, and the calls it names get the rest', async () => {
    await expectPagedTrace(await connect({ authorization: `Bearer ${shopRead}` }));
  });

  it("tells another project's read key that the trace is not found, as the REST API does", async () => {
    const client = await connect({ authorization: `Bearer ${otherRead}` });
    const rest = await callJson<{ error: { message: string } }>(server.url, 'GET', `/api/traces/${RUN_A}`, undefined, { key: otherRead });
    expect(rest.status).toBe(404);
    for (const [tool, args] of [
      ['get_trace', { traceId: RUN_A }],
      ['get_span', { traceId: RUN_A, spanId: '00000000000000a1' }],
      ['compare_traces', { traceId: RUN_A, otherTraceId: RUN_A }],
    ] as const) {
      const answer = await callTool(client, tool, args);
      expect(answer.isError, tool).toBe(true);
      expect(answer.text, tool).toMatch(/was not found \(404 ERR_NOT_FOUND\)$/);
    }
    expect((await callTool(client, 'get_trace', { traceId: RUN_A })).text).toBe(`${rest.body.error.message} (404 ERR_NOT_FOUND)`);
    // And its lists hold none of the other project's records.
    expect((await callTool(client, 'search_traces')).json.traces).toEqual([]);
    expect((await callTool(client, 'get_scores')).json.scores).toEqual([]);
  });

  it('answers 401 without a key, as the REST API does, and 403 to a key of another role', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const headers = { accept: 'application/json, text/event-stream' };
    const none = await callJson<{ error: { code: string } }>(server.url, 'POST', '/mcp', initialize, { headers });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('ERR_UNAUTHENTICATED');
    // The SDK's client reports the status and the API's answer.
    await expect(connect({})).rejects.toMatchObject({ code: 401, message: expect.stringContaining('ERR_UNAUTHENTICATED') });
    const wrong = await callJson(server.url, 'POST', '/mcp', initialize, { headers, key: 'spoor_0123456789ab_notavalidsecretatall00000000' });
    expect(wrong.status).toBe(401);
    const ingest = await callJson<{ error: { message: string } }>(server.url, 'POST', '/mcp', initialize, { headers, key: shopIngest });
    expect(ingest.status).toBe(403);
    expect(ingest.body.error.message).toBe('POST /mcp needs a read key; this one is an ingest key');
  });

  it('refuses an unknown argument by name, and a wrong value saying what it must be', async () => {
    const client = await connect({ authorization: `Bearer ${shopRead}` });
    const unknown = await callTool(client, 'get_trace', { traceId: RUN_A, spanOffset: 10 });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toBe("'spanOffset' is not a parameter of the tool get_trace (known: traceId, spans, maxChars) (400 ERR_INVALID_PARAMETER)");
    const badId = await callTool(client, 'get_span', { traceId: 'run-a', spanId: '00000000000000a1' });
    expect(badId.text).toBe("'traceId' must be 32 hex characters, not 'run-a' (400 ERR_INVALID_PARAMETER)");
    // A value only the API can judge: its own 400, passed on.
    const range = await callTool(client, 'search_traces', { from: '2026-02-01', to: '2026-01-01' });
    expect(range).toMatchObject({ isError: true, text: "'from' must not be after 'to' (400 ERR_INVALID_PARAMETER)" });
    const apart = await callTool(client, 'list_sessions', { sessionId: 'sess-mcp-1', limit: 5 });
    expect(apart.text).toMatch(/^'limit' pages the list of sessions; with 'sessionId' give 'hours'/);
    await expect(client.callTool({ name: 'get_everything', arguments: {} })).rejects.toThrow(
      /no tool named 'get_everything': the tools are search_traces, get_trace/,
    );
  });

  it('is stateless: no session id, and GET and DELETE answer 405', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const response = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${shopRead}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initialize),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe('spoor');
    for (const method of ['GET', 'DELETE']) {
      const answer = await fetch(`${server.url}/mcp`, { method, headers: { authorization: `Bearer ${shopRead}` } });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
    }
  });

  it("takes the dashboard's session cookie from Spoor's own pages", async () => {
    const signIn = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: shopRead }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';', 1)[0]!;
    const client = await connect({ cookie, origin: server.url });
    expect((await callTool(client, 'get_trace', { traceId: RUN_A })).json.trace.rootName).toBe('answer question');
  });
});

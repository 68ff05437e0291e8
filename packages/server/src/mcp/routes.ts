import type * as McpTransport from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadOnce } from '../load-once.js';
import { injectCaller } from './api-caller.js';
import type * as McpServer from './server.js';
import { McpAccepted, McpAnswer, McpRefusal } from './answers.js';

/**
 * The MCP SDK (and the zod it brings) is loaded on the first `POST /mcp`, not with the server:
 * some 0.3 s of every start, for a route many servers never serve.
 */
const loadMcp = loadOnce(
  (): Promise<[typeof McpServer, typeof McpTransport]> =>
    Promise.all([import('../mcp/server.js'), import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js')]),
);

/**
 * `POST /mcp`: Spoor's MCP tools over Streamable HTTP, on the main port, behind the keys of the
 * REST API (a read key; the access check runs before this route as before any other). Stateless:
 * each request gets its own MCP server and transport, answers JSON (no event stream) and keeps no
 * session, so any server behind a load balancer answers any request. Each tool calls the REST API
 * in process with the request's own credentials (`injectCaller`): a key sees through MCP exactly
 * what it sees through the API.
 */
export async function mcpRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['mcp'];
  const summary = 'MCP (Streamable HTTP, stateless, JSON answers): the tools agents read traces with';
  app.post('/mcp', { schema: { summary, tags, response: { 200: McpAnswer, 202: McpAccepted, '4xx': McpRefusal } } }, async (request, reply) => {
    const [{ createMcpServer }, { WebStandardStreamableHTTPServerTransport }] = await loadMcp();
    const call = injectCaller(app, { headers: request.headers, remoteAddress: request.ip });
    const { server } = createMcpServer(call, (error, tool) => request.log.error({ err: error, tool }, 'an MCP tool failed'));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      const body = typeof request.body === 'object' && request.body !== null ? request.body : undefined;
      const response = await transport.handleRequest(webRequestOf(request), { parsedBody: body });
      void reply.code(response.status);
      response.headers.forEach((value, name) => void reply.header(name, value));
      return reply.send(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
    } finally {
      await server.close();
    }
  });
  // Stateless: no event stream for the server to open (GET) and no session to end (DELETE); the
  // MCP specification's answer to both is 405, which clients take as "not offered".
  const notOffered = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this Spoor serves MCP statelessly, POST /mcp only (no event stream, no session)' },
        id: null,
      });
  const notOfferedSchema = { summary: 'Not offered (405): MCP here is stateless, POST /mcp only', tags, response: { '4xx': McpRefusal } };
  app.get('/mcp', { schema: notOfferedSchema }, notOffered);
  app.delete('/mcp', { schema: notOfferedSchema }, notOffered);
}

/**
 * The request as the transport reads it. It answers JSON only (`enableJsonResponse`), so a client
 * that did not list both types the specification asks it to accept is answered all the same.
 */
function webRequestOf(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  headers.set('accept', 'application/json, text/event-stream');
  return new Request(new URL(request.url, 'http://spoor.invalid'), { method: 'POST', headers });
}

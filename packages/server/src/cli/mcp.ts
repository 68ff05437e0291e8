import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { fetchCaller } from '../mcp/api-caller.js';
import { createMcpServer } from '../mcp/server.js';
import { serverUrl } from './api-client.js';
import { type DataDirReader, openDataDir } from './mcp-data-dir.js';

/**
 * `spoor mcp [--url URL | --data DIR] [--project P]`: Spoor's MCP tools on standard input and
 * output, for an agent that starts its MCP servers as commands. With `--url` (the default: the
 * server on this machine's default port) the tools read a running Spoor's REST API with
 * `SPOOR_API_KEY`; with `--data` they read a data directory no server holds, read-only. Standard
 * output carries MCP's messages alone; what this command says goes to standard error. It stops
 * when its client closes standard input, once the calls it sent are answered (or on SIGINT, SIGTERM).
 */
export async function mcpCommand(args: string[], note: (text: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, data: { type: 'string' }, project: { type: 'string' } }, strict: true });
  if (values.url !== undefined && values.data !== undefined)
    throw new Error('give --url (a running Spoor) or --data (the data directory of a stopped one), not both');
  const project = values.project ?? null;
  let reader: DataDirReader;
  let where: string;
  if (values.data === undefined) {
    const url = serverUrl(values.url);
    const key = process.env.SPOOR_API_KEY;
    reader = { call: fetchCaller(url, key === undefined || key === '' ? null : key, project), close: async () => {} };
    where = `the Spoor at ${url}`;
  } else {
    reader = await openDataDir(values.data, project);
    where = `${values.data}, read-only`;
  }
  const { server, idle } = createMcpServer(reader.call, (error, tool) => note(`spoor mcp: ${tool} failed: ${(error as Error).stack ?? String(error)}\n`));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.connect(transport);
  note(`Spoor's MCP tools are answering on standard input and output, reading ${where}${project === null ? '' : ` (project ${project})`}\n`);
  await closed;
  // Standard input may end right after the last request (a script piping its requests in): it is answered first.
  await idle();
  await server.close();
  await reader.close();
  return 0;
}

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  type CallToolResult,
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool as ListedTool,
} from '@modelcontextprotocol/sdk/types.js';
import { answerWithin } from './answer-bound.js';
import type { ApiCaller, ApiFailure } from './api-caller.js';
import { DEFAULT_MAX_CHARS, headOf } from './budget.js';
import { TOOLS } from './tools.js';

/**
 * Spoor as an MCP server: the tools of `tools.ts` over an API caller, on any transport (stdio for
 * `spoor mcp`, Streamable HTTP for `POST /mcp`). The SDK's low-level `Server` is used rather than
 * its `McpServer`: that one takes only zod schemas, where the tools' arguments are the REST API's
 * parameters, already declared once as JSON Schema (TypeBox) beside their routes.
 */

const INSTRUCTIONS =
  'Spoor holds the traces, logs, errors and scores of LLM and agent apps, as OpenTelemetry sent them. ' +
  'To find a run, use search_traces (sort for the slowest, costliest or most tokens first; last="1h" for the last hour), ' +
  'find_errors for what fails, list_sessions for a conversation; open it with get_trace; ' +
  'read one span (its prompt and completion, attributes, exception, logs) with get_span. span_stats gives per-step latency, errors and cost; ' +
  'compare_traces explains how two runs differ; get_scores reads evaluations. Every answer is JSON text of at most maxChars characters; ' +
  'one that did not fit says in its note what it left out and how to get it.';

const VERSION = '0.1.0';

/** The tools as `tools/list` shows them: made once. `x-` keywords (the validator's own wording) stay on the server. */
const LISTED: ListedTool[] = TOOLS.map((tool) => ({
  name: tool.name,
  description: tool.description,
  inputSchema: JSON.parse(JSON.stringify(tool.schema, (key, value: unknown) => (key.startsWith('x-') ? undefined : value))) as ListedTool['inputSchema'],
  // Every tool reads; none changes anything, and asking again gives the same answer for the same data.
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
}));
const BY_NAME = new Map(TOOLS.map((tool) => [tool.name, tool]));

/** A success: the answer as compact JSON text of at most `maxChars` characters, and as structured content for clients that read it. */
function succeeded(value: Record<string, unknown>, maxChars: number): CallToolResult {
  const answer = answerWithin(value, maxChars);
  return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.value };
}

/**
 * A refusal, as the API words it: the agent reads what to fix (or that the trace is not there).
 * Its message may quote what was sent, so it is cut to `maxChars` too.
 */
function failed(failure: ApiFailure, maxChars = DEFAULT_MAX_CHARS): CallToolResult {
  const suffix = ` (${failure.status} ${failure.code})`;
  const message = failure.message.length + suffix.length > maxChars ? `${headOf(failure.message, maxChars - suffix.length - 1)}…` : failure.message;
  const error = { status: failure.status, code: failure.code, message };
  return { content: [{ type: 'text', text: `${message}${suffix}` }], structuredContent: { error }, isError: true };
}

export interface SpoorMcpServer {
  server: Server;
  /** Resolves once no tool call is running and the answers of those that ran are sent. */
  idle: () => Promise<void>;
}

/**
 * An MCP server whose tools read Spoor through `call`. `onError` hears what failed unexpectedly
 * (a bug, not a refusal): the agent is told only that it failed.
 */
export function createMcpServer(call: ApiCaller, onError: (error: unknown, tool: string) => void): SpoorMcpServer {
  const server = new Server({ name: 'spoor', title: 'Spoor', version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const running = new Set<Promise<CallToolResult>>();
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: LISTED }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = BY_NAME.get(request.params.name);
    if (tool === undefined)
      throw new McpError(ErrorCode.InvalidParams, `no tool named '${request.params.name}': the tools are ${TOOLS.map((t) => t.name).join(', ')}`);
    const checked = tool.check(request.params.arguments ?? {});
    if ('error' in checked) return failed({ status: 400, code: checked.error.code, message: checked.error.message });
    const maxChars = (checked.value as { maxChars?: number }).maxChars ?? DEFAULT_MAX_CHARS;
    const answer = tool.run(checked.value as never, call).then(
      (result) => (result.ok ? succeeded(result.value, maxChars) : failed(result.failure, maxChars)),
      (error: unknown) => {
        onError(error, tool.name);
        return failed({ status: 500, code: 'ERR_INTERNAL', message: `${tool.name} failed inside Spoor; its log says why` });
      },
    );
    running.add(answer);
    void answer.finally(() => running.delete(answer));
    return answer;
  });
  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
    // The SDK sends an answer a few promise turns after its handler resolves.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { server, idle };
}

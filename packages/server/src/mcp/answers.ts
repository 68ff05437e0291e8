import { Type } from '@sinclair/typebox';
import { ErrorAnswer } from '../http/answers/errors.js';

/**
 * `/mcp`'s bodies and answers: JSON-RPC 2.0 as MCP's Streamable HTTP transport speaks it. The
 * request body is described in the document only: the MCP transport reads it, and answers a bad
 * one with a JSON-RPC error rather than the API's 400.
 */

const Id = Type.Union([Type.String(), Type.Number(), Type.Null()]);
const RpcError = Type.Object({ code: Type.Integer(), message: Type.String(), data: Type.Optional(Type.Unknown()) }, { additionalProperties: false });

const RpcMessage = Type.Object(
  {
    jsonrpc: Type.Literal('2.0'),
    id: Type.Optional(Id),
    method: Type.String({ description: 'initialize, tools/list, tools/call, ... (a notification has no id)' }),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false, title: 'JSON-RPC request' },
);
export const McpBody = Type.Union([RpcMessage, Type.Array(RpcMessage, { minItems: 1 })]);

const RpcAnswer = Type.Object(
  { jsonrpc: Type.Literal('2.0'), id: Id, result: Type.Optional(Type.Unknown()), error: Type.Optional(RpcError) },
  { additionalProperties: false, title: 'JSON-RPC response' },
);
export const McpAnswer = Type.Union([RpcAnswer, Type.Array(RpcAnswer)], { description: 'The JSON-RPC answer (or answers, to a batch)' });
export const McpAccepted = Type.Null({ description: 'Accepted: notifications and answers only, nothing to answer' });

/** A refusal: the transport's JSON-RPC error, or the API's own (no key, a body too large). */
export const McpRefusal = Type.Union([Type.Object({ jsonrpc: Type.Literal('2.0'), id: Id, error: RpcError }, { additionalProperties: false }), ErrorAnswer]);

import type { FastifyReply } from 'fastify';
import { Kind, type TLiteral, type TNull, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/**
 * How a route declares a success answer, in its `schema.response` by status:
 * - JSON: the TypeBox schema itself (`200: TraceListAnswer`); the answer check validates it.
 * - No body: `204: NoContent`.
 * - Anything else, or JSON beside something else: `contentAnswer(description, { 'text/plain': Type.String(), ... })`;
 *   the check validates the JSON of an `application/json` entry and only the content type of the others.
 */

/** A status's answer declared by content type: the form `@fastify/swagger` and Fastify's serializer read. */
export interface ContentAnswer {
  description: string;
  content: Record<string, { schema: TSchema }>;
}

export function contentAnswer(description: string, content: Record<string, TSchema>): ContentAnswer {
  return { description, content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])) };
}

/** An answer without a body (204). */
export const NoContent = Type.Null({ description: 'Done; no body' });

/** A redirect: no body, a `Location` header. */
export const Redirect = (description: string): TNull => Type.Null({ description });

/** A body of bytes or text that is not JSON (a stream, an export file). */
export const Bytes = (description: string): TSchema => Type.String({ format: 'binary', description });

/** Whether a declared answer is a schema (JSON) rather than a `contentAnswer`. */
export const isSchema = (declared: unknown): declared is TSchema => typeof declared === 'object' && declared !== null && Kind in declared;

/** A string that is one of a model's constant lists (`SPAN_GROUP_COLUMNS`), typed as its union. */
export function literals<const T extends readonly string[]>(values: T): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(values.map((value) => Type.Literal(value)));
}

/** JSON text (the database thread's answers are text already), sent as it is, never serialised again. */
export const sendJsonText = (reply: FastifyReply, text: string): FastifyReply => reply.type('application/json; charset=utf-8').send(text);

/** Whether an Accept header names `mediaType` (with a q above 0). */
export function accepts(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    return type === mediaType && !parameters.some((p) => /^q=0(\.0*)?$/.test(p));
  });
}

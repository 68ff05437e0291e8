import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { AppError, type ErrorCode } from '../errors.js';

/**
 * The one check of the schemas in `parameters.ts` and the routes', wherever parameters arrive (an
 * HTTP request through `api/validation.ts`, an MCP tool's arguments): the query text becomes the
 * JSON types the schema declares, TypeBox checks it, and a failure becomes the same `AppError` a
 * hand check made: `400 ERR_INVALID_PARAMETER` naming the query or path parameter and what it
 * must be, `400 ERR_BAD_REQUEST` naming the body's field.
 */

/** A route schema, read as plain JSON Schema. */
interface Schema {
  type?: string;
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  /** What the value must be, where the keywords cannot say it (a pattern's meaning). */
  'x-must-be'?: string;
  /** The code a body's errors answer with, when not `ERR_BAD_REQUEST`. */
  'x-error-code'?: ErrorCode;
}

/** Where a value arrives: a query string, a path's parameters, a JSON body. */
export type Part = 'query' | 'path' | 'body';

/** A failure as TypeBox reports it: where, the value there, and the schema it failed. */
interface ValidationError {
  type: ValueErrorType;
  path: string;
  value: unknown;
  schema: Schema;
}

interface Validator {
  Check(value: unknown): boolean;
  Errors(value: unknown): Iterable<ValidationError>;
}

/** Compiled once per schema, on its first use: a server starts without compiling ~90 schemas. */
const compiled = new WeakMap<object, Validator>();

function validatorOf(schema: object): Validator {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    validator = TypeCompiler.Compile(schema as TSchema) as unknown as Validator;
    compiled.set(schema, validator);
  }
  return validator;
}

/**
 * The same check of parameters outside HTTP: an MCP tool's arguments are the REST API's
 * parameters, refused with the same messages, a parameter it does not know named as not one of
 * `owner`'s (`the tool get_trace`).
 */
export function parameterChecker(schema: object, owner: string): (data: unknown) => { value: unknown } | { error: AppError } {
  return checkerOf(schema, 'query', owner);
}

/** The check of one part's values against `schema`, a parameter it does not know named as not one of `owner`'s (`this endpoint`). */
export function checkerOf(schema: object, part: Part, owner: string): (data: unknown) => { value: unknown } | { error: AppError } {
  const root = schema as Schema;
  const convert = part === 'body' ? null : textConverter(root);
  return (data: unknown) => {
    const value = convert === null ? data : convert(data);
    const validator = validatorOf(root);
    if (validator.Check(value)) return { value };
    return { error: errorOf(validator.Errors(value), root, part, data, owner) };
  };
}

const DECIMAL = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Query and path text as the types the schema declares: a number only when written in decimal
 * (`Number` would take `0x10`, `1_000` is refused, a blank would be 0, `Infinity` a number), a
 * boolean only from `true` or `false`, a list from a repeated parameter or a single one (and, for
 * a list of names, from names separated by commas). Anything else stays text, and the check
 * names it. (Fastify's default validator, Ajv with `coerceTypes`, takes all of those, and drops
 * unknown parameters rather than name them.)
 */
function textConverter(schema: Schema): (data: unknown) => unknown {
  const rules = new Map<string, (value: unknown) => unknown>();
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.type === 'integer' || property.type === 'number') rules.set(name, (v) => (typeof v === 'string' && DECIMAL.test(v) ? Number(v) : v));
    else if (property.type === 'boolean') rules.set(name, (v) => (v === 'true' ? true : v === 'false' ? false : v));
    else if (property.type === 'array') {
      const names = isNameList(property.items);
      rules.set(name, (v) => {
        const list = Array.isArray(v) ? v : [v];
        return names ? list.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item])) : list;
      });
    }
  }
  if (rules.size === 0) return (data) => data;
  return (data) => {
    if (typeof data !== 'object' || data === null) return data;
    // No prototype, as Fastify's own query object: `__proto__` and `constructor` are plain names here.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [name, value] of Object.entries(data)) {
      const rule = rules.get(name);
      out[name] = rule === undefined ? value : rule(value);
    }
    return out;
  };
}

function isNameList(items: Schema | undefined): boolean {
  return items?.enum !== undefined || (items?.anyOf?.every((s) => typeof s.const === 'string') ?? false);
}

const MAX_ERRORS_READ = 256;

/** The first problem, as the `AppError` a person can act on: unknown names first, then missing ones, then values. */
function errorOf(found: Iterable<ValidationError>, root: Schema, part: Part, sent: unknown, owner: string): AppError {
  const code: ErrorCode = part === 'body' ? (root['x-error-code'] ?? 'ERR_BAD_REQUEST') : 'ERR_INVALID_PARAMETER';
  const fail = (message: string): AppError => new AppError(code, message);
  let unknown: ValidationError | undefined;
  let missing: ValidationError | undefined;
  let other: ValidationError | undefined;
  let seen = 0;
  // A body of 1 MiB may hold half a million wrong items: a few hundred errors tell which comes first.
  for (const error of found) {
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      unknown = error;
      break;
    }
    if (error.type === ValueErrorType.ObjectRequiredProperty) missing ??= error;
    else other ??= error;
    if (++seen === MAX_ERRORS_READ) break;
  }
  const first = unknown ?? missing ?? other;
  if (first === undefined) return fail('the request is not what this endpoint takes');
  const path = segmentsOf(first.path);
  if (first.type === ValueErrorType.ObjectRequiredProperty) {
    // The schema is the missing property's own.
    const description = first.schema.description;
    return fail(`'${label(part, path)}' is required${description === undefined ? '' : `: ${description}`}`);
  }
  if (first.type === ValueErrorType.ObjectAdditionalProperties) {
    // The schema is the object's: its properties are the names it knows.
    const name = path.at(-1) ?? '';
    const within = path.slice(0, -1);
    const known = Object.keys(first.schema.properties ?? {});
    const list = known.length === 0 ? '' : ` (known: ${known.join(', ')})`;
    if (part === 'body') return fail(`'${name}' is not a field of ${within.length === 0 ? bodyName(root) : `'${label(part, within)}'`}${list}`);
    return fail(`'${name}' is not a parameter of ${owner}${known.length === 0 ? ': it takes none' : list}`);
  }
  if (part === 'body' && path.length === 0) return fail(`the body of ${bodyName(root)} must be a JSON object`);
  // A query parameter is named by itself, even when an item of its list is the wrong one.
  const name = label(part, path);
  // A number or boolean made from query text is shown as it was written (`-0`, `1e300`).
  const given = typeof first.value === 'number' || typeof first.value === 'boolean' ? (valueAt(sent, path) ?? first.value) : first.value;
  if (part !== 'body' && Array.isArray(given) && root.properties?.[name]?.type !== 'array') return fail(`'${name}' may be given only once`);
  if (first.type === ValueErrorType.ArrayMaxItems && Array.isArray(given)) {
    const most = first.schema.maxItems;
    return fail(
      part === 'body' ? `'${name}' must hold at most ${most} items, not ${given.length}` : `'${name}' may be given at most ${most} times, not ${given.length}`,
    );
  }
  if (first.type === ValueErrorType.StringMinLength && first.schema.minLength === 1 && first.schema['x-must-be'] === undefined)
    return fail(`'${name}' must not be empty`);
  return fail(`'${name}' must be ${mustBe(first.schema)}, not ${shown(given)}`);
}

/** `/overrides/messages/0/role` as its segments. */
function segmentsOf(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** How a field is named in a message: a parameter by its name, a body field by its path (`matchers[0].op`). */
function label(part: Part, path: string[]): string {
  if (part !== 'body') return path[0] ?? '';
  return path.reduce((text, segment) => (/^\d+$/.test(segment) ? `${text}[${segment}]` : text === '' ? segment : `${text}.${segment}`), '');
}

/** "a key", "an error group update": a body's title as a message says it. */
function bodyName(root: Schema): string {
  const title = (root.title ?? 'request').toLowerCase();
  return `${/^[aeiou]/.test(title) ? 'an' : 'a'} ${title}`;
}

function valueAt(value: unknown, path: string[]): unknown {
  let at = value;
  for (const segment of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, segment)) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

/** What a value of this schema must be, in words. */
function mustBe(schema: Schema): string {
  if (schema['x-must-be'] !== undefined) return schema['x-must-be'];
  const names = schema.enum ?? schema.anyOf?.map((s) => s.const) ?? (schema.const === undefined ? undefined : [schema.const]);
  if (names !== undefined && names.every((n) => typeof n === 'string')) return names.length === 1 ? `'${names[0]}'` : `one of ${names.join(', ')}`;
  const { minimum: min, maximum: max, exclusiveMinimum: above } = schema;
  const noun = schema.type === 'integer' ? 'an integer' : 'a number';
  switch (schema.type) {
    case 'integer':
    case 'number':
      if (above !== undefined) return `${noun} above ${above}${max === undefined ? '' : ` and at most ${max}`}`;
      if (min !== undefined && max !== undefined) return `${noun} from ${min} to ${max}`;
      return min !== undefined ? `${noun} of at least ${min}` : max !== undefined ? `${noun} of at most ${max}` : noun;
    case 'boolean':
      return 'true or false';
    case 'array':
      return `a ${schema.minItems === undefined || schema.minItems === 0 ? '' : 'non-empty '}list${schema.items === undefined ? '' : `, each item ${mustBe(schema.items)}`}`;
    case 'object':
      return 'an object';
    case 'string':
      return schema.maxLength === undefined ? 'text' : `text of at most ${schema.maxLength} characters`;
    default:
      return 'a value of the kind described';
  }
}

/** A value as a message shows it: quoted, and cut short (a parameter may be kilobytes long). */
function shown(value: unknown): string {
  // JSON has no Infinity: a body's 1e999 parses to it, and JSON.stringify would show it as null.
  const text =
    typeof value === 'string' ? value : typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  return `'${text.length > 100 ? `${text.slice(0, 100)}…` : text}'`;
}

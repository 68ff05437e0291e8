import { type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * A JSON Schema (the common keywords) turned into a TypeBox schema, which TypeBox's `Value.Check`
 * validates: TypeBox is already the server's validator (route schemas), and it checks only
 * schemas it built. Keywords outside this list are refused by name rather than ignored, so a
 * schema never passes a value its author meant to refuse. `pattern` is among the refused: TypeBox
 * matches it with JavaScript's backtracking engine (see `regex.ts`).
 */

const KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'anyOf',
  'title',
  'description',
  '$schema',
]);
const TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'];

export class SchemaError extends Error {}

/** Compiles `schema` into a check of a parsed value; throws `SchemaError` naming the keyword at fault. */
export function compileJsonSchema(schema: unknown): (value: unknown) => boolean {
  const compiled = convert(schema, 'schema');
  return (value) => Value.Check(compiled, value);
}

function convert(schema: unknown, at: string): TSchema {
  if (schema === true) return Type.Any();
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new SchemaError(`${at}: must be an object`);
  const s = schema as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!KEYWORDS.has(key)) throw new SchemaError(`${at}.${key}: not supported (supported: ${[...KEYWORDS].join(', ')})`);
  const bounds = (names: readonly string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const name of names) {
      if (s[name] === undefined) continue;
      if (typeof s[name] !== 'number' || !Number.isFinite(s[name])) throw new SchemaError(`${at}.${name}: must be a number`);
      out[name] = s[name];
    }
    return out;
  };
  if (s.anyOf !== undefined) {
    if (!Array.isArray(s.anyOf) || s.anyOf.length === 0) throw new SchemaError(`${at}.anyOf: must be a non-empty list of schemas`);
    return Type.Union(s.anyOf.map((item, i) => convert(item, `${at}.anyOf[${i}]`)));
  }
  if (s.const !== undefined) return literalOrAny(s.const);
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum) || s.enum.length === 0) throw new SchemaError(`${at}.enum: must be a non-empty list`);
    return Type.Union(s.enum.map((v) => literalOrAny(v)));
  }
  const type = s.type;
  if (type === undefined) return Type.Any();
  if (typeof type !== 'string' || !TYPES.includes(type)) throw new SchemaError(`${at}.type: must be one of ${TYPES.join(', ')}`);
  switch (type) {
    case 'string':
      return Type.String(bounds(['minLength', 'maxLength']));
    case 'number':
      return Type.Number(bounds(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']));
    case 'integer':
      return Type.Integer(bounds(['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']));
    case 'boolean':
      return Type.Boolean();
    case 'null':
      return Type.Null();
    case 'array':
      return Type.Array(s.items === undefined ? Type.Any() : convert(s.items, `${at}.items`), bounds(['minItems', 'maxItems']));
    default: {
      const properties = s.properties ?? {};
      if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) throw new SchemaError(`${at}.properties: must be an object`);
      const required = s.required ?? [];
      if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) throw new SchemaError(`${at}.required: must be a list of property names`);
      const fields: Record<string, TSchema> = {};
      for (const [name, sub] of Object.entries(properties)) {
        const field = convert(sub, `${at}.properties.${name}`);
        fields[name] = required.includes(name) ? field : Type.Optional(field);
      }
      for (const name of required as string[]) if (!(name in fields)) fields[name] = Type.Any();
      const extra = s.additionalProperties;
      if (extra !== undefined && typeof extra !== 'boolean') throw new SchemaError(`${at}.additionalProperties: must be true or false`);
      return Type.Object(fields, { additionalProperties: extra ?? true });
    }
  }
}

function literalOrAny(value: unknown): TSchema {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return Type.Literal(value);
  if (value === null) return Type.Null();
  throw new SchemaError('schema: const and enum take strings, numbers, booleans or null');
}

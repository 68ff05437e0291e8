import { type TSchema, type TUnion, type TNull, Type } from '@sinclair/typebox';

/** Pieces the answer schemas of access, masking, quarantine and evaluators share: what a field may be, said once. */

/** A value or `null`. */
export const Nullable = <T extends TSchema>(schema: T): TUnion<[T, TNull]> => Type.Union([schema, Type.Null()]);

/** A time as the API writes it: ISO-8601 in UTC, with a fraction of a second or none. */
export const Iso = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'ISO-8601, UTC' });

/** A count: an integer, at least 0. */
export const Count = Type.Integer({ minimum: 0 });

/**
 * Compile-time agreement of an answer schema with the model type it describes: each
 * `answers/*.ts` file calls `agree<Static<typeof XAnswer>, X>(true)` once per schema, so the
 * typecheck fails when either drifts. Readonly-ness is ignored: the model's answer types are
 * read-only views, TypeBox's are mutable, and JSON carries neither.
 */

type Mutable<T> = T extends readonly (infer U)[] ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

/** `true` when `A` and `B` are assignable both ways (ignoring readonly), else `false`. */
export type Agrees<A, B> = [Mutable<A>] extends [Mutable<B>] ? ([Mutable<B>] extends [Mutable<A>] ? true : false) : false;

/** Fails to compile unless `A` and `B` agree; costs nothing at run time. */
export function agree<A, B>(_agrees: Agrees<A, B>): void {}

declare const jsonText: unique symbol;
declare const jsonUtf8: unique symbol;

/**
 * JSON text of a `T`. It is a string, so the API sends it on as it is (the database thread's
 * answers cross to the HTTP thread as text: a string crosses far faster than the objects it
 * describes); a caller that needs the value parses it with {@link parseJson}, typed, no cast.
 * Made only by {@link jsonOf}, or by a `JsonWriter` that says what it writes.
 */
export type Json<T> = string & { readonly [jsonText]: T };

/** The same as UTF-8 bytes in an `ArrayBuffer` of their own (`JsonWriter`): they move between threads without a copy. */
export type JsonUtf8<T> = Uint8Array & { readonly [jsonUtf8]: T };

/** `value` as JSON text; `undefined` (which has no JSON) as `null`. */
export function jsonOf<T>(value: T): Json<T> {
  return (JSON.stringify(value) ?? 'null') as Json<T>;
}

/** The `T` whose text this is. */
export function parseJson<T>(text: Json<T>): T {
  return JSON.parse(text) as T;
}

/** A call whose answer the API sends on as it is: answered as its JSON text, made where the call runs (the database thread). */
export function jsonCall<A extends unknown[], T>(call: (...args: A) => Promise<T>): (...args: A) => Promise<Json<T>> {
  return async (...args) => jsonOf(await call(...args));
}

import { createHash } from 'node:crypto';

/**
 * Request fields that say how an answer travels, not what is asked: a call recorded plain is
 * replayed streamed (and the other way round) from the same cassette entry.
 */
const TRANSPORT_FIELDS: ReadonlySet<string> = new Set(['stream', 'stream_options']);

/** Span attribute holding {@link requestHash} of an LLM request or of a captured function's arguments. */
export const REQUEST_HASH_ATTRIBUTE = 'spoor.request.hash';

/** Span attribute holding the order in which this process started its replayable calls. */
export const CALL_SEQUENCE_ATTRIBUTE = 'spoor.call.seq';

let sequence = 0;

/**
 * The next call number of this process. Start times are stored to the microsecond and a sync call
 * can start within the same one as the call before it: the number breaks such ties.
 */
export function nextCallSequence(): number {
  return ++sequence;
}

/**
 * A stable hash of what a call asks for: model, messages, tools and parameters of an LLM request
 * (or a function's arguments), independent of key order. Computed over the unmasked request, so
 * that a recording made with one set of masking rules matches a replay made with another; only
 * the hash leaves the process, never the content.
 */
export function requestHash(request: unknown): string {
  let json: string;
  try {
    json = canonicalJson(request, true);
  } catch {
    // A getter that throws: the call must still go ahead; it then matches by position alone.
    return 'unhashable';
  }
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

/**
 * JSON with object keys sorted at every level, functions and `undefined` left out (as
 * `JSON.stringify` does) and cycles cut, so two requests that differ only in key order are equal.
 * `top` drops the transport fields of the outermost object.
 */
export function canonicalJson(value: unknown, top = false): string {
  return JSON.stringify(sorted(value, new WeakSet<object>(), top)) ?? 'undefined';
}

function sorted(value: unknown, seen: WeakSet<object>, top: boolean): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return sorted(json.call(value), seen, false);
  if (Array.isArray(value)) return value.map((item) => (item === undefined || typeof item === 'function' ? null : sorted(item, seen, false)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (top && TRANSPORT_FIELDS.has(key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function') continue;
    out[key] = sorted(item, seen, false);
  }
  return out;
}

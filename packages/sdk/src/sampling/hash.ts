/**
 * 32 bits of randomness from a trace id: its last 8 hex digits. W3C trace ids end in random
 * bytes (Trace Context level 2 asks for the rightmost 7), so this is uniform for any compliant
 * generator.
 */
export function traceIdRandomness(traceId: string): number {
  return Number.parseInt(traceId.slice(-8), 16) >>> 0;
}

/**
 * 32 uniform bits from any string key: FNV-1a over the UTF-16 code units, then the MurmurHash3
 * finalizer, because plain FNV-1a spreads near-identical keys (`user-1`, `user-2`) poorly in
 * its high bits. Pure and stable across processes and versions: a key's decision never changes.
 */
export function keyRandomness(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

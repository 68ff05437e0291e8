import { sha256Hex } from './sha256.js';

/** The text that stands in for a masked finding: `[REDACTED:<label>]`. */
export function maskText(label: string): string {
  return `[REDACTED:${label}]`;
}

/** Hex digits kept from the digest: 48 bits, enough that distinct values in one trace do not collide. */
const HASH_HEX_LENGTH = 12;

/**
 * Returns the hash-mode replacement, `[<label>:<first 12 hex of sha256(salt + value)>]`. Equal
 * values give equal text, so a user can still be followed across spans without being named; the
 * salt keeps the hashes of one deployment from being looked up in another's.
 */
export function createHashText(salt: string): (label: string, value: string) => string {
  return (label, value) => `[${label}:${sha256Hex(salt + value).slice(0, HASH_HEX_LENGTH)}]`;
}

/** The text hashed for a whole non-string value under a sensitive key. */
export function textForHash(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Cycles and BigInts cannot be serialized; the type name still hashes to a stable token.
    return Object.prototype.toString.call(value);
  }
}

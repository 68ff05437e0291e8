import { FINGERPRINT_VERSION } from '@spoor/model';
import type { ErrorParts } from '@spoor/model';

const UTF8 = new TextEncoder();

/**
 * The fingerprint of an error group: 16 lowercase hex digits of a 64-bit FNV-1a hash over the
 * algorithm's version and every part. (normalize/ is pure and does not import `node:crypto`;
 * FNV-1a changes its output for any one-byte change, and 64 bits keep collisions out of reach of
 * one project's groups.) `version` is there so a test can show that it counts.
 */
export function fingerprintOf(parts: ErrorParts, version: number = FINGERPRINT_VERSION): string {
  const { exceptionType, messageKey, frame, provider, httpStatus, errorType, finishReason, toolName } = parts;
  const input = JSON.stringify([version, exceptionType, messageKey, frame, provider, httpStatus, errorType, finishReason, toolName]);
  // 64-bit arithmetic in two 32-bit halves: the FNV prime is 2^40 + 0x1b3.
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (const byte of UTF8.encode(input)) {
    low = (low ^ byte) >>> 0;
    const lowProduct = low * 0x1b3;
    high = (high * 0x1b3 + Math.floor(lowProduct / 0x100000000) + ((low << 8) >>> 0)) >>> 0;
    low = lowProduct >>> 0;
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

import { randomBytes } from 'node:crypto';

/**
 * Log records carry no id in OTLP; Spoor gives each one, so that pagination has a stable order
 * among records with the same timestamp. 32 random bits per process and a 32-bit counter keep
 * ids unique across several servers without coordination, at the cost of one string concat.
 */
const prefix = randomBytes(4).toString('hex');
let counter = 0;

export function nextLogId(): string {
  counter = (counter + 1) >>> 0;
  return prefix + counter.toString(16).padStart(8, '0');
}

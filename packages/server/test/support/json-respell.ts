import type { Random } from '../../src/cli/demo-history.js';

/**
 * OTLP/JSON written again as some writers may write it, meaning the same to `JSON.parse`: keys
 * with characters escaped (`\u0074raceId`), a member given twice with the real one last (the
 * first the same value, an empty one, or another of its kind), whitespace anywhere, a byte order
 * mark. For the test that the column path reads such a body as the record path does.
 */
export function respelled(random: Random, body: Uint8Array): Uint8Array {
  const text = write(random, JSON.parse(Buffer.from(body).toString('utf8')));
  return Buffer.from(random.chance(0.2) ? `\ufeff${text}` : text);
}

function write(random: Random, value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => space(random) + write(random, item) + space(random)).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const members: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (random.chance(0.15)) members.push(`${keyText(random, key)}:${write(random, earlier(random, item))}`);
    members.push(`${space(random)}${keyText(random, key)}${space(random)}:${space(random)}${write(random, item)}`);
  }
  return `{${members.join(',')}${space(random)}}`;
}

/** A value a later one of the same key replaces: the same, or an empty one of its kind (never one the record path would refuse). */
function earlier(random: Random, value: unknown): unknown {
  if (random.chance(0.5) || value === null) return value;
  if (Array.isArray(value)) return [];
  if (typeof value === 'object') return {};
  if (typeof value === 'boolean') return !value;
  return value;
}

/** A key's JSON, with a character or two escaped at times. */
function keyText(random: Random, key: string): string {
  if (key.length === 0 || !random.chance(0.2)) return JSON.stringify(key);
  let out = '';
  for (const char of key) {
    out += random.chance(0.25) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(char).slice(1, -1);
  }
  return `"${out}"`;
}

function space(random: Random): string {
  return random.chance(0.1) ? random.pick([' ', '\n', '\t ', '\r\n  ']) : '';
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: what one looks like, how it is made, stored and checked. Engine-neutral: a store keeps
 * `KeyRecord`s and never sees a key itself.
 *
 * A key reads `spoor_<role>_<id>_<secret>`: the role prefix lets a secret scanner or a person tell
 * an ingest key (safe-ish in an app's environment) from an admin key at a glance; the id (public,
 * shown in lists and the audit log) finds the record; the secret is 32 base62 characters (190
 * bits). Only the SHA-256 of the whole key is stored: a key this random needs no slow hash, and a
 * stolen database yields no usable key.
 */

export const ROLES = ['ingest', 'read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A project a key covers, or every project (`*`, for read and admin keys only). */
export const ALL_PROJECTS = '*';

export interface KeyRecord {
  /** Public id: 10 base62 characters. */
  id: string;
  /** The project the key reads and writes, or `*` for all of them. */
  projectId: string;
  role: Role;
  /** What the creator called it (`ci`, `grafana`), for lists. */
  name: string;
  /** SHA-256 of the key, hex. */
  hash: string;
  createdUs: number;
  /** The key id that created it; `cli` from the command line, `open` before any key existed, `user:ADDRESS` a person signed in by single sign-on. */
  createdBy: string;
  revokedUs: number | null;
}

/** One change someone made: a key created or revoked, a rule, silence, price or policy changed. */
export interface AuditRecord {
  timeUs: number;
  projectId: string;
  /** The key that made it; `cli` from the command line, `open` while no key was required, `user:ADDRESS` a person signed in by single sign-on (their sign-ins too). */
  keyId: string;
  /** What was done: the API's `METHOD /route` (`POST /api/keys`), or a person's `session.sign-in`, `session.sign-out`, `session.sign-in-refused`. */
  action: string;
  /** What it was done to: a key id, a rule name, a silence id, a model. */
  target: string;
  /** More, as JSON text (a key's role and project, a silence's matchers), or `null`. */
  detail: string | null;
}

/** A key as lists show it: everything but its hash. */
export type KeyInfo = Omit<KeyRecord, 'hash'>;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 10;
const SECRET_LENGTH = 32;
const KEY_PATTERN = new RegExp(`^spoor_(ingest|read|admin)_([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`);
/** Project names: what a URL path, a header and a log line carry without escaping. */
const PROJECT_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** `length` base62 characters from the system's CSPRNG, without modulo bias. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 62 * 4 = 248: bytes from 248 up would favour the first characters.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Throws a message saying what a project name may be. */
export function checkProjectName(projectId: string, role: Role): void {
  if (projectId === ALL_PROJECTS) {
    if (role === 'ingest') throw new Error("an ingest key stores under one project: name it (--project NAME), not '*'");
    return;
  }
  if (!PROJECT_PATTERN.test(projectId)) {
    throw new Error(`'${projectId}' is not a project name: use 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A new key and the record that stores it. The key itself is shown once and kept nowhere. */
export function newKey(options: { projectId: string; role: Role; name: string; createdBy: string; nowUs: number }): { key: string; record: KeyRecord } {
  checkProjectName(options.projectId, options.role);
  if (options.name.length > 100) throw new Error('a key name is at most 100 characters');
  const id = randomBase62(ID_LENGTH);
  const key = `spoor_${options.role}_${id}_${randomBase62(SECRET_LENGTH)}`;
  return {
    key,
    record: {
      id,
      projectId: options.projectId,
      role: options.role,
      name: options.name,
      hash: hashKey(key),
      createdUs: options.nowUs,
      createdBy: options.createdBy,
      revokedUs: null,
    },
  };
}

/** The id a key names, or `null` when it is not shaped like a Spoor key. */
export function keyIdOf(key: string): string | null {
  return KEY_PATTERN.exec(key)?.[2] ?? null;
}

/**
 * Whether `key` is the key `record` stores: its hash compared in constant time, and its role
 * prefix the record's (a key whose prefix was edited is not a key).
 */
export function keyMatches(key: string, record: KeyRecord): boolean {
  const match = KEY_PATTERN.exec(key);
  if (match === null || match[1] !== record.role || match[2] !== record.id) return false;
  const given = Buffer.from(hashKey(key), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Whether a key of `role` may do what `needed` asks: admin covers read; ingest is its own. */
export function roleCovers(role: Role, needed: Role): boolean {
  if (role === needed) return true;
  return role === 'admin';
}

export function infoOf(record: KeyRecord): KeyInfo {
  const { hash: _hash, ...info } = record;
  return info;
}

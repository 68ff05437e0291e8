import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type SpoolEntry, type SpoolPosition, encodeEntry, readSpoolFile } from './spool.js';

/**
 * Where acknowledged requests go when the store keeps refusing them, so they neither block what
 * was accepted after them nor get lost. Each is two files under `<data>/quarantine/`, named after
 * its spool position: `<id>.spool`, the entry in the spool's own format (so the same reader and
 * decoder take it back), and `<id>.json`, why it is here. `spoor spool replay-quarantine` (or
 * `POST /api/quarantine/replay`) hands them to ingest again.
 */

/** Why and when an entry was quarantined; written beside it. */
export interface QuarantineReason {
  /** Records the entry decoded to, or `null` when it could not be decoded. */
  records: number | null;
  /** Tries the writer made before giving up on it. */
  attempts: number;
  /** The store's (or the decoder's) last error. */
  error: string;
  /** Epoch milliseconds. */
  quarantinedAtMs: number;
}

/** A quarantined entry as listed. */
export interface QuarantinedEntry extends QuarantineReason {
  id: string;
  signal: SpoolEntry['signal'];
  encoding: SpoolEntry['encoding'];
  projectId: string;
  /** When the request was received, epoch microseconds. */
  receivedUs: number;
  /** Size of the request body. */
  bytes: number;
}

const ID = /^\d{12}-\d{12}$/;

/**
 * A quarantined entry's name: its spool position, so quarantining it twice writes it once. Both
 * numbers are padded, so names sort (as strings) in spool order.
 */
export function quarantineIdOf(position: SpoolPosition): string {
  return `${String(position.segment).padStart(12, '0')}-${String(position.offset).padStart(12, '0')}`;
}

/**
 * Writes an entry and its reason to the quarantine, durably (each file is written under a
 * temporary name, synced and renamed, then the folder is synced), so the writer may move past it.
 * Throws when the disk refuses; the entry then stays in the spool and is tried again.
 */
export function quarantineEntry(dir: string, position: SpoolPosition, entry: SpoolEntry, reason: QuarantineReason): string {
  const id = quarantineIdOf(position);
  mkdirSync(dir, { recursive: true });
  writeDurably(join(dir, `${id}.spool`), encodeEntry(entry));
  writeDurably(join(dir, `${id}.json`), [Buffer.from(`${JSON.stringify(reason)}\n`)]);
  syncFolder(dir);
  return id;
}

/**
 * Keeps a damaged stretch of the spool (bytes that read as no entry, with entries after them)
 * as `<segment>-<offset>.damaged`, for whoever wants to look at what was lost.
 */
export function keepDamaged(dir: string, segment: number, offset: number, bytes: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  writeDurably(join(dir, `${quarantineIdOf({ segment, offset })}.damaged`), [Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  syncFolder(dir);
}

/** The quarantined entries, oldest spool position first. A folder that does not exist is empty. */
export function listQuarantine(dir: string): QuarantinedEntry[] {
  const entries: QuarantinedEntry[] = [];
  for (const id of quarantineIds(dir)) {
    const entry = readQuarantined(dir, id);
    if (entry === null) continue;
    const reason = readReason(dir, id);
    entries.push({
      id,
      signal: entry.signal,
      encoding: entry.encoding,
      projectId: entry.projectId,
      receivedUs: entry.receivedUs,
      bytes: entry.body.byteLength,
      ...reason,
    });
  }
  return entries;
}

/** How many entries the quarantine holds, without reading them (for `/metrics`). */
export function quarantineCount(dir: string): number {
  return quarantineIds(dir).length;
}

/** The entry stored under `id`, or `null` when there is none (or its file is damaged). */
export function readQuarantined(dir: string, id: string): SpoolEntry | null {
  if (!ID.test(id)) return null;
  try {
    for (const item of readSpoolFile(join(dir, `${id}.spool`), 0)) return 'entry' in item ? item.entry : null;
  } catch {
    // Gone since it was listed (replayed by another request): nothing to read.
  }
  return null;
}

/** Removes an entry once it is safely back in the spool. */
export function removeQuarantined(dir: string, id: string): void {
  if (!ID.test(id)) return;
  rmSync(join(dir, `${id}.spool`), { force: true });
  rmSync(join(dir, `${id}.json`), { force: true });
}

function quarantineIds(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // No quarantine folder yet: nothing was ever quarantined.
  }
  return names
    .filter((name) => name.endsWith('.spool') && ID.test(name.slice(0, -6)))
    .map((name) => name.slice(0, -6))
    .sort();
}

function readReason(dir: string, id: string): QuarantineReason {
  const file = join(dir, `${id}.json`);
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<QuarantineReason>;
    return {
      records: typeof parsed.records === 'number' ? parsed.records : null,
      attempts: typeof parsed.attempts === 'number' ? parsed.attempts : 0,
      error: typeof parsed.error === 'string' ? parsed.error : 'unknown',
      quarantinedAtMs: typeof parsed.quarantinedAtMs === 'number' ? parsed.quarantinedAtMs : statSync(file).mtimeMs,
    };
  } catch {
    // A crash between the two files leaves the entry without its reason; the entry is what counts.
    return { records: null, attempts: 0, error: 'unknown (the reason file is missing)', quarantinedAtMs: 0 };
  }
}

function writeDurably(file: string, buffers: Buffer[]): void {
  const temporary = `${file}.tmp`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      for (const buffer of buffers) {
        let written = 0;
        while (written < buffer.length) written += writeSync(fd, buffer, written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    // A full disk must not leave half-written files behind.
    rmSync(temporary, { force: true });
    throw error;
  }
}

function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What replaying the quarantine did. */
export interface QuarantineReplay {
  /** Entries handed to ingest again (and removed from the quarantine). */
  replayed: string[];
  /** Records they held. */
  records: number;
  /** Entries left where they were, with why (they do not decode, or ingest refused them). */
  failed: Array<{ id: string; error: string }>;
}

/**
 * Hands quarantined entries back to ingest, oldest first: `submit` spools an entry again (and
 * resolves once it is durable, or throws), after which its quarantine files are removed. `ids`
 * `null` takes every entry of `projectId`.
 */
export async function replayQuarantine(
  dir: string,
  projectId: string,
  ids: readonly string[] | null,
  submit: (entry: SpoolEntry) => Promise<number>,
): Promise<QuarantineReplay> {
  const result: QuarantineReplay = { replayed: [], records: 0, failed: [] };
  for (const id of ids ?? quarantineIds(dir)) {
    const entry = readQuarantined(dir, id);
    if (entry === null || entry.projectId !== projectId) {
      if (ids !== null) result.failed.push({ id, error: 'no quarantined entry has this id' });
      continue;
    }
    try {
      result.records += await submit(entry);
    } catch (error) {
      result.failed.push({ id, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    removeQuarantined(dir, id);
    result.replayed.push(id);
  }
  return result;
}

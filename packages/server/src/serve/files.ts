import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PriceTable } from '@spoor/model';
import { type MaskFile, maskFileOf } from '../ingest/masking.js';
import { priceTableFrom } from '../normalize/prices.js';

/** The files a server reads at start: the ones a user named, and its data directory's id. */

/** The JSON of a file the user named (`what`: "the price table"); the error names the file and what is wrong. */
async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

export async function readPriceTable(path: string): Promise<PriceTable> {
  return priceTableFrom(await readJsonFile(path, 'the price table'), path);
}

export async function readMaskFile(path: string): Promise<MaskFile> {
  return maskFileOf(await readJsonFile(path, 'the masking file'), `the masking file ${path}`);
}

/**
 * The id this data directory's server writes under (`server-id`, made on first start): with a
 * spool position it keys every batch, so several servers can share one store and each replay its
 * own spool.
 */
export async function serverIdOf(dataDir: string): Promise<string> {
  const file = join(dataDir, 'server-id');
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => '',
  );
  if (/^[\w.-]{1,64}$/.test(stored)) return stored;
  const id = `spoor-${randomBytes(6).toString('hex')}`;
  await writeFile(file, `${id}\n`);
  return id;
}

/** A file's size, 0 when it does not exist (a WAL between checkpoints). */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

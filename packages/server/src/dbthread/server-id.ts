import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

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

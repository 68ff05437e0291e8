import { statSync } from 'node:fs';
import { type SamplingFile, samplingFileOf } from '../sampling/policy.js';
import { readJsonFile } from '../user-file.js';

/** Tail sampling: the `--sampling` file, checked whole. */
export async function readSamplingFile(path: string): Promise<SamplingFile> {
  return samplingFileOf(await readJsonFile(path, 'the sampling file'), `the sampling file ${path}`);
}

/** A file's size, 0 when it does not exist (a WAL between checkpoints). */
export function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

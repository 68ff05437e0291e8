import { resolve } from 'node:path';
import { alertsFileFlag } from './alerting/file-flag.js';
import { maskFileFlag } from './ingest/file-flag.js';
import { pricesFileFlag } from './pricing/file-flag.js';
import { evaluatorsFileFlag } from './quality/file-flag.js';
import { samplingFileFlag } from './sampling/file-flag.js';

/**
 * A file a feature reads, named by a flag, as the feature declares it in its own folder: the
 * option, flag and variable `config.ts` and `cli/main.ts` read, and the key its absolute path
 * (or `null`) is given under in `ServeConfig`. A feature's part reads the file in its check.
 */
export interface DeclaredFile {
  /** Its key in `ServeOptions`: `prices`. */
  option: string;
  /** Its key in `ServeConfig`: `pricesFile`. */
  key: string;
  flag: string;
  env: string;
  /** The file's name in the help: `prices.json`. */
  example: string;
}

/** The files a server reads, in the order its help lists them: one line each. */
export const FILE_FLAGS = [pricesFileFlag, alertsFileFlag, evaluatorsFileFlag, maskFileFlag, samplingFileFlag] as const satisfies readonly DeclaredFile[];

type FileFlag = (typeof FILE_FLAGS)[number];
/** Each file's option (`prices`): its path as given. */
export type FileOptions = { [F in FileFlag as F['option']]?: string };
/** Each file's absolute path (`pricesFile`), or `null` when none is given. */
export type FileConfig = { [F in FileFlag as F['key']]: string | null };

/** Each file's absolute path from what `pick` gives for its option ('' for none). */
export function resolveFiles(pick: (option: FileFlag['option']) => string): FileConfig {
  return Object.fromEntries(FILE_FLAGS.map((file) => [file.key, pick(file.option) === '' ? null : resolve(pick(file.option))])) as FileConfig;
}

import type { PriceTable } from '@spoor/model';
import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import type { ServerState } from '../parts/server-state.js';
import type { Part } from '../parts/part.js';
import { readJsonFile } from '../user-file.js';
import { DecodeThread } from './decode-client.js';
import { type MaskFile, maskFileOf } from './masking.js';

/** The `--mask` file, checked whole (its patterns compiled): a bad one stops the start, naming what is wrong. */
export async function readMaskFile(path: string): Promise<MaskFile> {
  return maskFileOf(await readJsonFile(path, 'the masking file'), `the masking file ${path}`);
}

/** What the decode thread needs of the parts before it: the price table it prices spans with. */
export interface DecodeNeeds {
  config: Pick<ServeConfig, 'maskFile' | 'metricsMaxSeries'>;
  log: Logger;
  state: ServerState;
  prices: PriceTable | null;
}

/**
 * The decode thread: bodies decoded, masked (the `--mask` file's policies, checked before
 * anything starts), normalized and priced off the main thread; span metrics count there. It
 * starts before the database thread, which sends it the prices and policies it reads.
 */
export function decodePart(config: Pick<ServeConfig, 'maskFile'>): Part<DecodeNeeds, { decoder: DecodeThread; maskFile: MaskFile | null }, MaskFile | null> {
  return {
    name: 'decode',
    check: () => (config.maskFile === null ? null : readMaskFile(config.maskFile)),
    start: async (life, { config, log, state, prices }, maskFile) => {
      const decoder = await life.start(
        'the decode thread',
        () =>
          DecodeThread.start(
            prices,
            (error) => {
              log.fatal({ err: error }, 'the decode thread failed; acknowledged data is in the spool and is replayed on restart');
              state.fail(error, 'decode');
            },
            maskFile,
            config.metricsMaxSeries,
          ),
        (started) => started.close(),
      );
      return { decoder, maskFile };
    },
  };
}

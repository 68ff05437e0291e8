import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../test/support/chdb.js';
import { duckDbStores } from '../../test/support/duckdb.js';
import { HeldRead } from '../../test/support/held-read.js';
import { samplingBackendOf } from '../../test/support/sampling.js';
import type { Store } from '../store/store.js';
import { SamplingService } from './service.js';

/**
 * A round reads every policy from the store (another server sharing it may have changed one)
 * while this server's API changes them. A read that began before a change and answered after it
 * holds the store as it was: taken up whole, it put a policy deleted with a 204 back in force (the
 * next GET answered `source: api`), or took away one just set. Held here between its answer and
 * its use, so the order is forced, not hoped for.
 */
const duckdb = duckDbStores('sampling-reads');
const engine = chdbStores();
afterAll(async () => {
  await Promise.all([engine.cleanup(), duckdb.cleanup()]);
}, CHDB_CLEANUP_MS);

const stores: Array<[string, () => Promise<Store>]> = [
  ['DuckDB', () => duckdb.open()],
  ['ClickHouse (chdb)', () => engine.open()],
];

describe.each(stores)('the sampling policies in force on %s', (_name, open) => {
  let store: Store;
  let service: SamplingService;
  /** The round's read of the policies, held while a test changes them. */
  const held = new HeldRead();

  afterEach(async () => {
    await service.close();
    await store.close();
  });

  async function start(): Promise<void> {
    store = await open();
    const db = samplingBackendOf(store);
    service = await SamplingService.start({
      db: {
        ...db,
        sampling: {
          ...db.sampling,
          policies: held.wrap(() => db.sampling.policies()),
        },
      },
      serverId: 'server-1',
      traceQuietMs: 1000,
      file: null,
      projects: () => [],
      tickMs: 3_600_000,
    });
  }

  /** Runs a round whose read of the policies answers (as the store was) and then waits while `change` runs. */
  const roundAround = (change: () => Promise<unknown>): Promise<void> => held.around(() => service.runRound(), change);

  it('keeps a policy deleted while a round read the policies deleted, and one set meanwhile set', async () => {
    await start();
    for (let i = 0; i < 3; i++) {
      await service.put('shop', { rate: 0.25 });
      await roundAround(() => service.delete('shop'));
      expect(service.get('shop')).toMatchObject({ source: 'none', policy: null });

      await roundAround(() => service.put('shop', { rate: 0.5 }));
      expect(service.get('shop')).toMatchObject({ source: 'api', policy: { rate: 0.5 } });

      await roundAround(() => service.put('shop', { rate: 0.75 }));
      expect(service.get('shop')).toMatchObject({ source: 'api', policy: { rate: 0.75 } });
      await service.delete('shop');
    }
    // The next round, begun after the changes, reads them from the store.
    await service.put('shop', { rate: 0.1 });
    await service.runRound();
    expect(service.get('shop')).toMatchObject({ source: 'api', policy: { rate: 0.1 } });
  });
});

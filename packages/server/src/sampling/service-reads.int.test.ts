import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../test/support/chdb.js';
import { duckDbStores } from '../../test/support/duckdb.js';
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
  /** Set while a test holds the round's read of the policies: resolved once the store has answered it. */
  let held: { answered: () => void; release: Promise<void> } | null = null;

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
          policies: async () => {
            const read = await db.sampling.policies();
            const hold = held;
            if (hold !== null) {
              hold.answered();
              await hold.release;
            }
            return read;
          },
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
  async function roundAround(change: () => Promise<unknown>): Promise<void> {
    let answered!: () => void;
    let release!: () => void;
    const readAnswered = new Promise<void>((resolve) => (answered = resolve));
    held = { answered, release: new Promise<void>((resolve) => (release = resolve)) };
    const round = service.runRound();
    await readAnswered;
    held = null;
    try {
      await change();
    } finally {
      release();
      await round;
    }
  }

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

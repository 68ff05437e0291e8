import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../../test/support/chdb.js';
import { duckDbStores } from '../../test/support/duckdb.js';
import { HeldRead } from '../../test/support/held-read.js';
import type { AlertStore, Store } from '../store/store.js';
import { AlertService } from './alert-service.js';
import { alertBackendIn } from './data-service.js';
import { AlertEngine } from './engine.js';

/**
 * Each interval the engine reads the project's rules and receivers from the store (another server
 * sharing it may have changed them) while this server's API changes them. A read that began
 * before a change and answered after it holds the store as it was: taken up whole, it put a rule
 * deleted with a 204 back, took away one just made, or put its old spec back. Held here between
 * its answer and its use, so the order is forced.
 */
const duckdb = duckDbStores('rule-reads');
const engine = chdbStores();
afterAll(async () => {
  await Promise.all([engine.cleanup(), duckdb.cleanup()]);
}, CHDB_CLEANUP_MS);

const stores: Array<[string, () => Promise<Store>]> = [
  ['DuckDB', () => duckdb.open()],
  ['ClickHouse (chdb)', () => engine.open()],
];

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe.each(stores)('alert rules and receivers in force on %s', (_name, open) => {
  let store: Store;
  let service: AlertService;
  /** The interval's read of the rules, held while a test changes them. */
  const held = new HeldRead();

  afterEach(async () => {
    await service.close();
    await store.close();
  });

  async function start(): Promise<void> {
    store = await open();
    const alerts = store.alerts;
    const heldAlerts: AlertStore = Object.assign(Object.create(alerts) as AlertStore, {
      listRules: held.wrap((projectId: string) => alerts.listRules(projectId)),
    });
    const engineOfStore = await AlertEngine.open({
      projectId: 'default',
      ...alertBackendIn(Object.assign(Object.create(store) as Store, { alerts: heldAlerts }), 'default'),
      logger: quiet,
      externalUrl: () => 'http://spoor.test',
    });
    service = await AlertService.start({
      engine: engineOfStore,
      rulesFile: null,
      intervalMs: 3_600_000,
      evaluates: false,
      nowUs: () => Date.now() * 1000,
      onError: () => {},
      onInfo: () => {},
    });
  }

  /** Runs an interval whose read of the rules answers (as the store was) and then waits while `change` runs. */
  const intervalAround = (change: () => Promise<unknown>): Promise<void> => held.around(() => service.evaluate(), change);

  const ruleSpec = (name: string) => service.rules().rules.find((r) => r.spec.name === name)?.spec.expr;
  const receiverNamed = (name: string) => service.receivers().receivers.find((r) => r.name === name && r.source === 'api');

  it('keeps a rule deleted while an interval read the rules deleted, one made meanwhile made, and one changed changed', async () => {
    await start();
    await service.saveRule({ name: 'slow', expr: 'count(spans)[5m] > 1' }, 'put', null);
    await intervalAround(() => service.deleteRule('slow'));
    expect(ruleSpec('slow')).toBeUndefined();

    await intervalAround(() => service.saveRule({ name: 'slow', expr: 'count(spans)[5m] > 2' }, 'create', null));
    expect(ruleSpec('slow')).toBe('count(spans)[5m] > 2');

    await intervalAround(() => service.saveRule({ name: 'slow', expr: 'count(spans)[5m] > 3' }, 'put', null));
    expect(ruleSpec('slow')).toBe('count(spans)[5m] > 3');

    // The next interval, begun after the changes, reads them from the store.
    await service.evaluate();
    expect(ruleSpec('slow')).toBe('count(spans)[5m] > 3');
  });

  it('keeps a receiver deleted while an interval read the rules deleted, and one made meanwhile made', async () => {
    await start();
    await service.saveReceiver({ log: { level: 'warn' } }, 'put', 'pager');
    await intervalAround(() => service.deleteReceiver('pager'));
    expect(receiverNamed('pager')).toBeUndefined();

    await intervalAround(() => service.saveReceiver({ log: { level: 'error' } }, 'create', 'pager'));
    expect(receiverNamed('pager')).toMatchObject({ level: 'error' });

    await service.evaluate();
    expect(receiverNamed('pager')).toMatchObject({ level: 'error' });
  });
});

import { afterAll } from 'vitest';
import { CHDB_CLEANUP_MS, chdbStores } from '../support/chdb.js';
import { describeReadContracts, reopenableSubject } from './every-contract.js';
import { describeWriteContract } from './store-contract-write.js';

/** Every store contract, against the ClickHouse engine embedded by `chdb` (ClickHouse 26). */
const engine = chdbStores();
afterAll(() => engine.cleanup(), CHDB_CLEANUP_MS);

describeReadContracts('ClickHouse (chdb)', () => engine.open());

let writeDatabases = 0;
describeWriteContract('ClickHouse (chdb)', () => {
  const database = `spoor_write_${process.pid}_${++writeDatabases}`;
  return reopenableSubject(() => engine.open({ database }));
});

import { FakeStore } from '../support/fake-store.js';
import { describeReadContracts } from './every-contract.js';

/** Every read contract suite against the in-memory fake: the port's contract is not DuckDB's SQL. */
describeReadContracts('in-memory fake', async () => new FakeStore());

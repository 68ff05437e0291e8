import { describeStoreContract } from '../../src/store/store-contract.js';
import { describeAccessContract } from '../../src/store/store-contract-access.js';
import { describeAlertSeriesContract } from '../../src/store/store-contract-alert-series.js';
import { describeAlertStoreContract } from '../../src/store/store-contract-alerts.js';
import { describeAnalyticsContract } from '../../src/store/store-contract-analytics.js';
import { describeExactRecordsContract } from '../../src/store/store-contract-exact.js';
import { FakeStore } from './fake-store.js';

/** Every read contract suite against the in-memory fake: the port's contract is not DuckDB's SQL. */
const open = async (): Promise<FakeStore> => new FakeStore();

describeStoreContract('in-memory fake', open);
describeAnalyticsContract('in-memory fake', open);
describeAlertStoreContract('in-memory fake', open);
describeAlertSeriesContract('in-memory fake', open);
describeAccessContract('in-memory fake', open);
describeExactRecordsContract('in-memory fake', open);

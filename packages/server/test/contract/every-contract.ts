import type { Store } from '../../src/store/store.js';
import { logQuery, query } from '../support/record-fixtures.js';
import { describeStoreContract } from './store-contract.js';
import { describeLogMetricContract } from './store-contract-logs-metrics.js';
import { describeRepricingContract } from './store-contract-repricing.js';
import { describeAccessContract } from './store-contract-access.js';
import { describeAlertSeriesContract } from './store-contract-alert-series.js';
import { describeAlertWindowsContract } from './store-contract-alert-windows.js';
import { describeAlertStoreContract } from './store-contract-alerts.js';
import { describeAnalyticsContract } from './store-contract-analytics.js';
import { describeExactRecordsContract } from './store-contract-exact.js';
import { describeScoreReadsContract } from './store-contract-score-reads.js';
import { describeScoreSeriesContract, describeScoreStatsContract } from './store-contract-score-stats.js';
import { describeScoreContract } from './store-contract-scores.js';
import { describeEvaluatorContract } from './store-contract-evaluators.js';
import { describeDatasetContract } from './store-contract-datasets.js';
import { describeExperimentContract } from './store-contract-experiments.js';
import { describeLiveContract } from './store-contract-live.js';
import { describeTracePagesContract } from './store-contract-trace-pages.js';
import { describeTraceListContract } from './store-contract-trace-list.js';
import { describeRunningSpanContract } from './store-contract-running-spans.js';
import { describeTraceAnswerContract } from './store-contract-trace-answer.js';
import type { WriteContractSubject } from './store-contract-write.js';
import { describeTreePageContract } from './store-contract-tree-pages.js';
import { describeExportContract } from './store-contract-export.js';
import { describeFlowContract } from './store-contract-flows.js';
import { describeSamplingContract } from './store-contract-sampling.js';
import { describeSameRowContract } from './store-contract-same-row.js';
import { describeQueueContract } from './store-contract-queues.js';
import { describePromptContract } from './store-contract-prompts.js';
import { describeDashboardContract } from './store-contract-dashboards.js';

/** Every read contract suite against one kind of store, each test on a store `open` makes anew. */
export function describeReadContracts(adapter: string, open: () => Promise<Store>): void {
  describeStoreContract(adapter, open);
  describeLogMetricContract(adapter, open);
  describeRepricingContract(adapter, open);
  describeTraceListContract(adapter, open);
  describeAnalyticsContract(adapter, open);
  describeAlertStoreContract(adapter, open);
  describeAlertSeriesContract(adapter, open);
  describeAlertWindowsContract(adapter, open);
  describeAccessContract(adapter, open);
  describeExactRecordsContract(adapter, open);
  describeScoreContract(adapter, open);
  describeEvaluatorContract(adapter, open);
  describeScoreReadsContract(adapter, open);
  describeScoreStatsContract(adapter, open);
  describeScoreSeriesContract(adapter, open);
  describeDatasetContract(adapter, open);
  describeExperimentContract(adapter, open);
  describeLiveContract(adapter, open);
  describeTracePagesContract(adapter, open);
  describeRunningSpanContract(adapter, open);
  describeTreePageContract(adapter, open);
  describeTraceAnswerContract(adapter, open);
  // Export.
  describeExportContract(adapter, open);
  describeFlowContract(adapter, open);
  // Tail sampling.
  describeSamplingContract(adapter, open);
  describeSameRowContract(adapter, open);
  // Review queues.
  describeQueueContract(adapter, open);
  // Prompts.
  describePromptContract(adapter, open);
  describeDashboardContract(adapter, open);
}

/**
 * The write contract's view of a store that keeps its data where `open` finds it again (a file, a
 * database): the store's own reads, and a restart as closing it and calling `open` again.
 */
export async function reopenableSubject(open: () => Promise<Store>): Promise<WriteContractSubject> {
  const store = await open();
  return {
    writer: store.writer,
    spanIds: async (traceId) => (await store.traces.getTrace('default', traceId))?.spans.map((s) => s.spanId) ?? [],
    summarySpanCount: async (traceId) => (await store.traces.listTraces(query(), null, 100)).find((t) => t.traceId === traceId)?.spanCount ?? 0,
    logIds: async () => (await store.logs.listLogs(logQuery(), null, 100)).map((l) => l.logId),
    reopen: async () => {
      await store.close();
      return reopenableSubject(open);
    },
    close: () => store.close(),
  };
}

import type { ExperimentRecord, ExperimentResultRecord } from '../ports/experiments.js';
import { SqlExperimentStore } from '../sql/experiment-store.js';
import { experimentRow, resultRow } from '../sql/experiments.js';
import type { DuckDbSql } from './dialect.js';

const EXPERIMENT_TYPES = `'[{"experiment_id":"VARCHAR","name":"VARCHAR","dataset":"VARCHAR","dataset_version":"BIGINT","target":"VARCHAR","evaluators":"VARCHAR",
  "metadata":"VARCHAR","state":"VARCHAR","error":"VARCHAR","item_count":"BIGINT","created_us":"BIGINT","time_us":"BIGINT","finished_us":"BIGINT","deleted":"BOOLEAN"}]'`;
const RESULT_TYPES = `'[{"experiment_id":"VARCHAR","item_id":"VARCHAR","trace_id":"VARCHAR","span_id":"VARCHAR","output":"VARCHAR","error":"VARCHAR",
  "latency_ms":"DOUBLE","input_tokens":"BIGINT","output_tokens":"BIGINT","cost_usd":"DOUBLE","time_us":"BIGINT","unpriced_calls":"BIGINT"}]'`;

/** Experiments and their results in two tables, each write one statement per table, its rows as one JSON array. */
export class DuckDbExperimentStore extends SqlExperimentStore {
  constructor(private readonly duckdb: DuckDbSql) {
    super(duckdb);
  }

  async appendRows(projectId: string, experiments: readonly ExperimentRecord[], results: readonly ExperimentResultRecord[]): Promise<void> {
    await this.duckdb.on('save an experiment', async (c) => {
      if (results.length > 0) {
        await c.run(
          `INSERT INTO experiment_results
           SELECT $1, r.experiment_id, r.item_id, r.trace_id, r.span_id, r.output, r.error, r.latency_ms, r.input_tokens, r.output_tokens, r.cost_usd, r.time_us, r.unpriced_calls
           FROM (SELECT unnest(from_json($2::JSON, ${RESULT_TYPES}), recursive := true)) r`,
          [projectId, JSON.stringify(results.map(resultRow))],
        );
      }
      if (experiments.length > 0) {
        await c.run(
          `INSERT INTO experiments
           SELECT $1, r.experiment_id, r.name, r.dataset, r.dataset_version, r.target, r.evaluators, r.metadata, r.state, r.error, r.item_count,
             r.created_us, r.time_us, r.finished_us, r.deleted
           FROM (SELECT unnest(from_json($2::JSON, ${EXPERIMENT_TYPES}), recursive := true)) r`,
          [projectId, JSON.stringify(experiments.map(experimentRow))],
        );
      }
    });
  }
}

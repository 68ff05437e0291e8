import type { ExperimentRecord, ExperimentResultRecord, ExperimentResultTotals, ExperimentStore } from '../ports/experiments.js';
import type { SqlEngine } from './dialect.js';
import * as sql from './experiments.js';

/** The experiment port over the queries written once: an engine gives only how rows are appended. */
export abstract class SqlExperimentStore implements ExperimentStore {
  constructor(protected readonly sql: SqlEngine) {}

  abstract appendRows(projectId: string, experiments: readonly ExperimentRecord[], results: readonly ExperimentResultRecord[]): Promise<void>;

  putExperiment(projectId: string, record: ExperimentRecord): Promise<void> {
    return this.appendRows(projectId, [record], []);
  }

  getExperiment(projectId: string, experimentId: string): Promise<ExperimentRecord | null> {
    return sql.getExperiment(this.sql, projectId, experimentId);
  }

  latestByName(projectId: string, name: string): Promise<ExperimentRecord | null> {
    return sql.latestByName(this.sql, projectId, name);
  }

  listExperiments(projectId: string, dataset: string | null, limit: number): Promise<ExperimentRecord[]> {
    return sql.listExperiments(this.sql, projectId, dataset, limit);
  }

  addResults(projectId: string, results: readonly ExperimentResultRecord[]): Promise<void> {
    return this.appendRows(projectId, [], results);
  }

  listResults(projectId: string, experimentId: string, afterItemId: string | null, limit: number): Promise<ExperimentResultRecord[]> {
    return sql.listResults(this.sql, projectId, experimentId, afterItemId, limit);
  }

  resultTotals(projectId: string, experimentIds: readonly string[]): Promise<ExperimentResultTotals[]> {
    return sql.resultTotals(this.sql, projectId, experimentIds);
  }

  allRows(projectId: string): Promise<{ experiments: ExperimentRecord[]; results: ExperimentResultRecord[] }> {
    return sql.allRows(this.sql, projectId);
  }
}

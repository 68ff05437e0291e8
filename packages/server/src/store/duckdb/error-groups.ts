import type { DuckDBConnection } from '@duckdb/node-api';
import type { ErrorGroupStatus } from '@spoor/model';

/** Records what a user decided about an error group, replacing what was decided before. */
export async function upsertErrorGroupStatus(
  connection: DuckDBConnection,
  projectId: string,
  fingerprint: string,
  status: ErrorGroupStatus,
  nowUs: number,
): Promise<void> {
  await connection.run(
    `INSERT INTO error_group_states VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (project_id, fingerprint) DO UPDATE SET status = excluded.status, updated_us = excluded.updated_us, resolved_us = excluded.resolved_us`,
    [projectId, fingerprint, status, nowUs, status === 'resolved' ? nowUs : null],
  );
}

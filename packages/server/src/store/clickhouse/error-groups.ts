import type { ErrorGroupStatus } from '@spoor/model';
import type { ChClient } from './client.js';

/** The last version written; versions rise within a process even when the clock does not. */
let lastVersion = 0;

/**
 * A new row with a higher version replaces the group's state (`ReplacingMergeTree(version)`).
 * The version comes from this process's clock, not from `nowUs`, so the last decision written
 * wins even when a caller's `nowUs` is older than a stored one.
 */
export async function setErrorGroupStatus(ch: ChClient, projectId: string, fingerprint: string, status: ErrorGroupStatus, nowUs: number): Promise<void> {
  lastVersion = Math.max(Date.now() * 1000, lastVersion + 1);
  await ch.insertRows('set an error group status', ch.tables.error_group_states, [
    { project_id: projectId, fingerprint, status, updated_us: nowUs, resolved_us: status === 'resolved' ? nowUs : null, version: lastVersion },
  ]);
}

import type { DuckDBConnection } from '@duckdb/node-api';
import type { AlertHistoryRecord, AlertRuleRecord, AlertStore, SilenceRecord } from '../store.js';
import { num, numOrNull, columnsOf } from './read.js';
import { inTransaction } from './transaction.js';

/** Runs `fn` on a connection of its own, naming what failed in the error. */
export type OnConnection = <T>(what: string, fn: (connection: DuckDBConnection) => Promise<T>) => Promise<T>;

/**
 * Alert rules, the engine's state, its history and silences, in their own small tables. `lane`
 * gives each table's writes, one at a time (`WriteLanes`): two upserts of one rule at once conflict in DuckDB.
 */
export class DuckDbAlertStore implements AlertStore {
  constructor(
    private readonly on: OnConnection,
    private readonly lane: (table: 'alert_rules' | 'alert_state' | 'silences') => OnConnection = () => on,
  ) {}

  listRules(projectId: string): Promise<AlertRuleRecord[]> {
    return this.on('list alert rules', (c) => selectAlertRules(c, projectId));
  }

  putRule(projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'> {
    return this.lane('alert_rules')('save an alert rule', (c) => upsertAlertRule(c, projectId, name, spec, nowUs));
  }

  deleteRule(projectId: string, name: string): Promise<boolean> {
    return this.lane('alert_rules')('delete an alert rule', (c) => removeAlertRule(c, projectId, name));
  }

  seedRules(projectId: string, rules: ReadonlyArray<Pick<AlertRuleRecord, 'name' | 'spec'>>, nowUs: number): Promise<boolean> {
    return this.lane('alert_rules')('seed the default alert rules', (c) => seedAlertRules(c, projectId, rules, nowUs));
  }

  rulesSeeded(projectId: string): Promise<boolean> {
    return this.on('read whether the default alert rules were seeded', async (c) => {
      const found = await columnsOf(c, 'SELECT 1 AS seeded FROM alert_rule_seeds WHERE project_id = $1', [projectId]);
      return (found.seeded?.length ?? 0) > 0;
    });
  }

  readState(projectId: string): Promise<string | null> {
    return this.on('read the alert state', (c) => selectAlertState(c, projectId));
  }

  saveState(projectId: string, state: string, history: readonly AlertHistoryRecord[], nowUs: number): Promise<void> {
    return this.lane('alert_state')('save the alert state', (c) => writeAlertState(c, projectId, state, history, nowUs));
  }

  listHistory(
    projectId: string,
    range: { fromUs: number | null; toUs: number | null },
    rule: string | null,
    offset: number,
    limit: number,
  ): Promise<AlertHistoryRecord[]> {
    return this.on('list the alert history', (c) => selectAlertHistory(c, projectId, range, rule, offset, limit));
  }

  listSilences(projectId: string, endedAfterUs: number): Promise<SilenceRecord[]> {
    return this.on('list silences', (c) => selectSilences(c, projectId, endedAfterUs));
  }

  putSilence(projectId: string, silence: SilenceRecord): Promise<void> {
    return this.lane('silences')('save a silence', (c) => upsertSilence(c, projectId, silence));
  }
}

async function selectAlertRules(connection: DuckDBConnection, projectId: string): Promise<AlertRuleRecord[]> {
  const c = await columnsOf(connection, 'SELECT name, spec, created_us, updated_us FROM alert_rules WHERE project_id = $1 ORDER BY name', [projectId]);
  return (c.name ?? []).map((name, i) => ({
    name: name as string,
    spec: c.spec![i] as string,
    createdUs: num(c.created_us![i]),
    updatedUs: num(c.updated_us![i]),
  }));
}

/**
 * Whether the rule was there is read before the upsert, in its transaction: two writes in one
 * millisecond have one `nowUs`, so the stored `created_us` cannot tell them apart.
 */
async function upsertAlertRule(connection: DuckDBConnection, projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'> {
  return inTransaction(connection, async () => {
    const found = await columnsOf(connection, 'SELECT 1 AS found FROM alert_rules WHERE project_id = $1 AND name = $2', [projectId, name]);
    await connection.run(
      `INSERT INTO alert_rules VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (project_id, name) DO UPDATE SET spec = excluded.spec, updated_us = excluded.updated_us`,
      [projectId, name, spec, nowUs],
    );
    return (found.found?.length ?? 0) > 0 ? 'updated' : 'created';
  });
}

async function removeAlertRule(connection: DuckDBConnection, projectId: string, name: string): Promise<boolean> {
  const result = await connection.run('DELETE FROM alert_rules WHERE project_id = $1 AND name = $2', [projectId, name]);
  return Number(result.rowsChanged) > 0;
}

/**
 * The seed record and the rules in one transaction: a project is seeded with its rules or not at
 * all. One file has one writer process, so the record decides at once, with no settling.
 */
async function seedAlertRules(
  connection: DuckDBConnection,
  projectId: string,
  rules: ReadonlyArray<Pick<AlertRuleRecord, 'name' | 'spec'>>,
  nowUs: number,
): Promise<boolean> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const marked = await columnsOf(connection, 'INSERT INTO alert_rule_seeds VALUES ($1, $2) ON CONFLICT (project_id) DO NOTHING RETURNING project_id', [
      projectId,
      nowUs,
    ]);
    if ((marked.project_id?.length ?? 0) === 0) {
      await connection.run('ROLLBACK');
      return false;
    }
    if (rules.length > 0) {
      await connection.run(
        `INSERT INTO alert_rules
         SELECT $1, r.name, r.spec, $2, $2 FROM (SELECT unnest(from_json($3::JSON, '[{"name":"VARCHAR","spec":"VARCHAR"}]'), recursive := true)) r
         ON CONFLICT (project_id, name) DO NOTHING`,
        [projectId, nowUs, JSON.stringify(rules.map(({ name, spec }) => ({ name, spec })))],
      );
    }
    await connection.run('COMMIT');
    return true;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    // Another connection seeded the project at the same moment (DuckDB's write-write conflict): it seeded.
    if (/conflict/i.test((error as Error).message)) return false;
    throw error;
  }
}

async function selectAlertState(connection: DuckDBConnection, projectId: string): Promise<string | null> {
  const c = await columnsOf(connection, 'SELECT state FROM alert_state WHERE project_id = $1', [projectId]);
  return (c.state?.[0] as string | undefined) ?? null;
}

/** Replaces the engine's state and appends the evaluation's history, together or not at all. */
async function writeAlertState(
  connection: DuckDBConnection,
  projectId: string,
  state: string,
  history: readonly AlertHistoryRecord[],
  nowUs: number,
): Promise<void> {
  await inTransaction(connection, async () => {
    await connection.run(
      `INSERT INTO alert_state VALUES ($1, $2, $3)
       ON CONFLICT (project_id) DO UPDATE SET state = excluded.state, updated_us = excluded.updated_us`,
      [projectId, state, nowUs],
    );
    if (history.length > 0) {
      // One statement for the whole evaluation's history, its rows as one JSON array.
      await connection.run(
        `INSERT INTO alert_history
         SELECT $1, h.time_us, h.rule, h.labels, h.kind, h.severity, h.value, h.receiver, h.detail
         FROM (SELECT unnest(from_json($2::JSON, '[{"time_us":"BIGINT","rule":"VARCHAR","labels":"VARCHAR","kind":"VARCHAR",
           "severity":"VARCHAR","value":"DOUBLE","receiver":"VARCHAR","detail":"VARCHAR"}]'), recursive := true)) h`,
        [
          projectId,
          JSON.stringify(
            history.map((h) => ({
              time_us: h.timeUs,
              rule: h.rule,
              labels: JSON.stringify(h.labels),
              kind: h.kind,
              severity: h.severity,
              value: h.value,
              receiver: h.receiver,
              detail: h.detail,
            })),
          ),
        ],
      );
    }
  });
}

async function selectAlertHistory(
  connection: DuckDBConnection,
  projectId: string,
  range: { fromUs: number | null; toUs: number | null },
  rule: string | null,
  offset: number,
  limit: number,
): Promise<AlertHistoryRecord[]> {
  const c = await columnsOf(
    connection,
    `SELECT time_us, rule, labels, kind, severity, value, receiver, detail FROM alert_history
     WHERE project_id = $1 AND time_us >= coalesce($2::BIGINT, 0) AND time_us < coalesce($3::BIGINT, 9223372036854775807)
       AND ($4::VARCHAR IS NULL OR rule = $4)
     ORDER BY time_us DESC, rowid DESC LIMIT $5 OFFSET $6`,
    [projectId, range.fromUs, range.toUs, rule, limit, offset],
  );
  return (c.time_us ?? []).map((t, i) => ({
    timeUs: num(t),
    rule: c.rule![i] as string,
    labels: JSON.parse(c.labels![i] as string) as Record<string, string>,
    kind: c.kind![i] as AlertHistoryRecord['kind'],
    severity: c.severity![i] as AlertHistoryRecord['severity'],
    value: numOrNull(c.value![i]),
    receiver: (c.receiver![i] as string | null) ?? null,
    detail: (c.detail![i] as string | null) ?? null,
  }));
}

async function selectSilences(connection: DuckDBConnection, projectId: string, endedAfterUs: number): Promise<SilenceRecord[]> {
  const c = await columnsOf(
    connection,
    'SELECT id, matchers, starts_us, ends_us, created_by, comment FROM silences WHERE project_id = $1 AND ends_us > $2 ORDER BY starts_us, id',
    [projectId, endedAfterUs],
  );
  return (c.id ?? []).map((id, i) => ({
    id: id as string,
    matchers: JSON.parse(c.matchers![i] as string) as SilenceRecord['matchers'],
    startsUs: num(c.starts_us![i]),
    endsUs: num(c.ends_us![i]),
    createdBy: c.created_by![i] as string,
    comment: c.comment![i] as string,
  }));
}

async function upsertSilence(connection: DuckDBConnection, projectId: string, s: SilenceRecord): Promise<void> {
  await connection.run(
    `INSERT INTO silences VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (project_id, id) DO UPDATE SET matchers = excluded.matchers, starts_us = excluded.starts_us,
       ends_us = excluded.ends_us, created_by = excluded.created_by, comment = excluded.comment`,
    [projectId, s.id, JSON.stringify(s.matchers), s.startsUs, s.endsUs, s.createdBy, s.comment],
  );
}

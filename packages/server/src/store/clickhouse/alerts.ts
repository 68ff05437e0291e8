import type { TimeRange } from '@spoor/model';
import { type AlertHistoryRecord, type AlertRuleRecord, type AlertStore, type SilenceRecord, StoreError } from '../store.js';
import { ChParams, type ChClient } from './client.js';
import { nextVersion } from './small-tables.js';
import { timeFilters } from '../sql/filters.js';

/** The version of a seeded default rule: below any a change of the rule writes. */
const SEED_VERSION = 1;

interface RuleRow {
  name: string;
  spec: string;
  created_us: number;
  updated_us: number;
}

interface HistoryRow {
  time_us: number;
  rule: string;
  labels: string;
  kind: string;
  severity: string;
  value: number | null;
  receiver: string | null;
  detail: string | null;
}

interface SilenceRow {
  id: string;
  matchers: string;
  starts_us: number;
  ends_us: number;
  created_by: string;
  comment: string;
}

/**
 * Alert rules, the engine's state, its history and silences. Rules, the state and silences are
 * `ReplacingMergeTree` rows (a change is a new version, a deleted rule a `deleted = 1` version);
 * the history is append-only, ordered within one moment by `seq`, which rises with each write.
 */
export class ClickHouseAlertStore implements AlertStore {
  constructor(private readonly ch: ChClient) {}

  async listRules(projectId: string): Promise<AlertRuleRecord[]> {
    const rows = await this.ch.rows<RuleRow>(
      'list alert rules',
      `SELECT name, spec, created_us, updated_us FROM ${this.ch.tables.alert_rules} FINAL
       WHERE project_id = {project:String} AND deleted = 0 ORDER BY name`,
      { project: projectId },
    );
    return rows.map((r) => ({ name: r.name, spec: r.spec, createdUs: r.created_us, updatedUs: r.updated_us }));
  }

  async putRule(projectId: string, name: string, spec: string, nowUs: number): Promise<'created' | 'updated'> {
    const latest = await this.latestRule(projectId, name);
    const exists = latest !== null && latest.deleted === 0;
    await this.ch.insertRows('save an alert rule', this.ch.tables.alert_rules, [
      {
        project_id: projectId,
        name,
        spec,
        // A replaced rule keeps when it was made.
        created_us: exists ? latest.created_us : nowUs,
        updated_us: nowUs,
        version: nextVersion(latest?.version),
        deleted: 0,
      },
    ]);
    return exists ? 'updated' : 'created';
  }

  async deleteRule(projectId: string, name: string): Promise<boolean> {
    const latest = await this.latestRule(projectId, name);
    if (latest === null || latest.deleted !== 0) return false;
    await this.ch.insertRows('delete an alert rule', this.ch.tables.alert_rules, [
      { project_id: projectId, name, spec: '', created_us: latest.created_us, updated_us: latest.created_us, version: nextVersion(latest.version), deleted: 1 },
    ]);
    return true;
  }

  /**
   * The rules first, then the seed record: a stop between the two seeds again at the next start.
   * Seeded rows carry version 1, below every version a change writes (`nextVersion`: the clock
   * in µs), so seeding again, or two servers seeding at once, never brings back a rule deleted
   * or edited since: the newer row wins every read.
   */
  async seedRules(projectId: string, rules: ReadonlyArray<Pick<AlertRuleRecord, 'name' | 'spec'>>, nowUs: number): Promise<boolean> {
    if (await this.rulesSeeded(projectId)) return false;
    if (rules.length > 0) {
      await this.ch.insertRows(
        'seed the default alert rules',
        this.ch.tables.alert_rules,
        rules.map(({ name, spec }) => ({ project_id: projectId, name, spec, created_us: nowUs, updated_us: nowUs, version: SEED_VERSION, deleted: 0 })),
      );
    }
    await this.ch.insertRows('record the default alert rules seeded', this.ch.tables.alert_rule_seeds, [{ project_id: projectId, seeded_us: nowUs }]);
    return true;
  }

  async rulesSeeded(projectId: string): Promise<boolean> {
    const row = await this.ch.row<{ n: number }>(
      'read whether the default alert rules were seeded',
      `SELECT count() AS n FROM ${this.ch.tables.alert_rule_seeds} WHERE project_id = {project:String}`,
      { project: projectId },
    );
    return (row?.n ?? 0) > 0;
  }

  async readState(projectId: string): Promise<string | null> {
    const row = await this.ch.row<{ state: string }>(
      'read the alert state',
      `SELECT state FROM ${this.ch.tables.alert_state} FINAL WHERE project_id = {project:String}`,
      {
        project: projectId,
      },
    );
    return row?.state ?? null;
  }

  /**
   * DuckDB replaces the state and appends the history in one transaction; ClickHouse has none
   * across tables. Each is one insert here (one insert of a few rows is all or nothing), the
   * history first: a crash (or a failed insert) between the two leaves the history appended and
   * the state of the evaluation before. The engine then evaluates again from that older state and
   * may record the same transitions, and send the same notifications, once more: a repeated
   * notification rather than a lost one. A history that cannot be written (a time that is not an
   * integer) is refused before anything is written, as DuckDB's rollback refuses it.
   */
  async saveState(projectId: string, state: string, history: readonly AlertHistoryRecord[], nowUs: number): Promise<void> {
    for (const h of history) {
      if (!Number.isSafeInteger(h.timeUs))
        throw new StoreError(`cannot save the alert history: time ${h.timeUs} of rule ${h.rule} is not a time in microseconds`);
    }
    if (history.length > 0) {
      const seq = nextVersion(0, history.length);
      await this.ch.insertRows(
        'append to the alert history',
        this.ch.tables.alert_history,
        history.map((h, i) => ({
          project_id: projectId,
          time_us: h.timeUs,
          rule: h.rule,
          labels: JSON.stringify(h.labels),
          kind: h.kind,
          severity: h.severity,
          value: h.value,
          receiver: h.receiver,
          detail: h.detail,
          seq: seq + i,
        })),
      );
    }
    await this.ch.insertRows('save the alert state', this.ch.tables.alert_state, [{ project_id: projectId, state, updated_us: nowUs, version: nextVersion() }]);
  }

  async listHistory(projectId: string, range: TimeRange, rule: string | null, offset: number, limit: number): Promise<AlertHistoryRecord[]> {
    const p = new ChParams();
    const where = [`project_id = ${p.add(projectId)}`, ...timeFilters(p, 'time_us', range)];
    if (rule !== null) where.push(`rule = ${p.add(rule)}`);
    const rows = await this.ch.rows<HistoryRow>(
      'list the alert history',
      // Of one moment, the last written first (DuckDB: by rowid).
      `SELECT time_us, rule, labels, kind, severity, value, receiver, detail FROM ${this.ch.tables.alert_history}
       WHERE ${where.join(' AND ')} ORDER BY time_us DESC, seq DESC LIMIT ${p.add(limit, 'UInt64')} OFFSET ${p.add(offset, 'UInt64')}`,
      p,
    );
    return rows.map((r) => ({
      timeUs: r.time_us,
      rule: r.rule,
      labels: JSON.parse(r.labels) as Record<string, string>,
      kind: r.kind as AlertHistoryRecord['kind'],
      severity: r.severity as AlertHistoryRecord['severity'],
      value: r.value,
      receiver: r.receiver,
      detail: r.detail,
    }));
  }

  async listSilences(projectId: string, endedAfterUs: number): Promise<SilenceRecord[]> {
    // FINAL before the filter on `ends_us`: a silence expired by a later version is not listed.
    const rows = await this.ch.rows<SilenceRow>(
      'list silences',
      `SELECT id, matchers, starts_us, ends_us, created_by, comment FROM ${this.ch.tables.silences} FINAL
       WHERE project_id = {project:String} AND ends_us > {after:Int64} ORDER BY starts_us, id`,
      { project: projectId, after: endedAfterUs },
    );
    return rows.map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers) as SilenceRecord['matchers'],
      startsUs: r.starts_us,
      endsUs: r.ends_us,
      createdBy: r.created_by,
      comment: r.comment,
    }));
  }

  async putSilence(projectId: string, s: SilenceRecord): Promise<void> {
    await this.ch.insertRows('save a silence', this.ch.tables.silences, [
      {
        project_id: projectId,
        id: s.id,
        matchers: JSON.stringify(s.matchers),
        starts_us: s.startsUs,
        ends_us: s.endsUs,
        created_by: s.createdBy,
        comment: s.comment,
        version: nextVersion(),
      },
    ]);
  }

  /** A rule's newest version, deleted or not (a new version must be above a deletion's too). */
  private async latestRule(projectId: string, name: string): Promise<{ created_us: number; version: number; deleted: number } | null> {
    return this.ch.row(
      'read an alert rule',
      `SELECT created_us, version, deleted FROM ${this.ch.tables.alert_rules}
       WHERE project_id = {project:String} AND name = {name:String} ORDER BY version DESC LIMIT 1`,
      { project: projectId, name },
    );
  }
}

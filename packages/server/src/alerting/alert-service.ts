import { randomUUID } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  type Alert,
  type AlertHistoryResponse,
  type AlertListResponse,
  type AlertReceiver,
  type AlertReceiverListResponse,
  type AlertRule,
  type AlertRuleListResponse,
  type AlertState,
  type LabelMatcher,
  type Silence,
  type SilenceListResponse,
  type SilenceRequest,
  type TimeRange,
  isoFromMicros as iso,
  microsFromIso,
} from '@spoor/model';
import { parseDurationUs } from '../duration.js';
import { AppError } from '../errors.js';
import type { SilenceRecord } from '../store/store.js';
import { type AlertEngine, type RuleEntry, alertLabels } from './engine.js';
import { alertOf } from './notifications.js';
import { RuleError } from './rule.js';
import { readRulesFile } from './rules-file.js';
import { apiReceiverConfig, receiverView } from './notify/api-receivers.js';
import { RECEIVER_PREFIX } from './receivers-in-force.js';
import { compileRegex } from '../regex.js';
import { InTurn } from '../in-turn.js';

export interface AlertServiceOptions {
  engine: AlertEngine;
  /** The rules file, or `null`. */
  rulesFile: string | null;
  intervalMs: number;
  /**
   * Whether this server evaluates the rules (default true). With several servers on one store,
   * one evaluates (`--role alerting`); the others read the rules and alert states it keeps in the
   * store every interval, so every server answers the alerting API alike.
   */
  evaluates?: boolean;
  /** Epoch microseconds. */
  nowUs: () => number;
  /** How often the rules file is checked for changes. Default 1 s. */
  filePollMs?: number;
  onError: (message: string, data: Record<string, unknown>) => void;
  onInfo: (message: string, data: Record<string, unknown>) => void;
}

/**
 * Alerting as the server runs it: the engine evaluated every interval, the rules file read again
 * when it changes (a bad file is reported and the last good rules stay in force), and what the
 * API asks (rules, alerts, history, silences) in the API's shapes.
 */
export class AlertService {
  private timer: NodeJS.Timeout | null = null;
  private fileState: { error: string | null; loadedUs: number | null; text: string | null } = { error: null, loadedUs: null, text: null };
  private reloading: Promise<void> = Promise.resolve();
  /** Changes of one rule (or silence), one at a time: the check of its name and the write it decides stay together. */
  private readonly ruleChanges = new InTurn();

  private constructor(private readonly options: AlertServiceOptions) {}

  /** Reads the rules file (a bad one fails the start: there are no last good rules yet) and starts evaluating. */
  static async start(options: AlertServiceOptions): Promise<AlertService> {
    const service = new AlertService(options);
    if (options.rulesFile !== null) {
      await service.loadRulesFile(true);
      const path = options.rulesFile;
      watchFile(path, { interval: options.filePollMs ?? 1000, persistent: false }, () => {
        service.reloading = service.reloading.then(() => service.loadRulesFile(false));
      });
    }
    service.schedule();
    return service;
  }

  get engine(): AlertEngine {
    return this.options.engine;
  }

  /** Stops evaluating and watching, then lets the engine deliver what it queued. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.options.rulesFile !== null) unwatchFile(this.options.rulesFile);
    await this.reloading;
    await this.engine.close(5_000);
  }

  /**
   * Evaluates now (the timer does this every interval), with the API's rules as the store has
   * them; a server that does not evaluate reads the rules and alert states instead.
   */
  async evaluate(): Promise<void> {
    await this.engine.readRulesFromStore();
    if (this.options.evaluates === false) await this.engine.readStateFromStore();
    else await this.engine.evaluate(this.options.nowUs());
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.evaluate()
        .catch((error: unknown) => this.options.onError('alert evaluation failed; it runs again next interval', { err: String(error) }))
        .finally(() => {
          if (this.timer !== null) this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async loadRulesFile(initial: boolean): Promise<void> {
    const path = this.options.rulesFile!;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      // Forgotten, so that the file coming back as it was is read again and clears the error.
      this.fileState = { ...this.fileState, text: null };
      return this.rulesFileFailed(initial, `cannot read ${path}: ${(error as Error).message}`);
    }
    if (text === this.fileState.text) return;
    try {
      const file = readRulesFile(text, path);
      this.engine.useRulesFile(file, this.options.nowUs());
      this.fileState = { error: null, loadedUs: this.options.nowUs(), text };
      this.options.onInfo('alert rules loaded', { path, rules: file.rules.length, receivers: file.receivers.map((r) => r.name) });
    } catch (error) {
      this.fileState = { ...this.fileState, text };
      this.rulesFileFailed(initial, (error as Error).message);
    }
  }

  private rulesFileFailed(initial: boolean, reason: string): void {
    if (initial) throw new Error(`the alert rules file cannot be used: ${reason}`);
    this.fileState = { ...this.fileState, error: reason };
    this.options.onError('the alert rules file cannot be used; the last good rules stay in force', { error: reason });
  }

  rules(): AlertRuleListResponse {
    const { rulesFile } = this.options;
    return {
      rules: this.engine.ruleEntries().map(ruleOf),
      file:
        rulesFile === null
          ? null
          : { path: rulesFile, error: this.fileState.error, loadedAt: this.fileState.loadedUs === null ? null : iso(this.fileState.loadedUs) },
      receivers: [...this.engine.receiverNames()].sort(),
      unrouted: this.engine.unroutedCount(),
    };
  }

  rule(name: string): AlertRule {
    const entry = this.engine.rule(name);
    if (entry === undefined) throw new AppError('ERR_NOT_FOUND', `no alert rule is named '${name}'`);
    return ruleOf(entry);
  }

  /** Creates (`mode: 'create'`, 409 when the name is taken) or creates-or-replaces an API rule. */
  async saveRule(body: unknown, mode: 'create' | 'put', pathName: string | null): Promise<{ rule: AlertRule; created: boolean }> {
    if (pathName !== null && typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const named = (body as { name?: unknown }).name;
      if (named !== undefined && named !== pathName)
        throw new AppError('ERR_BAD_REQUEST', `the body names rule '${String(named)}' but the path names '${pathName}'`);
      body = { ...body, name: pathName };
    }
    let compiled;
    try {
      compiled = this.engine.compile(body);
    } catch (error) {
      if (error instanceof RuleError) throw new AppError('ERR_BAD_REQUEST', `invalid rule: ${error.message}`);
      throw error;
    }
    const rule = compiled;
    return this.ruleChanges.run(rule.name, async () => {
      const existing = this.engine.rule(rule.name);
      if (existing?.source === 'file') throw new AppError('ERR_CONFLICT', `rule '${rule.name}' comes from the rules file; change it there`);
      if (existing !== undefined && mode === 'create')
        throw new AppError('ERR_CONFLICT', `a rule named '${rule.name}' exists; PUT /api/alerts/rules/${rule.name} replaces it`);
      const nowUs = this.options.nowUs();
      const outcome = await this.engine.store.putRule(this.engine.projectId, rule.name, JSON.stringify(rule.spec), nowUs);
      this.engine.setApiRule(rule, existing?.createdUs ?? nowUs, nowUs);
      return { rule: this.rule(rule.name), created: outcome === 'created' };
    });
  }

  deleteRule(name: string): Promise<void> {
    // The store keeps receivers beside the rules under names no rule has: none of them is a rule.
    if (name.startsWith(RECEIVER_PREFIX)) return Promise.reject(new AppError('ERR_NOT_FOUND', `no alert rule is named '${name}'`));
    return this.ruleChanges.run(name, async () => {
      const existing = this.engine.rule(name);
      if (existing?.source === 'file') throw new AppError('ERR_CONFLICT', `rule '${name}' comes from the rules file; remove it there`);
      const deleted = await this.engine.store.deleteRule(this.engine.projectId, name);
      if (!deleted && existing === undefined) throw new AppError('ERR_NOT_FOUND', `no alert rule is named '${name}'`);
      this.engine.deleteApiRule(name);
    });
  }

  /** The receivers in force, the file's read-only (`source: file`), and where the file is. */
  receivers(): AlertReceiverListResponse {
    const { rulesFile } = this.options;
    return {
      receivers: this.engine.receiverEntries().map((entry) => this.receiverOf(entry.config.name, entry)),
      file: rulesFile === null ? null : { path: rulesFile, error: this.fileState.error },
    };
  }

  receiver(name: string): AlertReceiver {
    const entry =
      this.engine.receiverEntries().find((e) => e.config.name === name && e.inForce) ?? this.engine.receiverEntries().find((e) => e.config.name === name);
    if (entry === undefined) throw new AppError('ERR_NOT_FOUND', `no alert receiver is named '${name}'`);
    return this.receiverOf(name, entry);
  }

  private receiverOf(name: string, entry: ReturnType<AlertEngine['receiverEntries']>[number]): AlertReceiver {
    const usedBy = this.engine
      .ruleEntries()
      .filter((r) => r.rule !== null && Object.values(r.rule.receivers).some((list) => list.includes(name)))
      .map((r) => r.name);
    const time = (us: number | null): string | null => (us === null ? null : iso(us));
    const shown = { source: entry.source, inForce: entry.inForce, createdAt: time(entry.createdUs), updatedAt: time(entry.updatedUs) };
    return receiverView(entry.config, shown, [...new Set(usedBy)]);
  }

  /**
   * Creates (`mode: 'create'`, 409 when the name is taken) or creates-or-replaces a receiver of
   * the project, in force at once: the rules may name it from this answer on.
   */
  async saveReceiver(body: Record<string, unknown>, mode: 'create' | 'put', pathName: string | null): Promise<{ receiver: AlertReceiver; created: boolean }> {
    if (pathName !== null) {
      if (body.name !== undefined && body.name !== pathName)
        throw new AppError('ERR_BAD_REQUEST', `the body names receiver '${String(body.name)}' but the path names '${pathName}'`);
      body = { ...body, name: pathName };
    }
    let config;
    try {
      config = apiReceiverConfig(body, this.engine.ownUrl);
    } catch (error) {
      throw new AppError('ERR_BAD_REQUEST', `invalid receiver: ${(error as Error).message}`);
    }
    const receiver = config;
    return this.ruleChanges.run(`receiver ${receiver.name}`, async () => {
      if (this.engine.fileReceiver(receiver.name)) {
        throw new AppError(
          'ERR_CONFLICT',
          receiver.name === 'log'
            ? "'log' is Spoor's own log, which every project has; name the receiver otherwise"
            : `receiver '${receiver.name}' comes from the rules file; change it there`,
        );
      }
      const existing = this.engine.receiverEntries().find((e) => e.source === 'api' && e.config.name === receiver.name);
      if (existing !== undefined && mode === 'create')
        throw new AppError('ERR_CONFLICT', `a receiver named '${receiver.name}' exists; PUT /api/alerts/receivers/${receiver.name} replaces it`);
      const nowUs = this.options.nowUs();
      const { name: _name, ...spec } = receiver;
      const outcome = await this.engine.store.putRule(this.engine.projectId, RECEIVER_PREFIX + receiver.name, JSON.stringify(spec), nowUs);
      this.engine.setApiReceiver(receiver, existing?.createdUs ?? nowUs, nowUs);
      return { receiver: this.receiver(receiver.name), created: outcome === 'created' };
    });
  }

  /** Deletes a receiver made through the API; one that rules still name is kept (409 naming them). */
  deleteReceiver(name: string): Promise<void> {
    return this.ruleChanges.run(`receiver ${name}`, async () => {
      const existing = this.engine.receiverEntries().find((e) => e.source === 'api' && e.config.name === name);
      // One the file's hides can be deleted all the same: the file's stays.
      if (existing === undefined && this.engine.fileReceiver(name))
        throw new AppError('ERR_CONFLICT', `receiver '${name}' comes from the rules file; remove it there`);
      if (existing === undefined) throw new AppError('ERR_NOT_FOUND', `no alert receiver is named '${name}'`);
      const usedBy = existing.inForce ? this.receiverOf(name, existing).usedBy : [];
      if (usedBy.length > 0) {
        const rules = usedBy.map((r) => `'${r}'`).join(', ');
        throw new AppError('ERR_CONFLICT', `receiver '${name}' is named by rule ${rules}: change or delete those first`);
      }
      await this.engine.store.deleteRule(this.engine.projectId, RECEIVER_PREFIX + name);
      this.engine.deleteApiReceiver(name);
    });
  }

  /** Alerts in the given states (default pending and firing), firing first, then by rule. */
  alerts(states: readonly AlertState[]): AlertListResponse {
    const order: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };
    const alerts: Alert[] = [];
    for (const { entry, instance, silenced, inhibited } of this.engine.alerts()) {
      if (!states.includes(instance.state) || entry.rule === null) continue;
      alerts.push(alertOf(entry.rule, instance, alertLabels(entry.rule, instance), { silenced, inhibited }));
    }
    alerts.sort((a, b) => order[a.state] - order[b.state] || a.rule.localeCompare(b.rule) || JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
    return { alerts };
  }

  async history(range: TimeRange, rule: string | null, limit: number, cursor: string | null): Promise<AlertHistoryResponse> {
    // The route takes nothing but the decimal offset an answer gave (`offsetCursor`).
    const offset = cursor === null ? 0 : Number(cursor);
    const records = await this.engine.store.listHistory(this.engine.projectId, range, rule, offset, limit + 1);
    return {
      entries: records.slice(0, limit).map(({ timeUs, ...entry }) => ({ time: iso(timeUs), ...entry })),
      nextCursor: records.length > limit ? String(offset + limit) : null,
    };
  }

  async silences(includeExpired: boolean): Promise<SilenceListResponse> {
    const records = await this.engine.store.listSilences(this.engine.projectId, includeExpired ? 0 : this.options.nowUs());
    return { silences: records.map(silenceOf) };
  }

  /** Saves a silence; the alerts it matches show silenced as soon as this returns. */
  async createSilence(body: SilenceRequest): Promise<Silence> {
    const nowUs = this.options.nowUs();
    return this.saveSilence(silenceFrom(body, nowUs), nowUs);
  }

  /**
   * Ends a silence now, as Alertmanager does: it stays listed with `?expired=true` (until the
   * traces retention drops it), so who silenced what remains on record. A silence that had not
   * started ends before it starts.
   */
  expireSilence(id: string): Promise<Silence> {
    // One at a time: of several at once, one ends it and the others find it ended.
    return this.ruleChanges.run(`silence ${id}`, async () => {
      const { store, projectId } = this.engine;
      const nowUs = this.options.nowUs();
      const record = (await store.listSilences(projectId, 0)).find((s) => s.id === id);
      if (record === undefined) throw new AppError('ERR_NOT_FOUND', `no silence has id '${id}'`);
      if (record.endsUs <= nowUs) throw new AppError('ERR_CONFLICT', `silence '${id}' has already ended`);
      return this.saveSilence({ ...record, startsUs: Math.min(record.startsUs, nowUs), endsUs: nowUs }, nowUs);
    });
  }

  /** Saves `record` and has the alerts' silenced flags follow before answering. */
  private async saveSilence(record: SilenceRecord, nowUs: number): Promise<Silence> {
    await this.engine.store.putSilence(this.engine.projectId, record);
    await this.engine.silencesChanged(nowUs);
    return silenceOf(record);
  }
}

function ruleOf(entry: RuleEntry): AlertRule {
  return {
    spec: entry.spec,
    source: entry.source,
    createdAt: iso(entry.createdUs),
    updatedAt: iso(entry.updatedUs),
    health: {
      lastEvaluatedAt: entry.lastEvaluatedUs === null ? null : iso(entry.lastEvaluatedUs),
      durationMs: entry.lastDurationMs === null ? null : Math.round(entry.lastDurationMs * 100) / 100,
      error: entry.invalid === null ? entry.lastError : `invalid: ${entry.invalid}`,
    },
  };
}

function silenceOf(record: SilenceRecord): Silence {
  return {
    id: record.id,
    matchers: record.matchers,
    startsAt: iso(record.startsUs),
    endsAt: iso(record.endsUs),
    createdBy: record.createdBy,
    comment: record.comment,
  };
}

/**
 * Reads a silence request whose shape the API's schema checked (`routes.ts`): its
 * patterns, times and span; every problem is a 400 naming the field.
 */
export function silenceFrom(b: SilenceRequest, nowUs: number): SilenceRecord {
  const bad = (message: string): never => {
    throw new AppError('ERR_BAD_REQUEST', message);
  };
  const matchers = b.matchers.map(({ name, op, value }, i): LabelMatcher => {
    if (op === '=~' || op === '!~') {
      try {
        compileRegex(value, true);
      } catch (error) {
        bad(`matchers[${i}].value is not a regular expression RE2 takes: ${(error as Error).message}`);
      }
    }
    return { name, op, value };
  });
  const time = (key: 'startsAt' | 'endsAt'): number | null => {
    const text = b[key];
    return text === undefined ? null : (microsFromIso(text) ?? bad(`'${key}' must be an ISO-8601 time`));
  };
  const startsUs = time('startsAt') ?? nowUs;
  let endsUs = time('endsAt');
  if (b.duration !== undefined) {
    if (endsUs !== null) bad("give 'endsAt' or 'duration', not both");
    const us = parseDurationUs(b.duration);
    if (us === null || us <= 0) bad("'duration' must be a duration such as 2h or 30m");
    endsUs = startsUs + us!;
  }
  if (endsUs === null) return bad("a silence needs 'endsAt' or 'duration'");
  if (endsUs <= nowUs) bad("'endsAt' is in the past: the silence would never apply");
  if (endsUs <= startsUs) bad("'endsAt' must be after 'startsAt'");
  if (b.createdBy.trim() === '') bad("'createdBy' is required: who silences, so others can ask");
  return { id: randomUUID(), matchers, startsUs, endsUs, createdBy: b.createdBy, comment: b.comment ?? '' };
}

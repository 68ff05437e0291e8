import type { AlertRuleSource, AlertRuleSpec } from '@spoor/model';
import { ChangedSince } from '../changed-since.js';
import type { AlertHistoryRecord, AlertStore } from '../store/store.js';
import { DEFAULT_INHIBIT_RULES, type DispatchAlert, type GroupState, type InhibitRule, dispatch, groupOfKey, muted } from './dispatcher.js';
import { type AlertInstance, evaluateRule } from './evaluator.js';
import { type DeliveryResult, type Notification, type ReceiverConfig, deliveryDetail } from './notification.js';
import type { NotifierDeps, NotifyLogger } from './notify/delivery.js';
import { RECEIVER_PREFIX, type ReceiverEntry, ReceiversInForce } from './receivers-in-force.js';
import { setLabel } from './labels.js';
import { notificationOf } from './notifications.js';
import type { DefaultRule } from './default-rules.js';
import { type CompiledRule, type RuleDefaults, BUILT_IN_DEFAULTS, compileRule } from './rule.js';
import { type ReadSeries, Sampler } from './sampler.js';

/** A rule in force, where it came from, and how its last evaluation went. */
export interface RuleEntry {
  name: string;
  /** As written. */
  spec: AlertRuleSpec;
  /** `null` when the spec no longer compiles (see `invalid`): such a rule is listed, never evaluated. */
  rule: CompiledRule | null;
  invalid: string | null;
  source: AlertRuleSource;
  createdUs: number;
  updatedUs: number;
  lastEvaluatedUs: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
}

/** The engine's memory between evaluations, as saved in the store. */
interface SavedState {
  version: 1;
  instances: Record<string, Array<[string, AlertInstance]>>;
  groups: Array<[string, GroupState]>;
}

export interface EngineOptions {
  projectId: string;
  readSeries: ReadSeries;
  store: AlertStore;
  logger: NotifyLogger;
  /** The server's own address, for the links in notifications (known once it listens). */
  externalUrl: () => string;
  inhibitRules?: readonly InhibitRule[];
  /** For tests: the notifiers' `fetch`, `sleep` and `random`. */
  notifierDeps?: Pick<NotifierDeps, 'fetch' | 'sleep' | 'random'>;
  /** Store reads in flight at once. Default 2. */
  concurrency?: number;
  /** The default rules as seeded (`default-rules.ts`): a stored rule equal to one of them is listed as `default`. */
  defaultRules?: readonly DefaultRule[];
}

/**
 * The alert engine of one project: the rules in force (from the rules file and the API), the
 * state of every alert, and what was notified. `evaluate(now)` is one round: read every rule's
 * data, step the state machine (`evaluator.ts`), decide notifications (`dispatcher.ts`), save
 * state and history in one transaction, and only then hand notifications to the notifiers, so a
 * restart at any point neither forgets a firing alert nor notifies twice.
 */
export class AlertEngine {
  /** By name. A file rule hides an API rule of the same name, which comes back when the file drops it. */
  private readonly fileRules = new Map<string, RuleEntry>();
  private readonly apiRules = new Map<string, RuleEntry>();
  /** API rules and receivers (under `RECEIVER_PREFIX`) changed here: a read of the store begun before a change does not undo it. */
  private readonly changed = new ChangedSince();
  private readonly sampler: Sampler;
  /** Name -> spec text of each default rule. */
  private readonly defaultSpecs: ReadonlyMap<string, string>;
  /**
   * The state as of the last round whose save committed: a round takes it up only then, so a
   * reader that sees an alert firing also finds the transition in the history.
   */
  private instances: ReadonlyMap<string, ReadonlyMap<string, AlertInstance>> = new Map();
  private groups: ReadonlyMap<string, GroupState> = new Map();
  private muted: { silenced: ReadonlySet<string>; inhibited: ReadonlySet<string> } = { silenced: new Set(), inhibited: new Set() };
  private readonly receivers: ReceiversInForce;
  private defaults: RuleDefaults = BUILT_IN_DEFAULTS;
  /** Delivery outcomes that arrived since the last save, saved with the next. */
  private deliveries: AlertHistoryRecord[] = [];
  private evaluating: Promise<void> | null = null;
  private closed = false;
  /** Rounds completed, and how long the last one took (reads, state machine, save). */
  rounds = 0;
  lastRoundMs: number | null = null;

  private constructor(private readonly options: EngineOptions) {
    this.sampler = new Sampler(options.readSeries, options.concurrency ?? 2);
    this.defaultSpecs = new Map((options.defaultRules ?? []).map((r) => [r.name, r.spec]));
    const deps: NotifierDeps = { ...options.notifierDeps, logger: options.logger, onResult: (r) => this.delivered(r) };
    this.receivers = new ReceiversInForce(deps);
  }

  /** Restores the saved state and the API's rules. */
  static async open(options: EngineOptions): Promise<AlertEngine> {
    const engine = new AlertEngine(options);
    await engine.readStateFromStore();
    await engine.readRulesFromStore();
    return engine;
  }

  /**
   * Takes up the API's rules as the store has them now: with several servers on one store, a rule
   * may have been made, changed or deleted through another. A rule unchanged since it was read
   * keeps its entry (and what the last rounds recorded on it).
   */
  async readRulesFromStore(): Promise<void> {
    const mark = this.changed.mark();
    const all = await this.options.store.listRules(this.options.projectId);
    // What changed here while the read ran stays as the change left it: it is newer than what was read.
    const fresh = (storedName: string): boolean => this.changed.since(mark, storedName);
    const receivers = all.filter((r) => r.name.startsWith(RECEIVER_PREFIX)).map((r) => ({ ...r, name: r.name.slice(RECEIVER_PREFIX.length) }));
    const bad = (receiver: string, error: string): void =>
      this.options.logger.error({ receiver, error }, 'a stored alert receiver cannot be used; it is left out');
    if (this.receivers.useStored(receivers, bad, (name) => fresh(RECEIVER_PREFIX + name))) this.recompileApiRules();
    const records = all.filter((r) => !r.name.startsWith(RECEIVER_PREFIX));
    const seen = new Set<string>();
    for (const record of records) {
      seen.add(record.name);
      if (fresh(record.name)) continue;
      const known = this.apiRules.get(record.name);
      if (known !== undefined && known.updatedUs === record.updatedUs) continue;
      this.apiRules.set(
        record.name,
        this.entryOf(JSON.parse(record.spec) as unknown, this.storedSource(record.name, record.spec), record.createdUs, record.updatedUs),
      );
    }
    for (const name of [...this.apiRules.keys()]) if (!seen.has(name) && !fresh(name)) this.apiRules.delete(name);
  }

  /**
   * Takes up the alert states the store holds: what a server that does not evaluate (its role
   * leaves alerting to another) shows, as the evaluating server last saved it.
   */
  async readStateFromStore(): Promise<void> {
    const saved = await this.options.store.readState(this.options.projectId);
    if (saved === null) return;
    const state = JSON.parse(saved) as SavedState;
    this.instances = new Map(Object.entries(state.instances).map(([rule, list]) => [rule, new Map(list)]));
    this.groups = new Map(state.groups);
  }

  get projectId(): string {
    return this.options.projectId;
  }

  get store(): AlertStore {
    return this.options.store;
  }

  /** The server's own address (where notifications link to). */
  get ownUrl(): string {
    return this.options.externalUrl();
  }

  receiverNames(): Set<string> {
    return this.receivers.names();
  }

  /** Every receiver, with where it came from; see `ReceiversInForce`. */
  receiverEntries(): ReceiverEntry[] {
    return this.receivers.entries();
  }

  /** Whether the rules file (or the built-in `log`) has a receiver of this name: such a one is changed there only. */
  fileReceiver(name: string): boolean {
    return this.receivers.fromFile(name);
  }

  /** Adds or replaces an API receiver (checked and saved by the caller); throws, changing nothing, when it cannot be made. */
  setApiReceiver(config: ReceiverConfig, createdUs: number, updatedUs: number): void {
    if (this.receivers.setApi(config, createdUs, updatedUs)) this.recompileApiRules();
    this.changed.changed(RECEIVER_PREFIX + config.name);
  }

  deleteApiReceiver(name: string): void {
    if (this.receivers.deleteApi(name)) this.recompileApiRules();
    this.changed.changed(RECEIVER_PREFIX + name);
  }

  /** The API's rules compiled again against the receivers now in force: one naming a receiver gone is listed invalid. */
  private recompileApiRules(): void {
    for (const [name, entry] of this.apiRules) this.apiRules.set(name, this.entryOf(entry.spec, entry.source, entry.createdUs, entry.updatedUs));
  }

  /**
   * Firing alerts, neither silenced nor inhibited, whose notifications go to log receivers alone
   * (`log`, or another of that kind): what fires without anyone being told.
   */
  unroutedCount(): number {
    const toLog = new Set(
      this.receivers
        .configs()
        .filter((r) => 'log' in r)
        .map((r) => r.name),
    );
    let count = 0;
    for (const { entry, instance, silenced, inhibited } of this.alerts()) {
      if (instance.state !== 'firing' || silenced || inhibited || entry.rule === null) continue;
      const names = entry.rule.receivers[instance.severity];
      if (names.length > 0 && names.every((n) => toLog.has(n))) count++;
    }
    return count;
  }

  /** Every rule in force, file rules first, each by name. */
  ruleEntries(): RuleEntry[] {
    const byName = (a: RuleEntry, b: RuleEntry): number => a.name.localeCompare(b.name);
    return [...this.fileRules.values()].sort(byName).concat([...this.apiRules.values()].filter((e) => !this.fileRules.has(e.name)).sort(byName));
  }

  rule(name: string): RuleEntry | undefined {
    return this.fileRules.get(name) ?? this.apiRules.get(name);
  }

  /**
   * Puts the rules file's receivers, defaults and rules in force in place of the last file's. The
   * API's rules are compiled again against the new receivers; one that no longer compiles stays
   * listed with its error and is not evaluated.
   */
  useRulesFile(file: { receivers: ReceiverConfig[]; defaults: RuleDefaults; rules: CompiledRule[] }, nowUs: number): void {
    this.receivers.useFile(file.receivers);
    this.defaults = file.defaults;
    const before = new Map(this.fileRules);
    this.fileRules.clear();
    for (const rule of file.rules) {
      const old = before.get(rule.name);
      const hidden = this.apiRules.get(rule.name);
      if (hidden?.source === 'default')
        this.options.logger.info({ rule: rule.name }, 'a rule of the rules file has the name of a default rule; the file rule is in force');
      else if (hidden !== undefined)
        this.options.logger.warn({ rule: rule.name }, 'a rule of the rules file has the name of a rule made through the API; the file rule wins');
      const unchanged = old !== undefined && JSON.stringify(old.spec) === JSON.stringify(rule.spec);
      this.fileRules.set(rule.name, freshEntry(rule, 'file', old?.createdUs ?? nowUs, unchanged ? old.updatedUs : nowUs));
    }
    this.recompileApiRules();
  }

  /** Checks a rule sent to the API; throws `RuleError`. */
  compile(input: unknown): CompiledRule {
    return compileRule(input, this.defaults, this.receiverNames());
  }

  /** Adds or replaces an API rule (already compiled and saved by the caller). */
  setApiRule(rule: CompiledRule, createdUs: number, updatedUs: number): void {
    this.apiRules.set(rule.name, freshEntry(rule, this.storedSource(rule.name, JSON.stringify(rule.spec)), createdUs, updatedUs));
    this.changed.changed(rule.name);
  }

  /** `default` for a stored rule as a default was seeded (never edited since, or edited back), else `api`. */
  private storedSource(name: string, specText: string): AlertRuleSource {
    return this.defaultSpecs.get(name) === specText ? 'default' : 'api';
  }

  deleteApiRule(name: string): void {
    this.apiRules.delete(name);
    this.changed.changed(name);
  }

  /** The state of every alert of every rule, with the rule it belongs to. */
  *alerts(): Generator<{ entry: RuleEntry; key: string; instance: AlertInstance; silenced: boolean; inhibited: boolean }> {
    for (const [name, instances] of this.instances) {
      const entry = this.rule(name);
      if (entry === undefined) continue;
      for (const [key, instance] of instances) {
        const id = alertKey(name, key);
        yield { entry, key, instance, silenced: this.muted.silenced.has(id), inhibited: this.muted.inhibited.has(id) };
      }
    }
  }

  /** One evaluation round at `nowUs`. Rounds never overlap: a call during one waits for it. */
  evaluate(nowUs: number): Promise<void> {
    return this.betweenRounds(() => this.round(nowUs));
  }

  /**
   * Marks the alerts silenced (or inhibited) as the silences now say, without waiting for the
   * next round: called when a silence is made or expired.
   */
  silencesChanged(nowUs: number): Promise<void> {
    return this.betweenRounds(async () => {
      if (this.closed) return;
      const silences = await this.options.store.listSilences(this.options.projectId, nowUs);
      this.muted = muted(this.dispatchAlerts(this.instances), silences, this.inhibitRules, nowUs);
    });
  }

  private get inhibitRules(): readonly InhibitRule[] {
    return this.options.inhibitRules ?? DEFAULT_INHIBIT_RULES;
  }

  /** Runs `fn` after whatever the engine is doing, so rounds and silence updates never overlap. */
  private betweenRounds(fn: () => Promise<void>): Promise<void> {
    const run = (this.evaluating ?? Promise.resolve()).then(fn);
    this.evaluating = run.catch(() => {});
    return run;
  }

  /** Waits for the round in progress, saves what deliveries reported, and stops the notifiers. */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.evaluating;
    await this.receivers.close(timeoutMs);
    if (this.deliveries.length > 0) await this.save(this.deliveries[this.deliveries.length - 1]!.timeUs, this.instances, this.groups);
  }

  private async round(nowUs: number): Promise<void> {
    if (this.closed) return;
    const roundStarted = performance.now();
    const { projectId, store } = this.options;
    const silences = await store.listSilences(projectId, nowUs);
    const samplesRound = this.sampler.round(nowUs);
    const history: AlertHistoryRecord[] = [];
    const next = new Map<string, ReadonlyMap<string, AlertInstance>>();
    await Promise.all(
      this.ruleEntries().map(async (entry) => {
        const { rule } = entry;
        const previous: ReadonlyMap<string, AlertInstance> = this.instances.get(entry.name) ?? new Map();
        if (rule === null) {
          next.set(entry.name, previous);
          return;
        }
        const started = performance.now();
        try {
          const samples = await samplesRound.samples(rule.value);
          const { instances, transitions } = evaluateRule(rule, samples, previous, nowUs);
          next.set(rule.name, instances);
          for (const t of transitions) history.push(historyRecord(rule, t.instance, t.to, nowUs));
          entry.lastError = null;
        } catch (error) {
          // A rule whose data cannot be read keeps its alerts as they were.
          next.set(rule.name, previous);
          entry.lastError = `evaluation failed: ${(error as Error).message}`;
          this.options.logger.warn({ rule: rule.name, err: String(error) }, 'an alert rule could not be evaluated');
        }
        entry.lastEvaluatedUs = nowUs;
        entry.lastDurationMs = performance.now() - started;
      }),
    );
    samplesRound.finish();

    const result = dispatch(this.dispatchAlerts(next), this.groups, silences, this.inhibitRules, nowUs);
    const notifications = result.notifications.map((n) => ({
      receiver: n.receiver,
      body: notificationOf(n, (key) => alertView(key, next, (name) => this.rule(name)!.rule!), this.options.externalUrl(), nowUs),
    }));
    // Unsaved (this throws), the round did not happen: the next one makes the same transitions and sends.
    await this.save(nowUs, next, result.groups, history);
    this.instances = next;
    this.groups = result.groups;
    this.muted = { silenced: result.silenced, inhibited: result.inhibited };
    for (const { receiver, body } of notifications) this.send(receiver, body);
    this.rounds++;
    this.lastRoundMs = performance.now() - roundStarted;
  }

  /** Saves `instances` and `groups`, the history and the deliveries since the last save in one transaction. */
  private async save(
    nowUs: number,
    instances: ReadonlyMap<string, ReadonlyMap<string, AlertInstance>>,
    groups: ReadonlyMap<string, GroupState>,
    history: AlertHistoryRecord[] = [],
  ): Promise<void> {
    const deliveries = this.deliveries;
    this.deliveries = [];
    const state: SavedState = {
      version: 1,
      instances: Object.fromEntries([...instances].map(([rule, map]) => [rule, [...map]])),
      groups: [...groups],
    };
    try {
      await this.options.store.saveState(this.options.projectId, JSON.stringify(state), [...deliveries, ...history], nowUs);
    } catch (error) {
      this.deliveries = [...deliveries, ...this.deliveries];
      throw error;
    }
  }

  private send(receiver: string, notification: Notification): void {
    const notifier = this.receivers.notifier(receiver);
    if (notifier === undefined) {
      this.options.logger.error({ receiver }, 'an alert names a receiver that no longer exists; the notification is dropped');
      return;
    }
    notifier.send(notification);
  }

  private dispatchAlerts(all: ReadonlyMap<string, ReadonlyMap<string, AlertInstance>>): DispatchAlert[] {
    const alerts: DispatchAlert[] = [];
    for (const [name, instances] of all) {
      const rule = this.rule(name)?.rule;
      if (rule === undefined || rule === null) continue;
      for (const [key, instance] of instances) {
        if (instance.state === 'pending') continue;
        alerts.push({
          key: alertKey(name, key),
          rule: name,
          labels: alertLabels(rule, instance),
          status: instance.state,
          severity: instance.severity,
          receivers: rule.receivers[instance.severity],
          groupBy: rule.groupBy,
          groupWaitUs: rule.groupWaitUs,
          groupIntervalUs: rule.groupIntervalUs,
          repeatIntervalUs: rule.repeatIntervalUs,
        });
      }
    }
    return alerts;
  }

  private delivered(result: DeliveryResult): void {
    const { rule, groupLabels } = groupOfKey(result.groupKey);
    this.deliveries.push({
      timeUs: Date.now() * 1000,
      rule,
      labels: groupLabels,
      kind: result.ok ? 'notified' : 'notify_failed',
      severity: this.rule(rule)?.rule?.levels[0]?.severity ?? 'warning',
      value: null,
      receiver: result.receiver,
      detail: deliveryDetail(result),
    });
  }

  private entryOf(spec: unknown, source: AlertRuleSource, createdUs: number, updatedUs: number): RuleEntry {
    try {
      return freshEntry(this.compile(spec), source, createdUs, updatedUs);
    } catch (error) {
      // Kept so it can be listed, fixed or deleted; never evaluated.
      const name = String((spec as { name?: unknown }).name ?? '');
      return { ...emptyEntry(name, spec as AlertRuleSpec, source, createdUs, updatedUs), invalid: (error as Error).message };
    }
  }
}

function freshEntry(rule: CompiledRule, source: AlertRuleSource, createdUs: number, updatedUs: number = createdUs): RuleEntry {
  return { ...emptyEntry(rule.name, rule.spec, source, createdUs, updatedUs), rule };
}

function emptyEntry(name: string, spec: AlertRuleSpec, source: AlertRuleSource, createdUs: number, updatedUs: number): RuleEntry {
  return { name, spec, rule: null, invalid: null, source, createdUs, updatedUs, lastEvaluatedUs: null, lastError: null, lastDurationMs: null };
}

/** The dispatcher's key of an alert: rule name and label-set key. */
export function alertKey(rule: string, key: string): string {
  return JSON.stringify([rule, key]);
}

/**
 * An alert's labels: the rule's, the expression's `by` labels, then `alertname` and `severity`.
 * A `by` label of one of those two names (a log's `severity`, an app metric's own `severity`
 * label) is kept as `exported_<name>`, as Prometheus keeps a scraped label that collides with
 * one it sets: otherwise the alerts of `by (severity)` would all show the rule's severity.
 */
export function alertLabels(rule: CompiledRule, instance: AlertInstance): Record<string, string> {
  const labels: Record<string, string> = { ...rule.labels };
  for (const name of Object.keys(instance.labels))
    setLabel(labels, name === 'alertname' || name === 'severity' ? `exported_${name}` : name, instance.labels[name]!);
  labels.alertname = rule.name;
  labels.severity = instance.severity;
  return labels;
}

function historyRecord(rule: CompiledRule, instance: AlertInstance, kind: 'pending' | 'firing' | 'resolved', nowUs: number): AlertHistoryRecord {
  return {
    timeUs: nowUs,
    rule: rule.name,
    labels: alertLabels(rule, instance),
    kind,
    severity: instance.severity,
    value: instance.value,
    receiver: null,
    detail: instance.threshold === null ? null : `threshold ${instance.threshold}`,
  };
}

/** The rule and state behind a dispatcher key. */
function alertView(
  id: string,
  instances: ReadonlyMap<string, ReadonlyMap<string, AlertInstance>>,
  ruleOf: (name: string) => CompiledRule,
): { rule: CompiledRule; instance: AlertInstance } {
  const [name, key] = JSON.parse(id) as [string, string];
  return { rule: ruleOf(name), instance: instances.get(name)!.get(key)! };
}

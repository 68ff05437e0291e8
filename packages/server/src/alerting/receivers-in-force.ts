import type { Notifier, ReceiverConfig } from './notification.js';
import type { NotifierDeps } from './notify/delivery.js';
import { createNotifier, validateReceivers } from './notify/receivers.js';

/**
 * Receivers made through the API are kept beside the rules, in the rules table, under a name no
 * rule can have (a rule's name starts with a letter or digit): every store, `spoor migrate` and
 * every server sharing the store then carry them as they carry rules.
 */
export const RECEIVER_PREFIX = '@receiver:';

/** The receivers a project has without a rules file. */
const LOG_ONLY: ReceiverConfig[] = [{ name: 'log', log: {} }];

export interface ReceiverEntry {
  config: ReceiverConfig;
  source: 'file' | 'api' | 'builtin';
  inForce: boolean;
  createdUs: number | null;
  updatedUs: number | null;
}

interface ApiReceiver {
  config: ReceiverConfig;
  createdUs: number;
  updatedUs: number;
}

/**
 * One project's receivers: the rules file's (with `log`), then those made through the API whose
 * names the file does not take; and a notifier for each. A receiver whose config did not change
 * keeps its notifier (and what it has queued) when others come and go.
 */
export class ReceiversInForce {
  private file: ReceiverConfig[] = LOG_ONLY;
  private readonly api = new Map<string, ApiReceiver>();
  /** Stored receivers that could not be used, by the version reported: said once, not every interval. */
  private readonly refused = new Map<string, number>();
  private notifiers = new Map<string, { spec: string; notifier: Notifier }>();

  /** The API's receivers' notifiers connect only to addresses they may (`receiver-addresses.ts`); the file's, anywhere. */
  private readonly apiDeps: NotifierDeps;
  private readonly deps: NotifierDeps;

  constructor(deps: NotifierDeps) {
    const { checkAddresses, ...fileDeps } = deps;
    this.deps = fileDeps;
    this.apiDeps = { ...fileDeps, checkAddresses: checkAddresses ?? {} };
    this.apply();
  }

  configs(): ReceiverConfig[] {
    const fileNames = new Set(this.file.map((r) => r.name));
    return [...this.file, ...[...this.api.values()].map((r) => r.config).filter((c) => !fileNames.has(c.name))];
  }

  names(): Set<string> {
    return new Set(this.configs().map((r) => r.name));
  }

  /** Whether the rules file (or `log`, which is always there) has a receiver of this name. */
  fromFile(name: string): boolean {
    return this.file.some((r) => r.name === name);
  }

  notifier(name: string): Notifier | undefined {
    return this.notifiers.get(name)?.notifier;
  }

  /** Every receiver, those in force first, each by name; an API receiver hidden by the file's is listed too. */
  entries(): ReceiverEntry[] {
    const file: ReceiverEntry[] = this.file.map((config) => ({
      config,
      source: config.name === 'log' && 'log' in config && Object.keys(config.log).length === 0 ? 'builtin' : 'file',
      inForce: true,
      createdUs: null,
      updatedUs: null,
    }));
    const api: ReceiverEntry[] = [...this.api.values()].map((r) => ({
      config: r.config,
      source: 'api',
      inForce: !this.fromFile(r.config.name),
      createdUs: r.createdUs,
      updatedUs: r.updatedUs,
    }));
    const byName = (a: ReceiverEntry, b: ReceiverEntry): number => a.config.name.localeCompare(b.config.name);
    return [...file.sort(byName), ...api.sort(byName)];
  }

  /** The rules file's receivers in place of the last file's; throws, changing nothing, when one cannot be made. */
  useFile(receivers: ReceiverConfig[]): boolean {
    const before = this.file;
    this.file = receivers;
    try {
      return this.apply();
    } catch (error) {
      this.file = before;
      throw error;
    }
  }

  /**
   * Takes up the API's receivers as the store has them (`name` without the prefix, `spec` the
   * config as JSON). A stored receiver that cannot be made (written by another version) is left
   * out and reported. A receiver `keep` names (changed here since the read began) stays as it is.
   * Whether the names in force changed.
   */
  useStored(
    records: ReadonlyArray<{ name: string; spec: string; createdUs: number; updatedUs: number }>,
    onBad: (name: string, error: string) => void,
    keep: (name: string) => boolean = () => false,
  ): boolean {
    const seen = new Set<string>();
    let changed = false;
    for (const record of records) {
      seen.add(record.name);
      if (keep(record.name) || this.api.get(record.name)?.updatedUs === record.updatedUs || this.refused.get(record.name) === record.updatedUs) continue;
      try {
        const [config] = validateReceivers([{ ...(JSON.parse(record.spec) as object), name: record.name }]);
        this.api.set(record.name, { config: config!, createdUs: record.createdUs, updatedUs: record.updatedUs });
        this.refused.delete(record.name);
        changed = true;
      } catch (error) {
        this.refused.set(record.name, record.updatedUs);
        onBad(record.name, (error as Error).message);
      }
    }
    for (const name of [...this.api.keys()]) {
      if (seen.has(name) || keep(name)) continue;
      this.api.delete(name);
      changed = true;
    }
    if (!changed) return false;
    try {
      return this.apply();
    } catch (error) {
      onBad('(all)', (error as Error).message);
      return false;
    }
  }

  /** Adds or replaces an API receiver (checked and saved by the caller). Whether the names in force changed. */
  setApi(config: ReceiverConfig, createdUs: number, updatedUs: number): boolean {
    const before = this.api.get(config.name);
    this.api.set(config.name, { config, createdUs, updatedUs });
    try {
      return this.apply();
    } catch (error) {
      if (before === undefined) this.api.delete(config.name);
      else this.api.set(config.name, before);
      throw error;
    }
  }

  deleteApi(name: string): boolean {
    this.api.delete(name);
    return this.apply();
  }

  async close(timeoutMs: number): Promise<void> {
    await Promise.all([...this.notifiers.values()].map((n) => n.notifier.close(timeoutMs)));
  }

  /** Makes the notifiers of what is now in force; throws, changing nothing, when one cannot be made. */
  private apply(): boolean {
    const next = new Map<string, { spec: string; notifier: Notifier }>();
    const made: Notifier[] = [];
    try {
      for (const config of this.configs()) {
        const spec = JSON.stringify(config);
        const old = this.notifiers.get(config.name);
        if (old !== undefined && old.spec === spec) {
          next.set(config.name, old);
          continue;
        }
        const notifier = createNotifier(config, this.fromFile(config.name) ? this.deps : this.apiDeps);
        made.push(notifier);
        next.set(config.name, { spec, notifier });
      }
    } catch (error) {
      for (const notifier of made) void notifier.close(0);
      throw error;
    }
    const namesBefore = [...this.notifiers.keys()].sort().join('\n');
    for (const [name, old] of this.notifiers) if (next.get(name) !== old) void old.notifier.close(30_000);
    this.notifiers = next;
    return [...next.keys()].sort().join('\n') !== namesBefore;
  }
}

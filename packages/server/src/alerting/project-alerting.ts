import { DEFAULT_PROJECT_ID } from '@spoor/model';
import type { ServeConfig } from '../config.js';
import { AlertService } from './alert-service.js';
import { type AlertsDb, alertBackendOver } from './backend.js';
import { type DefaultRule, readDefaultRules } from './default-rules.js';
import { AlertEngine } from './engine.js';
import type { NotifyLogger } from './notify/delivery.js';

/** How long `follow` waits before starting a project's alerting again after a failure (a store outage). */
const RETRY_MS = 10_000;

export interface ProjectAlertingOptions {
  db: AlertsDb;
  config: Pick<ServeConfig, 'alertsFile' | 'alertIntervalMs' | 'roles' | 'defaultAlerts'>;
  log: NotifyLogger;
  /** The URL notifications link back to (`--external-url`, else the one bound). */
  externalUrl: () => string;
  /** The default rules; unset: those of the shipped presets file. For tests. */
  defaultRules?: () => Promise<DefaultRule[]>;
}

/**
 * Each project's alerting, started on first use: the default project's with the rules file,
 * every other project's with the rules made through the API alone. A project new to the store
 * (the default project, or one a key names, that no server sharing the store seeded before) is
 * first given the default rules, unless `--no-default-alerts`.
 */
export class ProjectAlerting {
  private readonly services = new Map<string, Promise<AlertService>>();
  private readonly defaultRules: Promise<DefaultRule[] | null>;
  private following: NodeJS.Timeout | null = null;
  /** The projects keys name (`follow`); with the default project, those given the default rules. */
  private projects: () => readonly string[] = () => [];
  /** When `follow` last failed to start a project's alerting, by project: tried again after `RETRY_MS`, said once. */
  private readonly failedMs = new Map<string, number>();

  constructor(private readonly options: ProjectAlertingOptions) {
    // Read once; a presets file that cannot be read leaves projects without defaults (and unseeded), never without alerting.
    this.defaultRules = (options.defaultRules ?? readDefaultRules)().catch((error: unknown) => {
      options.log.error({ err: String(error) }, 'the default alert rules cannot be read; new projects start without them');
      return null;
    });
  }

  of(projectId: string): Promise<AlertService> {
    let service = this.services.get(projectId);
    if (service === undefined) {
      service = this.start(projectId, projectId === DEFAULT_PROJECT_ID ? this.options.config.alertsFile : null);
      this.services.set(projectId, service);
      // A start that failed (the store unreachable) is tried again on the next use, not failed for good.
      service.catch(() => this.services.delete(projectId));
    }
    return service;
  }

  /**
   * Starts the alerting of every project `projects` names, now and every `everyMs`: a project whose
   * first key was made (here or through another server) is given its default rules and evaluated
   * from then on, not from its first request.
   */
  follow(projects: () => readonly string[], everyMs: number): void {
    this.projects = projects;
    const startAll = (): void => {
      const nowMs = Date.now();
      for (const projectId of projects()) {
        const failedMs = this.failedMs.get(projectId);
        if (this.services.has(projectId) || (failedMs !== undefined && nowMs - failedMs < RETRY_MS)) continue;
        this.of(projectId).then(
          () => this.failedMs.delete(projectId),
          (error: unknown) => {
            if (!this.failedMs.has(projectId))
              this.options.log.error({ projectId, err: String(error) }, "a project's alerting could not start; it is tried again every 10 s");
            this.failedMs.set(projectId, Date.now());
          },
        );
      }
    };
    this.following = setInterval(startAll, everyMs);
    this.following.unref();
  }

  /** Notifications already decided are delivered (or given up on) and recorded before this settles. */
  async close(): Promise<void> {
    if (this.following !== null) clearInterval(this.following);
    this.following = null;
    const services = await Promise.allSettled(this.services.values());
    for (const service of services) if (service.status === 'fulfilled') await service.value.close();
  }

  private async start(projectId: string, rulesFile: string | null): Promise<AlertService> {
    const { db, config, log, externalUrl } = this.options;
    const defaultRules = (await this.defaultRules) ?? [];
    // Only a project that exists is seeded: a key of every project reading a name no key has (a typo) writes nothing.
    const known = projectId === DEFAULT_PROJECT_ID || this.projects().includes(projectId);
    if (config.defaultAlerts && known && defaultRules.length > 0) await this.seed(projectId, defaultRules);
    const engine = await AlertEngine.open({ projectId, ...alertBackendOver(db, projectId), logger: log, externalUrl, defaultRules });
    return AlertService.start({
      engine,
      rulesFile,
      intervalMs: config.alertIntervalMs,
      evaluates: config.roles.alerting,
      nowUs: () => Date.now() * 1000,
      onError: (message, data) => log.error({ projectId, ...data }, message),
      onInfo: (message, data) => log.info({ projectId, ...data }, message),
    });
  }

  /** Seeds the project's default rules if no server sharing the store did before; says so once. */
  private async seed(projectId: string, rules: readonly DefaultRule[]): Promise<void> {
    const { db, log } = this.options;
    // Asked first: a read where the project was seeded (every start but the first) rather than a write.
    if (await db.alerts.rulesSeeded(projectId)) return;
    if (await db.alerts.seedRules(projectId, rules, Date.now() * 1000)) {
      log.info(
        { projectId, rules: rules.map((r) => r.name) },
        `gave project '${projectId}' the default alert rules (once: edit or delete them in the Alerts page or the API; --no-default-alerts turns this off)`,
      );
    }
  }
}

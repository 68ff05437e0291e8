import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { AlertService } from '../alerting/alert-service.js';
import { AlertEngine } from '../alerting/engine.js';
import type { NotifyLogger } from '../alerting/notify/delivery.js';
import type { ServeConfig } from '../config.js';
import { alertBackendOver } from '../dbthread/alert-backend.js';
import type { DbClient } from '../dbthread/calls.js';

export interface ProjectAlertingOptions {
  db: DbClient;
  config: Pick<ServeConfig, 'alertsFile' | 'alertIntervalMs' | 'roles'>;
  log: NotifyLogger;
  /** The URL notifications link back to (`--external-url`, else the one bound). */
  externalUrl: () => string;
}

/**
 * Each project's alerting, started on first use: the default project's with the rules file,
 * every other project's with the rules made through the API alone.
 */
export class ProjectAlerting {
  private readonly services = new Map<string, Promise<AlertService>>();

  constructor(private readonly options: ProjectAlertingOptions) {}

  of(projectId: string): Promise<AlertService> {
    let service = this.services.get(projectId);
    if (service === undefined) {
      service = this.start(projectId, projectId === DEFAULT_PROJECT_ID ? this.options.config.alertsFile : null);
      this.services.set(projectId, service);
    }
    return service;
  }

  /** Notifications already decided are delivered (or given up on) and recorded before this settles. */
  async close(): Promise<void> {
    const services = await Promise.allSettled(this.services.values());
    for (const service of services) if (service.status === 'fulfilled') await service.value.close();
  }

  private async start(projectId: string, rulesFile: string | null): Promise<AlertService> {
    const { db, config, log, externalUrl } = this.options;
    const engine = await AlertEngine.open({ projectId, ...alertBackendOver(db, projectId), logger: log, externalUrl });
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
}

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApp } from './api/app.js';
import type { ServeConfig } from './config.js';
import { applyRetention, scheduleRetention } from './pipeline/retention.js';
import { WriteQueue } from './pipeline/write-queue.js';
import { QueryService } from './query/query-service.js';
import { SelfMetrics, createIngestMetrics } from './self-metrics.js';
import { DuckDbStore } from './store/duckdb/duckdb-store.js';

export interface RunningServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  app: FastifyInstance;
  /** Stops accepting, commits everything acknowledged, closes the store. Idempotent. */
  close: () => Promise<void>;
}

/** Opens the store, applies retention once, and serves HTTP until `close()`. */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const store = await DuckDbStore.open({ path: join(config.dataDir, 'spoor.duckdb') });
  const logger = { level: config.logLevel };
  const selfMetrics = new SelfMetrics();
  const ingestMetrics = createIngestMetrics(selfMetrics);
  let ready = true;
  let app: FastifyInstance | null = null;

  const queue = new WriteQueue(store, {
    onError: (error, records) => {
      ingestMetrics.rejected({ signal: 'all', reason: 'store_error' }, records);
      app?.log.error({ err: error, records }, 'a commit failed; its senders were told to retry');
    },
  });
  selfMetrics.gauge('spoor_write_queue_records', 'Records accepted and waiting to be committed.', () => queue.getStats().queuedRecords);

  try {
    app = await createApp({
      query: new QueryService(store),
      submit: (batch) => queue.submit(batch),
      selfMetrics,
      ingestMetrics,
      maxBodyBytes: config.maxBodyBytes,
      isReady: () => ready,
      logger,
    });
    const results = await applyRetention(store, config.retention, Date.now());
    logRetention(app, results);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.close();
    await store.close();
    throw error;
  }
  const running = app;
  const stopRetention = scheduleRetention(store, config.retention, (results, error) => {
    if (error !== undefined) running.log.error({ err: error }, 'retention failed; it will run again');
    else if (results !== null) logRetention(running, results);
  });

  const address = running.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    app: running,
    close: () => {
      closing ??= (async () => {
        ready = false;
        stopRetention();
        // Fastify waits for in-flight requests, and each of those waits for its commit.
        await running.close();
        await queue.close();
        await store.close();
      })();
      return closing;
    },
  };
}

function logRetention(app: FastifyInstance, results: Array<{ signal: string; deleted: number }>): void {
  const deleted = results.filter((r) => r.deleted > 0);
  if (deleted.length > 0) app.log.info({ deleted }, 'retention removed expired records');
}

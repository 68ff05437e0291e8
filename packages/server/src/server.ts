import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApp } from './api/app.js';
import type { ServeConfig } from './config.js';
import { decodeRequest } from './ingest/decode.js';
import { IngestQueue } from './pipeline/ingest-queue.js';
import { applyRetention, scheduleRetention } from './pipeline/retention.js';
import { Spool } from './pipeline/spool.js';
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

/**
 * Opens the store, replays what the spool holds beyond the store's last commit, applies
 * retention, and serves HTTP until `close()`.
 */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const store = await DuckDbStore.open({ path: join(config.dataDir, 'spoor.duckdb') });
  const spoolDir = join(config.dataDir, 'spool');
  const selfMetrics = new SelfMetrics();
  const ingestMetrics = createIngestMetrics(selfMetrics);
  let ready = true;
  let app: FastifyInstance | null = null;
  let spool: Spool | null = null;
  let queue: IngestQueue | null = null;

  try {
    spool = await Spool.open(spoolDir);
    const commitFailures = selfMetrics.counter('spoor_store_commit_failures_total', 'Store transactions that failed and were retried.');
    queue = new IngestQueue(store, spool, {
      onError: (error, records) => {
        commitFailures({});
        app?.log.error({ err: error, records }, 'a commit failed; it will be retried from memory (the spool keeps the data)');
      },
    });
    const ingest = queue;
    selfMetrics.gauge('spoor_ingest_queue_records', 'Records accepted and not yet committed to the store.', () => ingest.getStats().queuedRecords);
    app = await createApp({
      query: new QueryService(store),
      accept: ({ signal, encoding, projectId, receivedUs, body, batch }) =>
        ingest.submit({ signal, encoding, projectId, receivedUs, body }, batch),
      visible: () => ingest.whenVisible(),
      selfMetrics,
      ingestMetrics,
      maxBodyBytes: config.maxBodyBytes,
      isReady: () => ready,
      logger: { level: config.logLevel },
    });
    const replayed = await queue.replay(spoolDir, (entry) =>
      decodeRequest(entry.signal, entry.encoding, entry.body, entry.projectId, entry.receivedUs).batch,
    );
    if (replayed > 0) app.log.info({ requests: replayed }, 'replayed acknowledged requests from the spool');
    logRetention(app, await applyRetention(store, config.retention, Date.now()));
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app?.close();
    await queue?.close();
    await spool?.close();
    await store.close();
    throw error;
  }
  const running = app;
  const ingest = queue;
  const openSpool = spool;
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
        // Fastify waits for in-flight requests; each of those waits for its spool write.
        await running.close();
        await ingest.close();
        await openSpool.close();
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

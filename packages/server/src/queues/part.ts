import type { Logger } from 'pino';
import type { ServeConfig } from '../config.js';
import type { DbThread } from '../dbthread/db-client.js';
import { type Part, routes } from '../parts/part.js';
import { queueRoutes } from './routes.js';
import { QueueRunner } from './runner.js';

/** What review queues need of the parts before them: the database thread, the quiet time of a complete trace and when a running span is abandoned, a log. */
interface QueueNeeds {
  thread: DbThread;
  config: Pick<ServeConfig, 'traceQuietMs' | 'staleAfterMs'>;
  log: Pick<Logger, 'error'>;
}

/**
 * Review queues: the runner that adds each filtered queue's matching traces as they complete
 * (stopped before the database thread closes), and the `/api/queues` routes.
 */
export const reviewQueuesPart: Part<QueueNeeds, { queueRunner: QueueRunner }> = {
  name: 'review queues',
  start: async (life, { thread, config, log }) => ({
    queueRunner: await life.start(
      'the review queue runner',
      () =>
        new QueueRunner({
          tick: (nowUs, quietMs, staleAfterMs) => thread.calls.queues.tick(nowUs, quietMs, staleAfterMs),
          traceQuietMs: config.traceQuietMs,
          staleAfterMs: config.staleAfterMs,
          onError: (message, data) => log.error(data, message),
        }).start(),
      (runner) => runner.close(),
    ),
  }),
  routes: ({ thread }) => [routes('queues', queueRoutes, { db: thread.calls, nowUs: () => Date.now() * 1000 })],
};

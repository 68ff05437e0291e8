import type { FastifyInstance } from 'fastify';
import { HealthAnswer, NotReadyAnswer, PrometheusAnswer, ReadyAnswer } from '../http/answers/service.js';
import type { Decoder } from '../ingest/decoder.js';
import type { SelfMetrics } from '../self-metrics.js';

export interface HealthRoutesOptions {
  /** `false` once shutdown has begun: `/ready` answers 503. */
  isReady: () => boolean;
  /** `false` while the store refuses writes (a full disk). */
  storeHealthy: () => boolean;
  selfMetrics: SelfMetrics;
  /** Prometheus text the server's parts add after its own (the default project's alert states). */
  metricsText: () => string;
  /** Keeps the span-derived metrics. */
  decoder: Decoder;
}

/**
 * Liveness, readiness and Prometheus' `/metrics`, which every server answers whatever its role.
 * They take no parameters and ignore any query (a scraper may add its own).
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRoutesOptions): Promise<void> {
  const tags = ['health'];
  app.get('/health', { schema: { summary: 'Liveness', tags, response: { 200: HealthAnswer } } }, async () => ({ status: 'ok' }));
  app.get(
    '/ready',
    { schema: { summary: 'Readiness: 503 while shutting down or while the store refuses commits', tags, response: { 200: ReadyAnswer, 503: NotReadyAnswer } } },
    async (_request, reply) => {
      if (!options.isReady()) return reply.code(503).send({ status: 'shutting_down' });
      if (!options.storeHealthy()) return reply.code(503).send({ status: 'store_unavailable' });
      return { status: 'ready' };
    },
  );
  app.get(
    '/metrics',
    {
      schema: {
        summary: "Prometheus text: span and GenAI metrics and Spoor's own health",
        tags,
        operationId: 'getPrometheusMetrics',
        response: { 200: PrometheusAnswer },
      },
    },
    async (_request, reply) => {
      const spans = await options.decoder.spanMetrics();
      return reply.type('text/plain; version=0.0.4; charset=utf-8').send(options.selfMetrics.render() + options.metricsText() + spans);
    },
  );
}

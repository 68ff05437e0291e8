import type { AlertState } from '@spoor/model';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertService } from '../alerting/alert-service.js';
import { projectOf } from './request-access.js';
import { type QueryString, invalid, limit, many, rejectUnknown, text, timeRange } from './params.js';

const STATES: readonly AlertState[] = ['pending', 'firing', 'resolved'];

/**
 * Alerting: active alerts, their history, rules (those of the rules file read-only) and
 * silences. Rules and silences made here are saved in the store.
 */
export async function alertRoutes(app: FastifyInstance, options: { alertsFor: (projectId: string) => Promise<AlertService> }): Promise<void> {
  /** The alerting of the request's project. */
  const alertsOf = (request: FastifyRequest): Promise<AlertService> => options.alertsFor(projectOf(request));
  const q = (request: { query: unknown }): QueryString => request.query as QueryString;

  app.get('/api/alerts', async (request) => {
    rejectUnknown(q(request), ['state']);
    const states = many(q(request), 'state').flatMap((s) => s.split(','));
    for (const s of states) if (!STATES.includes(s as AlertState)) throw invalid('state', `must be pending, firing or resolved, not '${s}'`);
    return (await alertsOf(request)).alerts(states.length === 0 ? ['pending', 'firing'] : (states as AlertState[]));
  });

  app.get('/api/alerts/history', async (request) => {
    rejectUnknown(q(request), ['from', 'to', 'rule', 'limit', 'cursor']);
    return (await alertsOf(request)).history(timeRange(q(request)), text(q(request), 'rule'), limit(q(request)), text(q(request), 'cursor'));
  });

  app.get('/api/alerts/rules', async (request) => {
    rejectUnknown(q(request), []);
    return (await alertsOf(request)).rules();
  });
  app.get<{ Params: { name: string } }>('/api/alerts/rules/:name', async (request) => {
    rejectUnknown(q(request), []);
    return (await alertsOf(request)).rule(request.params.name);
  });
  app.post('/api/alerts/rules', async (request, reply) => {
    rejectUnknown(q(request), []);
    const { rule } = await (await alertsOf(request)).saveRule(request.body, 'create', null);
    return reply.code(201).send(rule);
  });
  app.put<{ Params: { name: string } }>('/api/alerts/rules/:name', async (request, reply) => {
    rejectUnknown(q(request), []);
    const { rule, created } = await (await alertsOf(request)).saveRule(request.body, 'put', request.params.name);
    return reply.code(created ? 201 : 200).send(rule);
  });
  app.delete<{ Params: { name: string } }>('/api/alerts/rules/:name', async (request, reply) => {
    rejectUnknown(q(request), []);
    await (await alertsOf(request)).deleteRule(request.params.name);
    return reply.code(204).send();
  });

  app.get('/api/alerts/silences', async (request) => {
    rejectUnknown(q(request), ['expired']);
    const expired = text(q(request), 'expired');
    if (expired !== null && expired !== 'true' && expired !== 'false') throw invalid('expired', 'must be true or false');
    return (await alertsOf(request)).silences(expired === 'true');
  });
  app.post('/api/alerts/silences', async (request, reply) => {
    rejectUnknown(q(request), []);
    return reply.code(201).send(await (await alertsOf(request)).createSilence(request.body));
  });
  app.delete<{ Params: { id: string } }>('/api/alerts/silences/:id', async (request) => {
    rejectUnknown(q(request), []);
    return (await alertsOf(request)).expireSilence(request.params.id);
  });
}

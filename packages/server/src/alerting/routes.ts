import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ALERT_SEVERITIES, NO_DATA_BEHAVIOURS } from '@spoor/model';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertService } from './alert-service.js';
import { LIST_LIMIT, TIME_RANGE, limit, offsetCursor, oneOf, text, timeRange } from '../params/parameters.js';
import { projectOf } from '../http/request-access.js';
import { NoContent } from '../http/content.js';
import {
  AlertHistoryResponse,
  AlertListResponse,
  AlertReceiver,
  AlertReceiverListResponse,
  AlertRule,
  AlertRuleListResponse,
  Silence,
  SilenceListResponse,
} from './answers.js';

const STATES = ['pending', 'firing', 'resolved'] as const;

const ALERT_LIST = Type.Object(
  { state: Type.Optional(Type.Array(oneOf([...STATES]), { description: 'the states to show, repeated or separated by commas (default pending,firing)' })) },
  { additionalProperties: false },
);
const HISTORY = Type.Object(
  { ...TIME_RANGE, rule: Type.Optional(text("one rule's entries")), limit: limit(LIST_LIMIT), cursor: offsetCursor() },
  { additionalProperties: false },
);
const SILENCE_LIST = Type.Object({ expired: Type.Optional(Type.Boolean({ description: 'also the silences that ended' })) }, { additionalProperties: false });
const RULE_PATH = Type.Object({ name: Type.String({ description: "the rule's name" }) });
const SILENCE_PATH = Type.Object({ id: Type.String({ description: "the silence's id" }) });

const durationText = (description: string) => Type.Optional(Type.String({ description: `${description}: a duration with a unit, like 30s, 5m, 4h` }));
const receivers = Type.Array(Type.String(), { description: 'receiver names' });

/**
 * A rule as the rules file holds one. Its shape is checked here; its meaning (the expression, the
 * receivers named, the durations, the templates) by the rule parser the file shares, whose
 * answers start `invalid rule:`.
 */
function ruleBody(nameRequired: boolean) {
  const name = Type.String({ minLength: 1, description: 'unique in the project; the alertname label' });
  return Type.Object(
    {
      name: nameRequired ? name : Type.Optional(name),
      expr: Type.String({ minLength: 1, description: 'the expression, such as p95(duration_ms{service="rag"})[5m] > 3000' }),
      for: durationText('how long the condition holds before the alert fires (default 0s)'),
      keepFiringFor: durationText('how long it keeps firing once the condition cleared (default 0s)'),
      severity: Type.Optional(oneOf([...ALERT_SEVERITIES], { description: 'the severity of an expression with its own comparison (default warning)' })),
      thresholds: Type.Optional(
        Type.Object(
          {
            op: Type.Optional(oneOf(['>', '>=', '<', '<=', '==', '!='], { description: 'the comparison (default >)' })),
            warning: Type.Optional(Type.Number()),
            critical: Type.Optional(Type.Number()),
          },
          { additionalProperties: false, description: 'two thresholds for an expression without a comparison' },
        ),
      ),
      labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: "the alerts' labels" })),
      annotations: Type.Optional(
        Type.Record(Type.String(), Type.String(), { description: 'texts templated with {{ $value }}, {{ $threshold }}, {{ $labels.<name> }}' }),
      ),
      groupBy: Type.Optional(
        Type.Array(Type.String({ minLength: 1 }), { description: 'the labels grouping alerts into one notification (default alertname)' }),
      ),
      noData: Type.Optional(oneOf([...NO_DATA_BEHAVIOURS], { description: 'what no data means (default ok)' })),
      notify: Type.Optional(
        Type.Union(
          [
            receivers,
            Type.Object(
              { info: Type.Optional(receivers), warning: Type.Optional(receivers), critical: Type.Optional(receivers) },
              { additionalProperties: false },
            ),
          ],
          {
            description: 'receiver names, for every severity or per severity',
            'x-must-be': 'a list of receiver names, or an object of them per severity (info, warning, critical)',
          },
        ),
      ),
      groupWait: durationText('wait before the first notification of a new group'),
      groupInterval: durationText('wait before notifying a group again about alerts added to it'),
      repeatInterval: durationText('the cooldown before an unchanged firing group is notified again'),
    },
    { title: 'Rule', additionalProperties: false },
  );
}
const NEW_RULE = ruleBody(true);
const PUT_RULE = ruleBody(false);

const RECEIVER_PATH = Type.Object({ name: Type.String({ description: "the receiver's name" }) });
const delivery = {
  timeout: durationText('per attempt (default 10s)'),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'attempts before giving up, the first included (default 5)' })),
};
/**
 * A receiver as the rules file holds one, with exactly one kind. Its shape is checked here; its
 * meaning (URLs, headers, durations, where it may post) by the receivers' own checks, whose
 * answers start `invalid receiver:`.
 */
function receiverBody(nameRequired: boolean) {
  const name = Type.String({ minLength: 1, description: 'unique in the project; what rules name in notify' });
  const url = Type.String({ minLength: 1, description: 'http(s)' });
  return Type.Object(
    {
      name: nameRequired ? name : Type.Optional(name),
      webhook: Type.Optional(
        Type.Object(
          {
            url,
            secret: Type.Optional(Type.String({ minLength: 1, description: 'signs each body (X-Spoor-Signature); never shown again' })),
            headers: Type.Optional(
              Type.Record(Type.String(), Type.String(), { description: 'extra headers, such as a token; their values are never shown again' }),
            ),
            ...delivery,
          },
          { additionalProperties: false, description: "a JSON POST shaped like Alertmanager's" },
        ),
      ),
      slack: Type.Optional(
        Type.Object(
          { url, channel: Type.Optional(Type.String({ minLength: 1, description: "such as '#alerts'" })), ...delivery },
          { additionalProperties: false, description: 'a Slack (or compatible) incoming webhook' },
        ),
      ),
      log: Type.Optional(
        Type.Object({ level: Type.Optional(oneOf(['info', 'warn', 'error'])) }, { additionalProperties: false, description: "one line in Spoor's log" }),
      ),
    },
    { title: 'Receiver', additionalProperties: false },
  );
}
const NEW_RECEIVER = receiverBody(true);
const PUT_RECEIVER = receiverBody(false);

/** A silence; its times and matchers are read by the alerting (`silenceFrom`). */
const SILENCE = Type.Object(
  {
    matchers: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'a label name' }),
          op: oneOf(['=', '!=', '=~', '!~']),
          value: Type.String({ description: 'the text, or an RE2 expression for =~ and !~' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'the alerts it silences: every matcher holds' },
    ),
    startsAt: Type.Optional(Type.String({ description: 'ISO-8601 (default now)' })),
    endsAt: Type.Optional(Type.String({ description: "ISO-8601; 'endsAt' or 'duration', not both" })),
    duration: Type.Optional(Type.String({ description: 'such as 2h or 30m' })),
    createdBy: Type.String({ description: 'who silences, so others can ask' }),
    comment: Type.Optional(Type.String()),
  },
  { title: 'Silence', additionalProperties: false },
);

/**
 * Alerting: active alerts, their history, rules (those of the rules file read-only) and
 * silences. Rules and silences made here are saved in the store.
 */
export async function alertRoutes(instance: FastifyInstance, options: { alertsFor: (projectId: string) => Promise<AlertService> }): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  /** The alerting of the request's project. */
  const alertsOf = (request: FastifyRequest): Promise<AlertService> => options.alertsFor(projectOf(request));
  const tags = ['alerts'];

  app.get('/api/alerts', { schema: { summary: 'Active alerts', tags, querystring: ALERT_LIST, response: { 200: AlertListResponse } } }, async (request) => {
    const states = request.query.state ?? ['pending', 'firing'];
    return (await alertsOf(request)).alerts(states);
  });
  app.get(
    '/api/alerts/history',
    { schema: { summary: 'State changes and notifications, newest first', tags, querystring: HISTORY, response: { 200: AlertHistoryResponse } } },
    async (request) => {
      const q = request.query;
      return (await alertsOf(request)).history(timeRange(q), q.rule ?? null, q.limit ?? LIST_LIMIT.fallback, q.cursor ?? null);
    },
  );

  app.get(
    '/api/alerts/rules',
    { schema: { summary: 'The rules, with their source and health', tags, response: { 200: AlertRuleListResponse } } },
    async (request) => (await alertsOf(request)).rules(),
  );
  app.get('/api/alerts/rules/:name', { schema: { summary: 'One rule', tags, params: RULE_PATH, response: { 200: AlertRule } } }, async (request) =>
    (await alertsOf(request)).rule(request.params.name),
  );
  app.post('/api/alerts/rules', { schema: { summary: 'Make a rule', tags, body: NEW_RULE, response: { 201: AlertRule } } }, async (request, reply) => {
    const { rule } = await (await alertsOf(request)).saveRule(request.body, 'create', null);
    return reply.code(201).send(rule);
  });
  app.put(
    '/api/alerts/rules/:name',
    { schema: { summary: 'Make or replace a rule', tags, params: RULE_PATH, body: PUT_RULE, response: { 200: AlertRule, 201: AlertRule } } },
    async (request, reply) => {
      const { rule, created } = await (await alertsOf(request)).saveRule(request.body, 'put', request.params.name);
      return reply.code(created ? 201 : 200).send(rule);
    },
  );
  app.delete(
    '/api/alerts/rules/:name',
    { schema: { summary: 'Remove a rule made through the API', tags, params: RULE_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await (await alertsOf(request)).deleteRule(request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/alerts/receivers',
    {
      schema: {
        summary: "Where notifications go: the rules file's receivers (read-only) and those made here",
        tags,
        response: { 200: AlertReceiverListResponse },
      },
    },
    async (request) => (await alertsOf(request)).receivers(),
  );
  app.get(
    '/api/alerts/receivers/:name',
    { schema: { summary: 'One receiver (never its secrets)', tags, params: RECEIVER_PATH, response: { 200: AlertReceiver } } },
    async (request) => (await alertsOf(request)).receiver(request.params.name),
  );
  app.post(
    '/api/alerts/receivers',
    { schema: { summary: 'Make a receiver, in force at once', tags, body: NEW_RECEIVER, response: { 201: AlertReceiver } } },
    async (request, reply) => {
      const { receiver } = await (await alertsOf(request)).saveReceiver(request.body, 'create', null);
      return reply.code(201).send(receiver);
    },
  );
  app.put(
    '/api/alerts/receivers/:name',
    {
      schema: {
        summary: 'Make or replace a receiver (send its secret and headers again)',
        tags,
        params: RECEIVER_PATH,
        body: PUT_RECEIVER,
        response: { 200: AlertReceiver, 201: AlertReceiver },
      },
    },
    async (request, reply) => {
      const { receiver, created } = await (await alertsOf(request)).saveReceiver(request.body, 'put', request.params.name);
      return reply.code(created ? 201 : 200).send(receiver);
    },
  );
  app.delete(
    '/api/alerts/receivers/:name',
    { schema: { summary: 'Remove a receiver made through the API (no rule may name it)', tags, params: RECEIVER_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      await (await alertsOf(request)).deleteReceiver(request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/alerts/silences',
    {
      schema: {
        summary: 'Silences in force (and, with expired=true, those that ended)',
        tags,
        querystring: SILENCE_LIST,
        response: { 200: SilenceListResponse },
      },
    },
    async (request) => (await alertsOf(request)).silences(request.query.expired === true),
  );
  app.post(
    '/api/alerts/silences',
    { schema: { summary: 'Silence the alerts matching labels for a while', tags, body: SILENCE, response: { 201: Silence } } },
    async (request, reply) => reply.code(201).send(await (await alertsOf(request)).createSilence(request.body)),
  );
  app.delete(
    '/api/alerts/silences/:id',
    { schema: { summary: 'End a silence now', tags, params: SILENCE_PATH, response: { 200: Silence } } },
    async (request) => (await alertsOf(request)).expireSilence(request.params.id),
  );
}

import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';

/** The answer schemas of `@spoor/model`'s alerts types, each pinned to its type. */

export const LabelMatcher = Type.Object(
  {
    name: Type.String(),
    op: Type.Union([Type.Literal('='), Type.Literal('!='), Type.Literal('=~'), Type.Literal('!~')]),
    value: Type.String(),
  },
  { additionalProperties: false },
);

export const AlertSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);

export const NoDataBehaviour = Type.Union([Type.Literal('ok'), Type.Literal('alerting'), Type.Literal('keep'), Type.Literal('nodata')]);

export const ThresholdOp = Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<='), Type.Literal('=='), Type.Literal('!=')]);

export const AlertRuleSpec = Type.Object(
  {
    name: Type.String(),
    expr: Type.String(),
    for: Type.Optional(Type.String()),
    keepFiringFor: Type.Optional(Type.String()),
    severity: Type.Optional(AlertSeverity),
    thresholds: Type.Optional(
      Type.Object(
        {
          op: Type.Optional(ThresholdOp),
          warning: Type.Optional(Type.Number()),
          critical: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    groupBy: Type.Optional(Type.Array(Type.String())),
    noData: Type.Optional(NoDataBehaviour),
    notify: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Partial(Type.Record(AlertSeverity, Type.Array(Type.String())))])),
    groupWait: Type.Optional(Type.String()),
    groupInterval: Type.Optional(Type.String()),
    repeatInterval: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const AlertRuleSource = Type.Union([Type.Literal('file'), Type.Literal('api'), Type.Literal('default')]);

export const AlertRule = Type.Object(
  {
    spec: AlertRuleSpec,
    source: AlertRuleSource,
    createdAt: Type.String(),
    updatedAt: Type.String(),
    health: Type.Object(
      {
        lastEvaluatedAt: Type.Union([Type.String(), Type.Null()]),
        durationMs: Type.Union([Type.Number(), Type.Null()]),
        error: Type.Union([Type.String(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const AlertRuleListResponse = Type.Object(
  {
    rules: Type.Array(AlertRule),
    file: Type.Union([
      Type.Object(
        {
          path: Type.String(),
          error: Type.Union([Type.String(), Type.Null()]),
          loadedAt: Type.Union([Type.String(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    receivers: Type.Array(Type.String()),
    unrouted: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const AlertReceiverSource = Type.Union([Type.Literal('file'), Type.Literal('api'), Type.Literal('builtin')]);

export const AlertReceiver = Type.Object(
  {
    name: Type.String(),
    source: AlertReceiverSource,
    kind: Type.Union([Type.Literal('webhook'), Type.Literal('slack'), Type.Literal('log')]),
    inForce: Type.Boolean(),
    url: nullable(Type.String()),
    signed: Type.Boolean(),
    headers: Type.Array(Type.String()),
    channel: nullable(Type.String()),
    level: Type.Union([Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Null()]),
    timeout: nullable(Type.String()),
    maxAttempts: Type.Union([Type.Integer(), Type.Null()]),
    usedBy: Type.Array(Type.String()),
    createdAt: nullable(Type.String()),
    updatedAt: nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const AlertReceiverListResponse = Type.Object(
  {
    receivers: Type.Array(AlertReceiver),
    file: Type.Union([Type.Object({ path: Type.String(), error: nullable(Type.String()) }, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const AlertState = Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]);

export const Alert = Type.Object(
  {
    rule: Type.String(),
    labels: Type.Record(Type.String(), Type.String()),
    annotations: Type.Record(Type.String(), Type.String()),
    state: AlertState,
    severity: AlertSeverity,
    value: Type.Union([Type.Number(), Type.Null()]),
    threshold: Type.Union([Type.Number(), Type.Null()]),
    activeSince: Type.String(),
    firingSince: Type.Union([Type.String(), Type.Null()]),
    resolvedAt: Type.Union([Type.String(), Type.Null()]),
    lastEvaluatedAt: Type.String(),
    silenced: Type.Boolean(),
    inhibited: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const AlertListResponse = Type.Object(
  {
    alerts: Type.Array(Alert),
  },
  { additionalProperties: false },
);

export const SilenceRequest = Type.Object(
  {
    matchers: Type.Array(LabelMatcher),
    startsAt: Type.Optional(Type.String()),
    endsAt: Type.Optional(Type.String()),
    duration: Type.Optional(Type.String()),
    createdBy: Type.String(),
    comment: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const AlertHistoryEntry = Type.Object(
  {
    time: Type.String(),
    rule: Type.String(),
    labels: Type.Record(Type.String(), Type.String()),
    kind: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved'), Type.Literal('notified'), Type.Literal('notify_failed')]),
    severity: AlertSeverity,
    value: Type.Union([Type.Number(), Type.Null()]),
    receiver: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const AlertHistoryResponse = Type.Object(
  {
    entries: Type.Array(AlertHistoryEntry),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const Silence = Type.Object(
  {
    id: Type.String(),
    matchers: Type.Array(LabelMatcher),
    startsAt: Type.String(),
    endsAt: Type.String(),
    createdBy: Type.String(),
    comment: Type.String(),
  },
  { additionalProperties: false },
);

export const SilenceListResponse = Type.Object(
  {
    silences: Type.Array(Silence),
  },
  { additionalProperties: false },
);
agree<Static<typeof AlertSeverity>, model.AlertSeverity>(true);
agree<Static<typeof NoDataBehaviour>, model.NoDataBehaviour>(true);
agree<Static<typeof ThresholdOp>, model.ThresholdOp>(true);
agree<Static<typeof AlertRuleSpec>, model.AlertRuleSpec>(true);
agree<Static<typeof AlertRuleSource>, model.AlertRuleSource>(true);
agree<Static<typeof AlertRule>, model.AlertRule>(true);
agree<Static<typeof AlertRuleListResponse>, model.AlertRuleListResponse>(true);
agree<Static<typeof AlertState>, model.AlertState>(true);
agree<Static<typeof Alert>, model.Alert>(true);
agree<Static<typeof AlertListResponse>, model.AlertListResponse>(true);
agree<Static<typeof SilenceRequest>, model.SilenceRequest>(true);
agree<Static<typeof AlertHistoryEntry>, model.AlertHistoryEntry>(true);
agree<Static<typeof AlertHistoryResponse>, model.AlertHistoryResponse>(true);
agree<Static<typeof LabelMatcher>, model.LabelMatcher>(true);
agree<Static<typeof Silence>, model.Silence>(true);
agree<Static<typeof SilenceListResponse>, model.SilenceListResponse>(true);
agree<Static<typeof AlertReceiverSource>, model.AlertReceiverSource>(true);
agree<Static<typeof AlertReceiver>, model.AlertReceiver>(true);
agree<Static<typeof AlertReceiverListResponse>, model.AlertReceiverListResponse>(true);

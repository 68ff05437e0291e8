import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';
import { ApiScope, AttributeValue, Attributes, InstrumentationScope, Resource } from './attributes.js';

/** The answer schemas of `@spoor/model`'s log types, each pinned to its type. */

export const LogRecordData = Type.Object(
  {
    projectId: Type.String(),
    logId: Type.String(),
    timeUs: Type.Number(),
    observedTimeUs: Type.Number(),
    traceId: Type.Union([Type.String(), Type.Null()]),
    spanId: Type.Union([Type.String(), Type.Null()]),
    flags: Type.Number(),
    severityNumber: Type.Number(),
    severityText: Type.String(),
    body: AttributeValue,
    bodyBytes: Type.Optional(Type.Boolean()),
    attributes: Attributes,
    resource: Resource,
    scope: InstrumentationScope,
    serviceName: Type.String(),
    eventName: Type.String(),
    droppedAttributesCount: Type.Number(),
  },
  { additionalProperties: false },
);

export const LogRecord = Type.Object(
  {
    logId: Type.String(),
    time: Type.String(),
    observedTime: Type.String(),
    traceId: Type.Union([Type.String(), Type.Null()]),
    spanId: Type.Union([Type.String(), Type.Null()]),
    flags: Type.Number(),
    severityNumber: Type.Number(),
    severityText: Type.String(),
    body: AttributeValue,
    bodyBytes: Type.Boolean(),
    attributes: Attributes,
    resource: Attributes,
    resourceSchemaUrl: Type.String(),
    scope: ApiScope,
    serviceName: Type.String(),
    eventName: Type.String(),
    droppedAttributesCount: Type.Number(),
  },
  { additionalProperties: false },
);

export const SeverityName = literals(['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const);
agree<Static<typeof LogRecordData>, model.LogRecordData>(true);
agree<Static<typeof LogRecord>, model.LogRecord>(true);
agree<Static<typeof SeverityName>, model.SeverityName>(true);

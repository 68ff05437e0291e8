import { type Static, Type } from '@sinclair/typebox';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { ApiScope, Attributes, InstrumentationScope, Resource } from './attributes.js';

/** The answer schemas of `@spoor/model`'s span types, each pinned to its type. */

export const SpanKind = Type.Union([
  Type.Literal('unspecified'),
  Type.Literal('internal'),
  Type.Literal('server'),
  Type.Literal('client'),
  Type.Literal('producer'),
  Type.Literal('consumer'),
]);

export const StatusCode = Type.Union([Type.Literal('unset'), Type.Literal('ok'), Type.Literal('error')]);

export const SpanStatus = Type.Object(
  {
    code: StatusCode,
    message: Type.String(),
  },
  { additionalProperties: false },
);

export const SpanCategory = Type.Union([
  Type.Literal('workflow'),
  Type.Literal('agent'),
  Type.Literal('step'),
  Type.Literal('llm'),
  Type.Literal('tool'),
  Type.Literal('retriever'),
  Type.Literal('embedding'),
  Type.Literal('other'),
]);

export const CostSource = Type.Union([Type.Literal('reported'), Type.Literal('price_table')]);

export const LlmFields = Type.Object(
  {
    provider: Type.Union([Type.String(), Type.Null()]),
    operation: Type.Union([Type.String(), Type.Null()]),
    requestModel: Type.Union([Type.String(), Type.Null()]),
    responseModel: Type.Union([Type.String(), Type.Null()]),
    inputTokens: Type.Union([Type.Number(), Type.Null()]),
    outputTokens: Type.Union([Type.Number(), Type.Null()]),
    totalTokens: Type.Union([Type.Number(), Type.Null()]),
    cacheReadInputTokens: Type.Union([Type.Number(), Type.Null()]),
    cacheCreationInputTokens: Type.Union([Type.Number(), Type.Null()]),
    reasoningTokens: Type.Union([Type.Number(), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    costSource: Type.Union([CostSource, Type.Null()]),
    timeToFirstTokenMs: Type.Union([Type.Number(), Type.Null()]),
    finishReasons: Type.Union([Type.Array(Type.String()), Type.Null()]),
  },
  { additionalProperties: false },
);

export const SpanEventRecord = Type.Object(
  {
    timeUs: Type.Number(),
    name: Type.String(),
    attributes: Attributes,
    droppedAttributesCount: Type.Number(),
  },
  { additionalProperties: false },
);

export const SpanLink = Type.Object(
  {
    traceId: Type.String(),
    spanId: Type.String(),
    traceState: Type.String(),
    attributes: Attributes,
    droppedAttributesCount: Type.Number(),
    flags: Type.Number(),
  },
  { additionalProperties: false },
);

export const SpanRecord = Type.Object(
  {
    projectId: Type.String(),
    traceId: Type.String(),
    spanId: Type.String(),
    parentSpanId: Type.Union([Type.String(), Type.Null()]),
    traceState: Type.String(),
    flags: Type.Number(),
    name: Type.String(),
    kind: SpanKind,
    serviceName: Type.String(),
    startTimeUs: Type.Number(),
    endTimeUs: Type.Number(),
    status: SpanStatus,
    attributes: Attributes,
    resource: Resource,
    scope: InstrumentationScope,
    events: Type.Array(SpanEventRecord),
    links: Type.Array(SpanLink),
    droppedAttributesCount: Type.Number(),
    droppedEventsCount: Type.Number(),
    droppedLinksCount: Type.Number(),
    llm: Type.Union([LlmFields, Type.Null()]),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
    category: SpanCategory,
  },
  { additionalProperties: false },
);

export const SpanEvent = Type.Object(
  {
    time: Type.String(),
    name: Type.String(),
    attributes: Attributes,
    droppedAttributesCount: Type.Number(),
  },
  { additionalProperties: false },
);

export const Span = Type.Object(
  {
    traceId: Type.String(),
    spanId: Type.String(),
    parentSpanId: Type.Union([Type.String(), Type.Null()]),
    traceState: Type.String(),
    flags: Type.Number(),
    name: Type.String(),
    kind: SpanKind,
    serviceName: Type.String(),
    startTime: Type.String(),
    endTime: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Number(),
    status: SpanStatus,
    attributes: Attributes,
    resource: Attributes,
    resourceSchemaUrl: Type.String(),
    scope: ApiScope,
    events: Type.Array(SpanEvent),
    links: Type.Array(SpanLink),
    droppedAttributesCount: Type.Number(),
    droppedEventsCount: Type.Number(),
    droppedLinksCount: Type.Number(),
    llm: Type.Union([LlmFields, Type.Null()]),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
    category: SpanCategory,
    depth: Type.Number(),
    state: Type.Optional(Type.Union([Type.Literal('running'), Type.Literal('abandoned')])),
  },
  { additionalProperties: false },
);

export const SpanState = Type.Union([Type.Literal('ended'), Type.Literal('running'), Type.Literal('abandoned')]);

export const ChatPart = Type.Union([
  Type.Object(
    {
      type: Type.Literal('text'),
      content: Type.String(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('reasoning'),
      content: Type.String(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('tool_call'),
      id: Type.Union([Type.String(), Type.Null()]),
      name: Type.String(),
      arguments: Type.Unknown(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('tool_call_response'),
      id: Type.Union([Type.String(), Type.Null()]),
      response: Type.Unknown(),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('other'),
      kind: Type.String(),
      content: Type.Unknown(),
    },
    { additionalProperties: false },
  ),
]);

export const ChatMessage = Type.Object(
  {
    role: Type.String(),
    parts: Type.Array(ChatPart),
    finishReason: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const LlmMessages = Type.Object(
  {
    system: Type.Array(ChatPart),
    input: Type.Array(ChatMessage),
    output: Type.Array(ChatMessage),
  },
  { additionalProperties: false },
);

export const LlmCallDetail = Type.Object(
  {
    traceId: Type.String(),
    spanId: Type.String(),
    llm: Type.Union([LlmFields, Type.Null()]),
    messages: LlmMessages,
  },
  { additionalProperties: false },
);
agree<Static<typeof SpanKind>, model.SpanKind>(true);
agree<Static<typeof StatusCode>, model.StatusCode>(true);
agree<Static<typeof SpanStatus>, model.SpanStatus>(true);
agree<Static<typeof SpanCategory>, model.SpanCategory>(true);
agree<Static<typeof CostSource>, model.CostSource>(true);
agree<Static<typeof LlmFields>, model.LlmFields>(true);
agree<Static<typeof SpanEventRecord>, model.SpanEventRecord>(true);
agree<Static<typeof SpanLink>, model.SpanLink>(true);
agree<Static<typeof SpanRecord>, model.SpanRecord>(true);
agree<Static<typeof SpanEvent>, model.SpanEvent>(true);
agree<Static<typeof Span>, model.Span>(true);
agree<Static<typeof SpanState>, model.SpanState>(true);
agree<Static<typeof ChatPart>, model.ChatPart>(true);
agree<Static<typeof ChatMessage>, model.ChatMessage>(true);
agree<Static<typeof LlmMessages>, model.LlmMessages>(true);
agree<Static<typeof LlmCallDetail>, model.LlmCallDetail>(true);

import { type Static, Type } from '@sinclair/typebox';
import { EVALUATOR_TARGETS, EVALUATOR_STATES } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';

/** The answer schemas of `@spoor/model`'s evaluator types, each pinned to its type. */

export const EvaluatorTarget = literals(EVALUATOR_TARGETS);

export const EvaluatorState = literals(EVALUATOR_STATES);

export const EvaluatorSpec = Type.Object(
  {
    name: Type.String(),
    kind: Type.String(),
    target: EvaluatorTarget,
    filter: Type.Optional(Type.String()),
    sampleRate: Type.Optional(Type.Number()),
    dailyBudgetUsd: Type.Optional(Type.Number()),
  },
  {
    additionalProperties: Type.Unknown(),
  },
);

export const Evaluator = Type.Object(
  {
    name: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    author: Type.String(),
    spec: EvaluatorSpec,
    state: EvaluatorState,
    pausedReason: Type.Union([Type.String(), Type.Null()]),
    source: Type.Union([Type.Literal('api'), Type.Literal('file')]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    scoresMade: Type.Integer({ minimum: 0 }),
    errors: Type.Integer({ minimum: 0 }),
    notApplicable: Type.Integer({ minimum: 0 }),
    costTodayUsd: Type.Number(),
  },
  { additionalProperties: false },
);

export const EvaluatorPreviewItem = Type.Object(
  {
    traceId: Type.String(),
    spanId: Type.Union([Type.String(), Type.Null()]),
    value: Type.Union([Type.Number(), Type.Null()]),
    label: Type.Union([Type.String(), Type.Null()]),
    comment: Type.Union([Type.String(), Type.Null()]),
    costUsd: Type.Number(),
    error: Type.Union([Type.String(), Type.Null()]),
    notApplicable: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const EvaluatorBackfill = Type.Object(
  {
    evaluator: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    from: Type.String(),
    to: Type.String(),
    traces: Type.Integer({ minimum: 0 }),
    sampled: Type.Integer({ minimum: 0 }),
    judged: Type.Integer({ minimum: 0 }),
    skipped: Type.Integer({ minimum: 0 }),
    errors: Type.Integer({ minimum: 0 }),
    notApplicable: Type.Integer({ minimum: 0 }),
    startedAt: Type.String(),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const EvaluatorError = Type.Object(
  {
    traceId: Type.String(),
    spanId: Type.Union([Type.String(), Type.Null()]),
    error: Type.String(),
    time: Type.String(),
  },
  { additionalProperties: false },
);

export const EvaluatorErrorsResponse = Type.Object(
  {
    errors: Type.Array(EvaluatorError),
  },
  { additionalProperties: false },
);
agree<Static<typeof EvaluatorTarget>, model.EvaluatorTarget>(true);
agree<Static<typeof EvaluatorState>, model.EvaluatorState>(true);
agree<Static<typeof EvaluatorSpec>, model.EvaluatorSpec>(true);
agree<Static<typeof Evaluator>, model.Evaluator>(true);
agree<Static<typeof EvaluatorPreviewItem>, model.EvaluatorPreviewItem>(true);
agree<Static<typeof EvaluatorBackfill>, model.EvaluatorBackfill>(true);
agree<Static<typeof EvaluatorError>, model.EvaluatorError>(true);
agree<Static<typeof EvaluatorErrorsResponse>, model.EvaluatorErrorsResponse>(true);

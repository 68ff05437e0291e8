import { type Static, Type } from '@sinclair/typebox';
import { EXPERIMENT_STATES } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';
import { JsonValue } from './dataset.js';
import { TextDiffLine, TraceDiff } from './diff.js';

/** The answer schemas of `@spoor/model`'s experiment types, each pinned to its type. */

export const ExperimentTarget = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('llm-call'),
      provider: Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('demo')]),
      model: Type.String(),
      system: Type.Optional(Type.String()),
      temperature: Type.Optional(Type.Number()),
      maxTokens: Type.Optional(Type.Number()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('prompt'),
      name: Type.String(),
      version: Type.Integer({ minimum: 1 }),
      provider: Type.Union([Type.Literal('openai'), Type.Literal('anthropic'), Type.Literal('demo')]),
      model: Type.Optional(Type.String()),
      temperature: Type.Optional(Type.Number()),
      maxTokens: Type.Optional(Type.Number()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('sdk'),
      replay: Type.Union([Type.Literal('none'), Type.Literal('tools'), Type.Literal('all-but-target')]),
    },
    { additionalProperties: false },
  ),
]);

export const ExperimentState = literals(EXPERIMENT_STATES);

export const ExperimentScoreSummary = Type.Object(
  {
    name: Type.String(),
    mean: Type.Union([Type.Number(), Type.Null()]),
    count: Type.Integer({ minimum: 0 }),
    labels: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const Experiment = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    dataset: Type.String(),
    datasetVersion: Type.Integer({ minimum: 1 }),
    target: ExperimentTarget,
    evaluators: Type.Array(Type.String()),
    metadata: Type.Record(Type.String(), JsonValue),
    state: ExperimentState,
    error: Type.Union([Type.String(), Type.Null()]),
    itemCount: Type.Integer({ minimum: 0 }),
    itemsDone: Type.Integer({ minimum: 0 }),
    itemsErrored: Type.Integer({ minimum: 0 }),
    inputTokens: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    outputTokens: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Integer({ minimum: 0 }),
    latencyMsMean: Type.Union([Type.Number(), Type.Null()]),
    scores: Type.Array(ExperimentScoreSummary),
    createdAt: Type.String(),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ExperimentResult = Type.Object(
  {
    itemId: Type.String(),
    traceId: Type.Union([Type.String(), Type.Null()]),
    spanId: Type.Union([Type.String(), Type.Null()]),
    input: JsonValue,
    expectedOutput: Type.Union([JsonValue, Type.Null()]),
    output: Type.Union([JsonValue, Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    latencyMs: Type.Union([Type.Number(), Type.Null()]),
    inputTokens: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    outputTokens: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    costUsd: Type.Union([Type.Number(), Type.Null()]),
    unpricedCalls: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    scores: Type.Record(
      Type.String(),
      Type.Object(
        {
          value: Type.Union([Type.Number(), Type.Null()]),
          label: Type.Union([Type.String(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    time: Type.String(),
  },
  { additionalProperties: false },
);

export const NewExperiment = Type.Object(
  {
    dataset: Type.String(),
    datasetVersion: Type.Optional(Type.Number()),
    name: Type.String(),
    target: ExperimentTarget,
    evaluators: Type.Optional(Type.Array(Type.String())),
    metadata: Type.Optional(Type.Record(Type.String(), JsonValue)),
    concurrency: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);

export const NewExperimentResult = Type.Object(
  {
    itemId: Type.String(),
    traceId: Type.Union([Type.String(), Type.Null()]),
    output: Type.Optional(JsonValue),
    error: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    latencyMs: Type.Optional(Type.Number()),
    scores: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String(),
            value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            label: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            comment: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

export const ExperimentListResponse = Type.Object(
  {
    experiments: Type.Array(Experiment),
  },
  { additionalProperties: false },
);

export const ExperimentResultsResponse = Type.Object(
  {
    experiment: Type.String(),
    results: Type.Array(ExperimentResult),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ItemVerdict = Type.Union([
  Type.Literal('better'),
  Type.Literal('worse'),
  Type.Literal('same'),
  Type.Literal('errored'),
  Type.Literal('fixed'),
  Type.Literal('missing'),
]);

export const ComparedItem = Type.Object(
  {
    itemId: Type.String(),
    input: JsonValue,
    expectedOutput: Type.Union([JsonValue, Type.Null()]),
    a: Type.Union([ExperimentResult, Type.Null()]),
    b: Type.Union([ExperimentResult, Type.Null()]),
    outputDiff: Type.Array(TextDiffLine),
    scores: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          a: Type.Union([Type.Number(), Type.Null()]),
          b: Type.Union([Type.Number(), Type.Null()]),
          delta: Type.Union([Type.Number(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    deltas: Type.Object(
      {
        inputTokens: Type.Union([Type.Integer(), Type.Null()]),
        outputTokens: Type.Union([Type.Integer(), Type.Null()]),
        costUsd: Type.Union([Type.Number(), Type.Null()]),
        latencyMs: Type.Union([Type.Number(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    verdict: ItemVerdict,
    traceDiff: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ComparedScore = Type.Object(
  {
    name: Type.String(),
    meanA: Type.Union([Type.Number(), Type.Null()]),
    meanB: Type.Union([Type.Number(), Type.Null()]),
    delta: Type.Union([Type.Number(), Type.Null()]),
    pairs: Type.Integer({ minimum: 0 }),
    better: Type.Integer({ minimum: 0 }),
    worse: Type.Integer({ minimum: 0 }),
    wilcoxon: Type.Union([
      Type.Object(
        {
          n: Type.Integer({ minimum: 0 }),
          w: Type.Number(),
          z: Type.Union([Type.Number(), Type.Null()]),
          pValue: Type.Number(),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    labelsA: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    labelsB: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const ExperimentComparison = Type.Object(
  {
    a: Experiment,
    b: Experiment,
    scores: Type.Array(ComparedScore),
    deltas: Type.Object(
      {
        inputTokens: Type.Union([Type.Integer(), Type.Null()]),
        outputTokens: Type.Union([Type.Integer(), Type.Null()]),
        costUsd: Type.Union([Type.Number(), Type.Null()]),
        latencyMsMean: Type.Union([Type.Number(), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    verdicts: Type.Record(ItemVerdict, Type.Integer({ minimum: 0 })),
    items: Type.Array(ComparedItem),
  },
  { additionalProperties: false },
);

export const ComparedItemDetail = Type.Composite(
  [
    ComparedItem,
    Type.Object(
      {
        traceDiffDetail: Type.Union([TraceDiff, Type.Null()]),
      },
      { additionalProperties: false },
    ),
  ],
  { additionalProperties: false },
);

export const Regressions = Type.Object(
  {
    scores: Type.Array(ComparedScore),
    errored: Type.Number(),
    unknownMetric: Type.Boolean(),
  },
  { additionalProperties: false },
);
agree<Static<typeof ExperimentTarget>, model.ExperimentTarget>(true);
agree<Static<typeof ExperimentState>, model.ExperimentState>(true);
agree<Static<typeof ExperimentScoreSummary>, model.ExperimentScoreSummary>(true);
agree<Static<typeof Experiment>, model.Experiment>(true);
agree<Static<typeof ExperimentResult>, model.ExperimentResult>(true);
agree<Static<typeof NewExperiment>, model.NewExperiment>(true);
agree<Static<typeof NewExperimentResult>, model.NewExperimentResult>(true);
agree<Static<typeof ExperimentListResponse>, model.ExperimentListResponse>(true);
agree<Static<typeof ExperimentResultsResponse>, model.ExperimentResultsResponse>(true);
agree<Static<typeof ItemVerdict>, model.ItemVerdict>(true);
agree<Static<typeof ComparedItem>, model.ComparedItem>(true);
agree<Static<typeof ComparedScore>, model.ComparedScore>(true);
agree<Static<typeof ExperimentComparison>, model.ExperimentComparison>(true);
agree<Static<typeof ComparedItemDetail>, model.ComparedItemDetail>(true);
agree<Static<typeof Regressions>, model.Regressions>(true);

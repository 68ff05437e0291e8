import { type Static, Type } from '@sinclair/typebox';
import { SCORE_STATS_GROUPS } from '@spoor/model';
import type * as model from '@spoor/model';
import { agree } from '../agree.js';
import { literals } from '../../content.js';
import { TimeRange } from './api.js';

/** The answer schemas of `@spoor/model`'s score-stats types, each pinned to its type. */

export const ScoreStatsGroup = literals(SCORE_STATS_GROUPS);

export const ScoreStatsQuery = Type.Object(
  {
    projectId: Type.String(),
    range: TimeRange,
    by: ScoreStatsGroup,
    name: Type.Union([Type.String(), Type.Null()]),
    limit: Type.Number(),
  },
  { additionalProperties: false },
);

export const ScoreStatsRow = Type.Object(
  {
    name: Type.String(),
    key: Type.Union([Type.String(), Type.Null()]),
    count: Type.Number(),
    mean: Type.Union([Type.Number(), Type.Null()]),
    p50: Type.Union([Type.Number(), Type.Null()]),
    p90: Type.Union([Type.Number(), Type.Null()]),
    labels: Type.Record(Type.String(), Type.Number()),
  },
  { additionalProperties: false },
);

export const ScoreStatsResponse = Type.Object(
  {
    by: ScoreStatsGroup,
    groups: Type.Array(ScoreStatsRow),
  },
  { additionalProperties: false },
);

export const ScoreCompareSide = Type.Object(
  {
    count: Type.Number(),
    mean: Type.Union([Type.Number(), Type.Null()]),
    labels: Type.Record(Type.String(), Type.Number()),
  },
  { additionalProperties: false },
);

export const ScoreCompareRow = Type.Object(
  {
    name: Type.String(),
    a: Type.Union([ScoreCompareSide, Type.Null()]),
    b: Type.Union([ScoreCompareSide, Type.Null()]),
    meanDelta: Type.Union([Type.Number(), Type.Null()]),
    values: Type.Object(
      {
        test: Type.String(),
        pValue: Type.Union([Type.Number(), Type.Null()]),
        significant: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    labels: Type.Object(
      {
        test: Type.String(),
        pValue: Type.Union([Type.Number(), Type.Null()]),
        significant: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
agree<Static<typeof ScoreStatsGroup>, model.ScoreStatsGroup>(true);
agree<Static<typeof ScoreStatsQuery>, model.ScoreStatsQuery>(true);
agree<Static<typeof ScoreStatsRow>, model.ScoreStatsRow>(true);
agree<Static<typeof ScoreStatsResponse>, model.ScoreStatsResponse>(true);
agree<Static<typeof ScoreCompareSide>, model.ScoreCompareSide>(true);
agree<Static<typeof ScoreCompareRow>, model.ScoreCompareRow>(true);

import { type Static, Type } from '@sinclair/typebox';
import { agree } from '../../http/answers/agree.js';
import type { DbAnswer } from '../../dbthread/answer-types.js';
import { Score, ScoreListResponse } from '../../http/answers/model/score.js';

/** The answers of the scores API (`quality/score-routes.ts`). */

export const ScoreAnswer = Type.Object({ score: Score }, { additionalProperties: false });

agree<Static<typeof ScoreAnswer>, DbAnswer<'scores.add'>>(true);
agree<Static<typeof ScoreAnswer>, DbAnswer<'scores.get'>>(true);
agree<Static<typeof ScoreListResponse>, DbAnswer<'scores.list'>>(true);

export { ScoreListResponse };

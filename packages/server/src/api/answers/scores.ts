import { type Static, Type } from '@sinclair/typebox';
import { agree } from './agree.js';
import type { DbAnswer } from './db.js';
import { Score, ScoreListResponse } from './model/score.js';

/** The answers of the scores API (`quality/score-routes.ts`). */

export const ScoreAnswer = Type.Object({ score: Score }, { additionalProperties: false });

agree<Static<typeof ScoreAnswer>, DbAnswer<'scores.add'>>(true);
agree<Static<typeof ScoreAnswer>, DbAnswer<'scores.get'>>(true);
agree<Static<typeof ScoreListResponse>, DbAnswer<'scores.list'>>(true);

export { ScoreListResponse };

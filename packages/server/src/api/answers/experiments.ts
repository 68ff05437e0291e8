import { type Static, Type } from '@sinclair/typebox';
import type { ExperimentResult as ResultType } from '@spoor/model';
import { agree } from './agree.js';
import { ExperimentResult } from './model/experiment.js';

/** The experiments' answers (`experiment-routes.ts`) that no model type names; the rest are `model/experiment.ts`'s. */

/** What recording an SDK run's results answers: each result as stored, with its item and scores. */
export const ExperimentResultsAddedAnswer = Type.Object(
  { results: Type.Array(ExperimentResult) },
  { title: 'ExperimentResultsAdded', description: 'the results recorded, in the order sent', additionalProperties: false },
);

agree<Static<typeof ExperimentResultsAddedAnswer>, { results: ResultType[] }>(true);

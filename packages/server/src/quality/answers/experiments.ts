import { type Static, Type } from '@sinclair/typebox';
import type { ExperimentResult as ResultType } from '@spoor/model';
import { agree } from '../../http/answers/agree.js';
import type { ExperimentService } from '../experiment-service.js';
import {
  ComparedItemDetail,
  Experiment,
  ExperimentComparison,
  ExperimentListResponse,
  ExperimentResult,
  ExperimentResultsResponse,
} from '../../http/answers/model/experiment.js';

/** The experiments' answers (`quality/experiment-routes.ts`): model types' and the wrapper no model type names, pinned to what the service returns. */

type Returned<K extends keyof ExperimentService> = ExperimentService[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/** What recording an SDK run's results answers: each result as stored, with its item and scores. */
export const ExperimentResultsAddedAnswer = Type.Object(
  { results: Type.Array(ExperimentResult) },
  { title: 'ExperimentResultsAdded', description: 'the results recorded, in the order sent', additionalProperties: false },
);

agree<Static<typeof ExperimentResultsAddedAnswer>, { results: ResultType[] }>(true);
agree<Static<typeof ExperimentResultsAddedAnswer>['results'], Returned<'addResults'>>(true);
agree<Static<typeof Experiment>, Returned<'create'>>(true);
agree<Static<typeof Experiment>, Returned<'get'>>(true);
agree<Static<typeof Experiment>, Returned<'finish'>>(true);
agree<Static<typeof ExperimentListResponse>['experiments'], Returned<'list'>>(true);
agree<Static<typeof ExperimentResultsResponse>, Returned<'results'>>(true);
agree<Static<typeof ExperimentComparison>, Returned<'compare'>>(true);
agree<Static<typeof ComparedItemDetail>, Returned<'compareItem'>>(true);

export { ComparedItemDetail, Experiment, ExperimentComparison, ExperimentListResponse, ExperimentResultsResponse };

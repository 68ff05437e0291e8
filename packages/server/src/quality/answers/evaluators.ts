import { type Static, Type } from '@sinclair/typebox';
import type { Evaluator as EvaluatorType, EvaluatorPreviewItem as PreviewItemType } from '@spoor/model';
import type { EvaluatorService } from '../evaluator-service.js';
import { agree } from '../../http/answers/agree.js';
import { Evaluator, EvaluatorBackfill, EvaluatorErrorsResponse, EvaluatorPreviewItem } from '../../http/answers/model/evaluator.js';
import { Count } from '../../http/answers/values.js';

/** The evaluators' answers (`quality/evaluator-routes.ts`): model types' and the wrappers no model type names, pinned to what the service returns. */

type Returned<K extends keyof EvaluatorService> = EvaluatorService[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

export const EvaluatorListAnswer = Type.Object(
  { evaluators: Type.Array(Evaluator) },
  { title: 'EvaluatorList', description: 'every evaluator of the project, with its state, scores made, errors and cost today', additionalProperties: false },
);

export const EvaluatorPreviewAnswer = Type.Object(
  { items: Type.Array(EvaluatorPreviewItem) },
  { title: 'EvaluatorPreview', description: 'the judgements of the spec on recent matching targets, unsaved', additionalProperties: false },
);

export const EvaluatorRetryAnswer = Type.Object(
  { retried: Count, ok: Count, errors: Count, notApplicable: Count },
  {
    title: 'EvaluatorRetry',
    description: 'targets judged again: those that now have a score, failed again, or had nothing to judge',
    additionalProperties: false,
  },
);

agree<Static<typeof EvaluatorListAnswer>, { evaluators: EvaluatorType[] }>(true);
agree<Static<typeof EvaluatorPreviewAnswer>, { items: PreviewItemType[] }>(true);
agree<Static<typeof EvaluatorRetryAnswer>, Returned<'retry'>>(true);
agree<Static<typeof Evaluator>, Returned<'get'>>(true);
agree<Static<typeof Evaluator>, Returned<'save'>['evaluator']>(true);
agree<Static<typeof Evaluator>, Returned<'setState'>>(true);
agree<Static<typeof EvaluatorErrorsResponse>['errors'], Returned<'errors'>>(true);
agree<Static<typeof EvaluatorBackfill>, Returned<'startBackfill'>>(true);
agree<Static<typeof EvaluatorBackfill>, Returned<'backfill'>>(true);

export { Evaluator, EvaluatorBackfill, EvaluatorErrorsResponse };

import type { Static } from '@sinclair/typebox';
import type { SamplingService } from './service.js';
import { agree } from '../http/answers/agree.js';
import { SamplingAnswer } from '../http/answers/model/sampling.js';

/** A project's tail-sampling policy as `sampling/routes.ts` answers it, pinned to what the sampling service returns. */

agree<Static<typeof SamplingAnswer>, ReturnType<SamplingService['get']>>(true);
agree<Static<typeof SamplingAnswer>, Awaited<ReturnType<SamplingService['put']>>>(true);

export { SamplingAnswer };

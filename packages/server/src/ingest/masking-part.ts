import type { Logger } from 'pino';
import type { Part } from '../parts/part.js';
import type { Decoder } from './decoder.js';
import type { MaskingDb } from './masking-routes.js';
import { type ProjectMaskingPolicy, maskingPolicyProblem } from './masking.js';

/** What masking needs of the parts before it: its calls on the database thread, and the decoder that masks. */
export interface MaskingNeeds {
  log: Logger;
  thread: { calls: MaskingDb };
  decoder: Pick<Decoder, 'setMasking'>;
}

/**
 * The masking policies set through the API, over the `--mask` file's, for the requests decoded
 * from now on; forwarding starts with them too. Their routes are ingest's (`part.ts`), whose
 * decoder also tells the forward thread of a change.
 */
export const maskingPart: Part<MaskingNeeds, { maskingPolicies: ProjectMaskingPolicy[] }> = {
  name: 'masking',
  start: async (_life, { log, thread, decoder }) => {
    const maskingPolicies = await thread.calls.masking.list();
    for (const { projectId, policy } of maskingPolicies) {
      const problem = maskingPolicyProblem(policy);
      // Its project's requests are refused (503) until it is set again: see ProjectMasking.
      if (problem !== null)
        log.error({ projectId }, `the masking policy of project '${projectId}' cannot be used (${problem}); its requests are refused until it is set again`);
      decoder.setMasking(projectId, policy);
    }
    return { maskingPolicies };
  },
};

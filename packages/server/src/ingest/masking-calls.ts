import type { MaskingStore } from '../store/ports/access.js';
import { callGroup } from '../threads/groups.js';
import type { MaskingTimeline } from './masking-timeline.js';
import { type MaskingPolicy, type ProjectMasking, type ProjectMaskingPolicy, storedMaskingPolicy } from './masking.js';

interface MaskingDeps {
  store: { readonly masking: MaskingStore };
  /** What the database thread masks by now (scores and items sent through the API). */
  masking: ProjectMasking | null;
  /** What it masks entries read back from the spool by, by when each was received. */
  readBackMasking: MaskingTimeline | null;
}

/** Masking policies set through the API, on the database thread (`db.masking.put(…)`): saved, and in force there. */
export const maskingCalls = callGroup(({ store, masking, readBackMasking }: MaskingDeps) => ({
  list: async (): Promise<ProjectMaskingPolicy[]> =>
    (await store.masking.listPolicies()).map(({ projectId, policy, updatedUs }) => ({ projectId, policy: storedMaskingPolicy(policy), updatedUs })),
  /** Saved, and in force for what this thread reads back from the spool received from now on (and, with the one before, for what was received before). */
  put: async (projectId: string, policy: MaskingPolicy, nowUs: number): Promise<void> => {
    await store.masking.putPolicy(projectId, JSON.stringify(policy), nowUs);
    masking?.set(projectId, policy);
    readBackMasking?.set(projectId, policy, nowUs);
  },
  delete: async (projectId: string, nowUs: number): Promise<boolean> => {
    const deleted = await store.masking.deletePolicy(projectId);
    masking?.set(projectId, null);
    readBackMasking?.set(projectId, null, nowUs);
    return deleted;
  },
}));

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { coversProject } from '../auth/access-control.js';
import { ALL_PROJECTS, checkProjectName } from '../auth/keys.js';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import type { Decoder, MaskFile } from '../ingest/decoder.js';
import { MaskingPolicyError, type MaskingPolicy, filePolicyFor, redactOptionsOf } from '../ingest/masking.js';
import { type QueryString, rejectUnknown } from './params.js';

export interface MaskingRoutesOptions {
  db: DbClient;
  /** Where new policies take effect: the decoder masks every request after the answer. */
  decoder: Decoder;
  maskFile: MaskFile | null;
  nowUs: () => number;
}

/** `GET /api/projects/:projectId/masking`: the policy in force and where it comes from. */
interface MaskingAnswer {
  projectId: string;
  /** `api` (set here), `file` (`--mask`), or `none`. */
  source: 'api' | 'file' | 'none';
  policy: MaskingPolicy | null;
}

/**
 * A project's masking policy at ingest (`ingest/masking.ts`): read, set (over the `--mask` file's)
 * and removed. A key of another project finds no such project: 404.
 */
export async function maskingRoutes(app: FastifyInstance, options: MaskingRoutesOptions): Promise<void> {
  const { db, decoder, maskFile } = options;
  const projectOf = (request: FastifyRequest<{ Params: { projectId: string } }>): string => {
    const { projectId } = request.params;
    try {
      checkProjectName(projectId, 'read');
    } catch (error) {
      throw new AppError('ERR_NOT_FOUND', (error as Error).message);
    }
    if (projectId === ALL_PROJECTS || !coversProject(request.access.principal, projectId)) throw new AppError('ERR_NOT_FOUND', `no project '${projectId}'`);
    return projectId;
  };
  const answer = async (projectId: string): Promise<MaskingAnswer> => {
    const stored = (await db.listMaskingPolicies()).find((p) => p.projectId === projectId);
    if (stored !== undefined) return { projectId, source: 'api', policy: stored.policy };
    const fromFile = filePolicyFor(maskFile, projectId);
    return { projectId, source: fromFile === null ? 'none' : 'file', policy: fromFile };
  };

  app.get<{ Params: { projectId: string } }>('/api/projects/:projectId/masking', async (request) => {
    rejectUnknown(request.query as QueryString, []);
    return answer(projectOf(request));
  });

  app.put<{ Params: { projectId: string } }>('/api/projects/:projectId/masking', async (request) => {
    rejectUnknown(request.query as QueryString, []);
    const projectId = projectOf(request);
    try {
      redactOptionsOf(request.body, 'the masking policy');
    } catch (error) {
      if (error instanceof MaskingPolicyError) throw new AppError('ERR_BAD_REQUEST', error.message);
      throw error;
    }
    const policy = request.body as MaskingPolicy;
    await db.putMaskingPolicy(projectId, policy, options.nowUs());
    decoder.setMasking(projectId, policy);
    return answer(projectId);
  });

  app.delete<{ Params: { projectId: string } }>('/api/projects/:projectId/masking', async (request, reply) => {
    rejectUnknown(request.query as QueryString, []);
    const projectId = projectOf(request);
    if (!(await db.deleteMaskingPolicy(projectId))) throw new AppError('ERR_NOT_FOUND', `project '${projectId}' has no masking policy set through the API`);
    decoder.setMasking(projectId, null);
    return reply.code(204).send();
  });
}

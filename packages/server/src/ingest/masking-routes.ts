import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DETECTOR_NAMES } from '@spoor/model';
import type { FastifyInstance } from 'fastify';
import { projectInPath } from '../http/request-access.js';
import { AppError } from '../errors.js';
import type { Decoder, MaskFile } from './decoder.js';
import { MaskingPolicyError, type MaskingPolicy, filePolicyFor, redactOptionsOf } from './masking.js';
import { oneOf } from '../params/parameters.js';
import { InTurn } from '../in-turn.js';
import { NoContent } from '../http/content.js';
import { MaskingAnswer } from './answers/masking.js';
import type { Remote } from '../threads/protocol.js';
import type { maskingCalls } from './masking-calls.js';

/** What the masking routes (and the part that loads the policies at start) call on the database thread: masking's group. */
export type MaskingDb = { readonly masking: Remote<ReturnType<typeof maskingCalls.make>> };

export interface MaskingRoutesOptions {
  db: MaskingDb;
  /** Where new policies take effect: the decoder masks every request after the answer. */
  decoder: Pick<Decoder, 'setMasking'>;
  maskFile: MaskFile | null;
  nowUs: () => number;
}

/** `GET /api/projects/:projectId/masking`: the policy in force and where it comes from. */
export interface MaskingInForce {
  projectId: string;
  /** `api` (set here), `file` (`--mask`), or `none`. */
  source: 'api' | 'file' | 'none';
  policy: MaskingPolicy | null;
}

const MODE = oneOf(['mask', 'hash', 'drop'], { description: 'what a finding becomes' });

/**
 * A policy as the `--mask` file holds one (the SDK's redaction options as JSON). Its shape is
 * checked here; its patterns (RE2) and rules by the policy reader the file shares.
 */
const POLICY = Type.Object(
  {
    detectors: Type.Optional(Type.Array(oneOf([...DETECTOR_NAMES]), { description: 'the built-in detectors to run (default all; [] for none)' })),
    mode: Type.Optional(MODE),
    hashSalt: Type.Optional(Type.String({ description: 'the salt of hash mode' })),
    rules: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, description: 'the label of the replacement ([REDACTED:name])' }),
            pattern: Type.Optional(Type.String({ description: 'a regular expression (RE2) masked wherever it matches' })),
            flags: Type.Optional(Type.String({ pattern: '^[imsu]*$', description: "the pattern's flags", 'x-must-be': 'flags of i, m, s and u' })),
            key: Type.Optional(Type.String({ minLength: 1, description: 'a key name, or /regex/ over key names, whose values are secret' })),
            mode: Type.Optional(MODE),
          },
          { additionalProperties: false },
        ),
        { description: 'rules by pattern or key name' },
      ),
    ),
  },
  { title: 'Masking policy', additionalProperties: false },
);
const PROJECT_PATH = Type.Object({ projectId: Type.String({ description: 'the project' }) });

/**
 * A project's masking policy at ingest (`ingest/masking.ts`): read, set (over the `--mask` file's)
 * and removed. A key of another project finds no such project: 404.
 */
export async function maskingRoutes(instance: FastifyInstance, options: MaskingRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, decoder, maskFile } = options;
  const tags = ['masking'];
  // A project's changes one at a time, each with the decoder told after it: the decoder ends with the policy stored.
  const changes = new InTurn();
  const answer = async (projectId: string): Promise<MaskingInForce> => {
    const stored = (await db.masking.list()).find((p) => p.projectId === projectId);
    if (stored !== undefined) return { projectId, source: 'api', policy: stored.policy };
    const fromFile = filePolicyFor(maskFile, projectId);
    return { projectId, source: fromFile === null ? 'none' : 'file', policy: fromFile };
  };

  app.get(
    '/api/projects/:projectId/masking',
    { schema: { summary: "The project's masking policy and where it comes from", tags, params: PROJECT_PATH, response: { 200: MaskingAnswer } } },
    async (request) => answer(projectInPath(request)),
  );

  app.put(
    '/api/projects/:projectId/masking',
    { schema: { summary: "Set the project's masking policy over the file's", tags, params: PROJECT_PATH, body: POLICY, response: { 200: MaskingAnswer } } },
    async (request) => {
      const projectId = projectInPath(request);
      try {
        redactOptionsOf(request.body, 'the masking policy');
      } catch (error) {
        if (error instanceof MaskingPolicyError) throw new AppError('ERR_BAD_REQUEST', error.message);
        throw error;
      }
      const policy: MaskingPolicy = request.body;
      await changes.run(projectId, async () => {
        await db.masking.put(projectId, policy, options.nowUs());
        decoder.setMasking(projectId, policy);
      });
      return answer(projectId);
    },
  );

  app.delete(
    '/api/projects/:projectId/masking',
    { schema: { summary: "Remove the project's policy set through the API", tags, params: PROJECT_PATH, response: { 204: NoContent } } },
    async (request, reply) => {
      const projectId = projectInPath(request);
      await changes.run(projectId, async () => {
        if (!(await db.masking.delete(projectId, options.nowUs())))
          throw new AppError('ERR_NOT_FOUND', `project '${projectId}' has no masking policy set through the API`);
        decoder.setMasking(projectId, null);
      });
      return reply.code(204).send(null);
    },
  );
}

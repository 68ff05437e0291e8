import type { FastifyRequest } from 'fastify';
import { type DeclaredNeed, type RequestAccess, coversProject } from '../auth/access-control.js';
import { ALL_PROJECTS, checkProjectName } from '../auth/keys.js';
import { AppError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request and the project it acts on, set before any route runs (`auth/access-control.ts`). */
    access: RequestAccess;
  }
  interface FastifyContextConfig {
    /** What the route needs beyond what the access check's table gives it (`auth/access-control.ts`): it can only raise it. */
    need?: DeclaredNeed;
    /** A read that takes its parameters as a form too, as Prometheus's clients post them: it changes nothing. */
    formRead?: true;
  }
}

/** The project a request reads or writes: the only project id a route may use. */
export function projectOf(request: FastifyRequest): string {
  return request.access.projectId;
}

/**
 * The project a `/api/projects/:projectId/...` route names, if the request's key covers it: a
 * malformed name, `*`, or a project the key does not cover is 404, so a key learns nothing of
 * projects not its own.
 */
export function projectInPath(request: { params: { projectId: string }; access: RequestAccess }): string {
  const { projectId } = request.params;
  try {
    checkProjectName(projectId, 'read');
  } catch (error) {
    throw new AppError('ERR_NOT_FOUND', (error as Error).message);
  }
  if (projectId === ALL_PROJECTS || !coversProject(request.access.principal, projectId)) throw new AppError('ERR_NOT_FOUND', `no project '${projectId}'`);
  return projectId;
}

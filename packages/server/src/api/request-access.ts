import type { FastifyRequest } from 'fastify';
import type { RequestAccess } from '../auth/access-control.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request and the project it acts on, set before any route runs (`auth/access-control.ts`). */
    access: RequestAccess;
  }
}

/** The project a request reads or writes: the only project id a route may use. */
export function projectOf(request: FastifyRequest): string {
  return request.access.projectId;
}

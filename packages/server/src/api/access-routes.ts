import { DEFAULT_PROJECT_ID, type SessionInfo } from '@spoor/model';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type AccessControl, type Principal, coversProject } from '../auth/access-control.js';
import { ALL_PROJECTS, type KeyInfo, checkProjectName, infoOf, isRole, newKey, roleCovers } from '../auth/keys.js';
import { SESSION_HOURS, sessionCookie, sessionValue } from '../auth/sessions.js';
import type { DbClient } from '../dbthread/calls.js';
import { AppError } from '../errors.js';
import { type QueryString, jsonBody, limit, rejectUnknown, text, timeRange } from './params.js';
import { projectOf } from './request-access.js';

export interface AccessRoutesOptions {
  db: DbClient;
  access: AccessControl;
  /** Whether cookies are marked `Secure` (Spoor is reached over https). */
  secureCookies: boolean;
  nowUs: () => number;
}

/**
 * Keys (`/api/keys`, admin only), the dashboard's sign-in (`/api/session`) and the audit log
 * (`/api/audit`). An admin key of one project manages that project's keys only; a key of `*`
 * manages all.
 */
export async function accessRoutes(app: FastifyInstance, options: AccessRoutesOptions): Promise<void> {
  const { db, access } = options;
  const ring = access.options.ring;
  const q = (request: { query: unknown }): QueryString => request.query as QueryString;

  const projectsOf = (principal: Principal): string[] =>
    principal.keyProjectId === ALL_PROJECTS ? [...new Set([DEFAULT_PROJECT_ID, ...ring.projects()])].sort() : [principal.keyProjectId];
  const answer = (principal: Principal, projectId: string): SessionInfo => ({
    authRequired: access.enforced,
    signedIn: principal.via === 'cookie' || principal.via === 'bearer',
    keyId: principal.via === 'open' ? null : principal.keyId,
    role: principal.role,
    projectId,
    projects: projectsOf(principal),
  });
  const setSession = (reply: FastifyReply, keyId: string, projectId: string): void => {
    const expiresMs = Date.now() + SESSION_HOURS * 3_600_000;
    const value = sessionValue(access.options.sessionSecret, { keyId, projectId, expiresMs });
    void reply.header('set-cookie', sessionCookie(value, { secure: options.secureCookies, maxAgeSeconds: SESSION_HOURS * 3600 }));
  };

  app.get('/api/session', async (request) => {
    rejectUnknown(q(request), []);
    return answer(request.access.principal, projectOf(request));
  });

  // Sign in: a read or admin key for a cookie the dashboard sends from then on.
  app.post('/api/session', async (request, reply) => {
    rejectUnknown(q(request), []);
    const body = jsonBody(request.body, 'a sign-in', ['key', 'project']);
    if (typeof body.key !== 'string' || body.key === '') throw new AppError('ERR_BAD_REQUEST', "'key' must be a Spoor key (spoor_read_… or spoor_admin_…)");
    const key = access.verifyKey(body.key.trim(), request.ip);
    if (!roleCovers(key.role, 'read')) throw new AppError('ERR_FORBIDDEN', 'an ingest key cannot sign in: it only sends telemetry; use a read or admin key');
    const principal: Principal = { keyId: key.id, role: key.role, keyProjectId: key.projectId, via: 'cookie' };
    const projectId = chosenProject(principal, body.project, projectsOf(principal));
    setSession(reply, key.id, projectId);
    return answer(principal, projectId);
  });

  // The project switcher: the same session, another project.
  app.put('/api/session', async (request, reply) => {
    rejectUnknown(q(request), []);
    const { principal } = request.access;
    if (principal.via !== 'cookie') throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: PUT /api/session switches the project of a signed-in dashboard');
    const body = jsonBody(request.body, 'a project switch', ['project']);
    const projectId = chosenProject(principal, body.project, projectsOf(principal));
    setSession(reply, principal.keyId, projectId);
    return answer(principal, projectId);
  });

  app.delete('/api/session', async (request, reply) => {
    rejectUnknown(q(request), []);
    access.endSession(request.headers.cookie);
    void reply.header('set-cookie', sessionCookie('', { secure: options.secureCookies, maxAgeSeconds: 0 }));
    return reply.code(204).send();
  });

  app.get('/api/keys', async (request) => {
    rejectUnknown(q(request), []);
    const { principal } = request.access;
    const keys = await db.listKeys();
    return { keys: keys.filter((key) => coversProject(principal, key.projectId)).map(infoOf).reverse() };
  });

  app.post('/api/keys', async (request, reply) => {
    rejectUnknown(q(request), []);
    const { principal } = request.access;
    const body = jsonBody(request.body, 'a key', ['project', 'role', 'name']);
    const projectId = typeof body.project === 'string' ? body.project : principal.keyProjectId === ALL_PROJECTS ? projectOf(request) : principal.keyProjectId;
    if (!isRole(body.role)) throw new AppError('ERR_BAD_REQUEST', "'role' must be ingest, read or admin");
    if (body.name !== undefined && typeof body.name !== 'string') throw new AppError('ERR_BAD_REQUEST', "'name' must be text");
    try {
      checkProjectName(projectId, body.role);
    } catch (error) {
      throw new AppError('ERR_BAD_REQUEST', (error as Error).message);
    }
    if (!coversProject(principal, projectId)) throw new AppError('ERR_FORBIDDEN', `this key manages project '${principal.keyProjectId}' only`);
    const { key, record } = newKey({ projectId, role: body.role, name: body.name ?? '', createdBy: principal.keyId, nowUs: options.nowUs() });
    await db.putKey(record);
    await ring.refresh();
    // The only time the key is shown: it is stored as a hash.
    return reply.code(201).send({ ...infoOf(record), key } satisfies KeyInfo & { key: string });
  });

  app.delete<{ Params: { id: string } }>('/api/keys/:id', async (request, reply) => {
    rejectUnknown(q(request), []);
    const { principal } = request.access;
    const keys = await db.listKeys();
    const key = keys.find((k) => k.id === request.params.id);
    // Another project's key is as unknown as no key at all.
    if (key === undefined || !coversProject(principal, key.projectId)) throw new AppError('ERR_NOT_FOUND', `no key '${request.params.id}'`);
    if (key.revokedUs !== null) throw new AppError('ERR_CONFLICT', `key '${key.id}' was already revoked`);
    await db.revokeKey(key.id, options.nowUs());
    await ring.refresh();
    return reply.code(204).send();
  });

  app.get('/api/audit', async (request) => {
    rejectUnknown(q(request), ['from', 'to', 'limit', 'cursor']);
    const cursor = text(q(request), 'cursor');
    const offset = cursor === null ? 0 : Number(cursor);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new AppError('ERR_INVALID_PARAMETER', "'cursor' is not a cursor this endpoint gave");
    const n = limit(q(request));
    const records = await db.listAudit(projectOf(request), timeRange(q(request)), offset, n + 1);
    return {
      entries: records.slice(0, n).map(({ timeUs, projectId: _project, ...entry }) => ({ time: new Date(timeUs / 1000).toISOString(), ...entry })),
      nextCursor: records.length > n ? String(offset + n) : null,
    };
  });
}

function chosenProject(principal: Principal, asked: unknown, projects: string[]): string {
  if (asked === undefined) return principal.keyProjectId === ALL_PROJECTS ? (projects[0] ?? DEFAULT_PROJECT_ID) : principal.keyProjectId;
  if (typeof asked !== 'string') throw new AppError('ERR_BAD_REQUEST', "'project' must be a project name");
  try {
    checkProjectName(asked, 'read');
  } catch (error) {
    throw new AppError('ERR_BAD_REQUEST', (error as Error).message);
  }
  if (asked === ALL_PROJECTS || !coversProject(principal, asked)) throw new AppError('ERR_FORBIDDEN', `this key does not cover project '${asked}'`);
  return asked;
}

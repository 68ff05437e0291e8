import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEFAULT_PROJECT_ID, type SessionInfo } from '@spoor/model';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type AccessControl, type Principal, coversProject } from './access-control.js';
import { ALL_PROJECTS, type KeyInfo, checkProjectName, infoOf, newKey, roleCovers } from './keys.js';
import type { OidcSignIn } from './oidc-sign-in.js';
import { accessFor } from './oidc-roles.js';
import { SESSION_HOURS, type SessionUser, sessionCookie, sessionValue } from './sessions.js';
import { AppError } from '../errors.js';
import { LIST_LIMIT, TIME_RANGE, limit, offsetCursor, oneOf, timeRange } from '../params/parameters.js';
import { auditSession } from './oidc-routes.js';
import { projectOf } from '../http/request-access.js';
import { AuditAnswer, KeyListAnswer, NewKeyAnswer, SessionInfo as SessionAnswer } from './answers.js';
import { NoContent } from '../http/content.js';
import type { Remote } from '../threads/protocol.js';
import type { accessCalls } from './db-calls.js';

/** What the routes of keys and sign-in call on the database thread: access's group. */
export type AccessDb = { readonly access: Remote<ReturnType<typeof accessCalls.make>> };

export interface AccessRoutesOptions {
  db: AccessDb;
  access: AccessControl;
  /** Whether cookies are marked `Secure` (Spoor is reached over https). */
  secureCookies: boolean;
  nowUs: () => number;
  /** Single sign-on, when configured: the session answer names its provider. */
  signIn?: OidcSignIn | null;
}

const PROJECT = Type.String({ description: 'a project name' });
const SIGN_IN = Type.Object(
  {
    key: Type.String({
      pattern: '\\S',
      description: 'a read or admin key (spoor_read_… or spoor_admin_…)',
      'x-must-be': 'a Spoor key (spoor_read_… or spoor_admin_…)',
    }),
    project: Type.Optional(PROJECT),
  },
  { title: 'Sign-in', additionalProperties: false },
);
const PROJECT_SWITCH = Type.Object({ project: Type.Optional(PROJECT) }, { title: 'Project switch', additionalProperties: false });
const NEW_KEY = Type.Object(
  {
    project: Type.Optional(Type.String({ description: "the key's project (default the request's), or * for all" })),
    role: oneOf(['ingest', 'read', 'admin'], { description: 'what the key may do' }),
    name: Type.Optional(Type.String({ description: 'a name people know it by' })),
  },
  { title: 'Key', additionalProperties: false },
);
const KEY_PATH = Type.Object({ id: Type.String({ description: "the key's id" }) });
const AUDIT = Type.Object({ ...TIME_RANGE, limit: limit(LIST_LIMIT), cursor: offsetCursor() }, { additionalProperties: false });

/**
 * Keys (`/api/keys`, admin only), the dashboard's sign-in (`/api/session`) and the audit log
 * (`/api/audit`). An admin key of one project manages that project's keys only; a key of `*`
 * manages all.
 */
export async function accessRoutes(instance: FastifyInstance, options: AccessRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access } = options;
  const ring = access.options.ring;
  const tags = ['access'];

  const signIn = options.signIn ?? null;
  const everyProject = (): string[] => [...new Set([DEFAULT_PROJECT_ID, ...ring.projects()])].sort();
  const projectsOf = (principal: Principal): string[] => {
    // A person: the projects their grants name, and every project when one is `*`.
    if (principal.user !== undefined)
      return [...new Set(principal.user.grants.flatMap((g) => (g.projectId === ALL_PROJECTS ? everyProject() : [g.projectId])))].sort();
    return principal.keyProjectId === ALL_PROJECTS ? everyProject() : [principal.keyProjectId];
  };
  const answer = (principal: Principal, projectId: string): SessionInfo => ({
    authRequired: access.enforced,
    signedIn: principal.via === 'cookie' || principal.via === 'bearer',
    keyId: principal.via === 'open' ? null : principal.keyId,
    role: principal.role,
    projectId,
    projects: projectsOf(principal),
    user: principal.user === undefined ? null : { subject: principal.user.subject, email: principal.user.email, name: principal.user.name },
    singleSignOn: signIn === null ? null : { provider: signIn.config.providerName, reachable: signIn.reachable },
  });
  const setSession = (reply: FastifyReply, keyId: string, projectId: string, user?: { user: SessionUser; expiresMs: number }): void => {
    // A person's session keeps the end it was given at sign-in: switching projects does not prolong it.
    const expiresMs = user?.expiresMs ?? Date.now() + SESSION_HOURS * 3_600_000;
    const value = sessionValue(access.options.sessionSecret, { keyId, projectId, expiresMs, ...(user === undefined ? {} : { user: user.user }) });
    const maxAgeSeconds = user === undefined ? SESSION_HOURS * 3600 : Math.max(0, Math.floor((expiresMs - Date.now()) / 1000));
    void reply.header('set-cookie', sessionCookie(value, { secure: options.secureCookies, maxAgeSeconds }));
  };

  app.get('/api/session', { schema: { summary: 'Who is signed in, with which role and project', tags, response: { 200: SessionAnswer } } }, async (request) =>
    answer(request.access.principal, projectOf(request)),
  );

  // Sign in: a read or admin key for a cookie the dashboard sends from then on.
  app.post(
    '/api/session',
    { schema: { summary: 'Sign in: a session cookie for a read or admin key', tags, body: SIGN_IN, response: { 200: SessionAnswer } } },
    async (request, reply) => {
      const { body } = request;
      const key = access.verifyKey(body.key.trim(), request.ip);
      if (!roleCovers(key.role, 'read')) throw new AppError('ERR_FORBIDDEN', 'an ingest key cannot sign in: it only sends telemetry; use a read or admin key');
      const principal: Principal = { keyId: key.id, role: key.role, keyProjectId: key.projectId, via: 'cookie' };
      const projectId = chosenProject(principal, body.project, projectsOf(principal));
      setSession(reply, key.id, projectId);
      return answer(principal, projectId);
    },
  );

  // The project switcher: the same session, another project.
  app.put(
    '/api/session',
    { schema: { summary: 'Switch the project of a signed-in dashboard', tags, body: PROJECT_SWITCH, response: { 200: SessionAnswer } } },
    async (request, reply) => {
      const { principal } = request.access;
      if (principal.via !== 'cookie')
        throw new AppError('ERR_UNAUTHENTICATED', 'sign in first: PUT /api/session switches the project of a signed-in dashboard');
      const projectId = chosenProject(principal, request.body.project, projectsOf(principal));
      if (principal.user === undefined) {
        setSession(reply, principal.keyId, projectId);
        return answer(principal, projectId);
      }
      setSession(reply, principal.keyId, projectId, { user: principal.user, expiresMs: principal.sessionExpiresMs! });
      const role = accessFor(principal.user.grants, projectId)!;
      return answer({ ...principal, role: role.role, keyProjectId: role.keyProjectId, sessionProjectId: projectId }, projectId);
    },
  );

  app.delete('/api/session', { schema: { summary: 'Sign out', tags, response: { 204: NoContent } } }, async (request, reply) => {
    access.endSession(request.headers.cookie);
    // A person's sign-out is in the audit log, as their sign-in is (a key's session changes nothing stored).
    const { user } = request.access.principal;
    if (user !== undefined && request.access.principal.via === 'cookie')
      await auditSession(db, request, { action: 'session.sign-out', actor: user.actor, grants: user.grants, detail: { subject: user.subject } });
    void reply.header('set-cookie', sessionCookie('', { secure: options.secureCookies, maxAgeSeconds: 0 }));
    return reply.code(204).send(null);
  });

  app.get(
    '/api/keys',
    { schema: { summary: 'The keys of the projects this key covers (never their secrets)', tags, response: { 200: KeyListAnswer } } },
    async (request) => {
      const { principal } = request.access;
      const keys = await db.access.listKeys();
      return {
        keys: keys
          .filter((key) => coversProject(principal, key.projectId))
          .map(infoOf)
          .reverse(),
      };
    },
  );

  app.post(
    '/api/keys',
    { schema: { summary: 'Make a key; the answer shows it, once', tags, body: NEW_KEY, response: { 201: NewKeyAnswer } } },
    async (request, reply) => {
      const { principal } = request.access;
      const { body } = request;
      const projectId = body.project ?? (principal.keyProjectId === ALL_PROJECTS ? projectOf(request) : principal.keyProjectId);
      try {
        checkProjectName(projectId, body.role);
      } catch (error) {
        throw new AppError('ERR_BAD_REQUEST', (error as Error).message);
      }
      if (!coversProject(principal, projectId)) throw new AppError('ERR_FORBIDDEN', `this key manages project '${principal.keyProjectId}' only`);
      const { key, record } = newKey({ projectId, role: body.role, name: body.name ?? '', createdBy: principal.keyId, nowUs: options.nowUs() });
      await db.access.putKey(record);
      await ring.refresh();
      // The only time the key is shown: it is stored as a hash.
      return reply.code(201).send({ ...infoOf(record), key } satisfies KeyInfo & { key: string });
    },
  );

  app.delete('/api/keys/:id', { schema: { summary: 'Revoke a key', tags, params: KEY_PATH, response: { 204: NoContent } } }, async (request, reply) => {
    const { principal } = request.access;
    const keys = await db.access.listKeys();
    const key = keys.find((k) => k.id === request.params.id);
    // Another project's key is as unknown as no key at all.
    if (key === undefined || !coversProject(principal, key.projectId)) throw new AppError('ERR_NOT_FOUND', `no key '${request.params.id}'`);
    const revoked = key.revokedUs === null && (await db.access.revokeKey(key.id, options.nowUs()));
    // Of several revocations at once, one revokes; the others find it done, as a later one would.
    if (!revoked) throw new AppError('ERR_CONFLICT', `key '${key.id}' was already revoked`);
    await ring.refresh();
    return reply.code(204).send(null);
  });

  app.get(
    '/api/audit',
    { schema: { summary: "The project's changes, newest first", tags, querystring: AUDIT, response: { 200: AuditAnswer } } },
    async (request) => {
      const q = request.query;
      const offset = q.cursor === undefined ? 0 : Number(q.cursor);
      const n = q.limit ?? LIST_LIMIT.fallback;
      const records = await db.access.listAudit(projectOf(request), timeRange(q), offset, n + 1);
      return {
        entries: records.slice(0, n).map(({ timeUs, projectId: _project, ...entry }) => ({ time: new Date(timeUs / 1000).toISOString(), ...entry })),
        nextCursor: records.length > n ? String(offset + n) : null,
      };
    },
  );
}

function chosenProject(principal: Principal, asked: string | undefined, projects: string[]): string {
  if (asked === undefined) {
    if (principal.user !== undefined) return principal.sessionProjectId ?? projects[0] ?? DEFAULT_PROJECT_ID;
    return principal.keyProjectId === ALL_PROJECTS ? (projects[0] ?? DEFAULT_PROJECT_ID) : principal.keyProjectId;
  }
  try {
    checkProjectName(asked, 'read');
  } catch (error) {
    throw new AppError('ERR_BAD_REQUEST', (error as Error).message);
  }
  const covered = principal.user === undefined ? coversProject(principal, asked) : accessFor(principal.user.grants, asked) !== null;
  if (asked === ALL_PROJECTS || !covered)
    throw new AppError('ERR_FORBIDDEN', `${principal.user === undefined ? 'this key does' : 'your grants do'} not cover project '${asked}'`);
  return asked;
}

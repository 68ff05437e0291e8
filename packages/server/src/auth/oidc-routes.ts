import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessControl } from './access-control.js';
import { ALL_PROJECTS } from './keys.js';
import { type Grant, accessFor } from './oidc-roles.js';
import { type Identity, type OidcSignIn, ProviderUnreachable } from './oidc-sign-in.js';
import { TRANSACTION_COOKIE, TRANSACTION_MS, transactionCookie } from './oidc-transaction.js';
import { SESSION_HOURS, cookieOf, sessionCookie, sessionValue } from './sessions.js';
import { AppError } from '../errors.js';
import { SignInPage, ToDashboard, ToProvider } from '../http/answers/service.js';
import { sendAuthPage } from './oidc-pages.js';
import type { AccessDb } from './access-routes.js';

/**
 * Single sign-on's two addresses: `GET /auth/login` sends the browser to the provider, and
 * `GET /auth/callback` is where the provider sends it back (the redirect URI registered with the
 * provider). A person the rules admit gets the dashboard's session cookie, naming them; every
 * sign-in, refusal and sign-out is in the audit log with who and from where. Without single
 * sign-on configured both answer 404.
 */

export interface OidcRoutesOptions {
  db: AccessDb;
  access: AccessControl;
  signIn: OidcSignIn | null;
  /** Whether cookies are marked `Secure` (Spoor is reached over https). */
  secureCookies: boolean;
}

const LOGIN = Type.Object(
  { next: Type.Optional(Type.String({ description: "the dashboard's page to return to, a path of this server (default /)" })) },
  { additionalProperties: false },
);
// Providers add their own parameters (Google's authuser and prompt, Keycloak's session_state): none is refused for being there.
const CALLBACK = Type.Object(
  {
    code: Type.Optional(Type.String({ description: 'the authorization code' })),
    state: Type.Optional(Type.String({ description: 'the sign-in this answers, as /auth/login made it' })),
    iss: Type.Optional(Type.String({ description: "the provider's issuer (RFC 9207)" })),
    error: Type.Optional(Type.String({ description: "the provider's refusal, such as access_denied" })),
    error_description: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export async function oidcRoutes(instance: FastifyInstance, options: OidcRoutesOptions): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, access, signIn, secureCookies } = options;
  const tags = ['access'];
  const notConfigured = (): AppError =>
    new AppError('ERR_NOT_FOUND', 'single sign-on is not configured: start Spoor with --oidc-issuer, --oidc-client-id, --oidc-client-secret and --oidc-roles');
  const unreachablePage = (message: string) => ({
    status: 503,
    title: 'The sign-in provider does not answer',
    paragraphs: [message, 'Spoor asks it again when you sign in again. Meanwhile a key still signs in.'],
  });

  app.get(
    '/auth/login',
    {
      schema: {
        summary: 'Single sign-on: sends the browser to the OpenID Connect provider',
        tags,
        querystring: LOGIN,
        response: { 302: ToProvider, '4xx': SignInPage, 503: SignInPage },
      },
    },
    async (request, reply) => {
      if (signIn === null) throw notConfigured();
      let begun: Awaited<ReturnType<OidcSignIn['begin']>>;
      try {
        begun = await signIn.begin(request.query.next);
      } catch (error) {
        if (!(error instanceof ProviderUnreachable)) throw error;
        request.log.warn({ issuer: signIn.config.issuer }, error.message);
        return sendAuthPage(reply, unreachablePage(error.message));
      }
      void reply
        .header('set-cookie', transactionCookie(begun.transaction, { secure: secureCookies, maxAgeSeconds: TRANSACTION_MS / 1000 }))
        .header('cache-control', 'no-store');
      return reply.redirect(begun.location, 302);
    },
  );

  app.get(
    '/auth/callback',
    // Every refusal is a page, not JSON: the parameters are read from the URL as the provider sent it.
    {
      attachValidation: true,
      schema: {
        summary: 'Single sign-on: where the provider sends the browser back (the redirect URI)',
        tags,
        querystring: CALLBACK,
        response: { 303: ToDashboard, '4xx': SignInPage, 503: SignInPage },
      },
    },
    async (request, reply) => {
      if (signIn === null) throw notConfigured();
      const wait = access.addressWaitSeconds(request.ip);
      if (wait > 0) {
        access.options.onFailedAttempt?.('limited', { clientAddress: request.ip, keyId: null });
        return sendAuthPage(reply, {
          status: 429,
          title: 'Too many failed sign-ins',
          paragraphs: [`This address failed to sign in too often; try again in ${wait} s.`],
          retryAfterSeconds: wait,
        });
      }
      const at = request.url.indexOf('?');
      const query = new URLSearchParams(at === -1 ? '' : request.url.slice(at + 1));
      const finished = await signIn.finish(query, cookieOf(request.headers.cookie ?? null, TRANSACTION_COOKIE));
      // The transaction is spent, whatever came of it.
      const spent = transactionCookie('', { secure: secureCookies, maxAgeSeconds: 0 });
      if (finished.outcome === 'refused') {
        void reply.header('set-cookie', spent);
        if (finished.unproven) access.countRefusal(request.ip);
        request.log.info({ status: finished.status, actor: finished.identity?.actor ?? null }, `refused a sign-in: ${finished.reason}`);
        await auditSession(db, request, {
          action: 'session.sign-in-refused',
          actor: finished.identity?.actor ?? 'anonymous',
          grants: null,
          detail: { reason: finished.reason, ...identityDetail(finished.identity) },
        });
        if (finished.status === 503) return sendAuthPage(reply, unreachablePage(finished.reason));
        if (finished.status === 403) {
          const who =
            finished.identity === null
              ? 'You'
              : `You signed in as ${finished.identity.email ?? finished.identity.actor.slice('user:'.length)}${
                  finished.identity.name === null ? '' : ` (${finished.identity.name})`
                }, but`;
          return sendAuthPage(reply, {
            status: 403,
            title: 'No access to this Spoor',
            paragraphs: [
              `${who} no rule of this Spoor grants you a project.`,
              'Ask its admin to add one (--oidc-roles), then sign in again. This refusal is in the audit log.',
            ],
          });
        }
        return sendAuthPage(reply, {
          status: 400,
          title: 'Sign-in refused',
          paragraphs: [`Spoor refused this sign-in: ${finished.reason}.`, 'Start again from the sign-in page. This refusal is in the audit log.'],
        });
      }
      const { user, next } = finished;
      const projectId =
        accessFor(user.grants, DEFAULT_PROJECT_ID) !== null ? DEFAULT_PROJECT_ID : user.grants.find((g) => g.projectId !== ALL_PROJECTS)!.projectId;
      // Spoor's own session length, from now: a provider's ID token lives minutes to an hour, which
      // is how long it may be used to sign in, not how long the session it started should last.
      const expiresMs = Date.now() + SESSION_HOURS * 3_600_000;
      const session = sessionValue(access.options.sessionSecret, { keyId: user.actor, projectId, expiresMs, user });
      void reply
        .header('set-cookie', [spent, sessionCookie(session, { secure: secureCookies, maxAgeSeconds: SESSION_HOURS * 3600 })])
        .header('cache-control', 'no-store');
      await auditSession(db, request, {
        action: 'session.sign-in',
        actor: user.actor,
        grants: user.grants,
        detail: { subject: user.subject, email: user.email, name: user.name },
      });
      return reply.redirect(next, 303);
    },
  );
}

function identityDetail(identity: Identity | null): Record<string, unknown> {
  if (identity === null) return {};
  return { subject: identity.subject, email: identity.email, emailVerified: identity.emailVerified, name: identity.name };
}

/**
 * Records a person's sign-in, refusal or sign-out, with the client's address: in each project
 * their grants name, with their role there, and in `default` when a grant is of every project or
 * none was made (a refusal names no project). A project's record names no other project: what
 * else the person may see is not that project's business.
 */
export async function auditSession(
  db: AccessDb,
  request: FastifyRequest,
  entry: { action: string; actor: string; grants: Grant[] | null; detail: Record<string, unknown> },
): Promise<void> {
  const named = (entry.grants ?? []).map((g) => g.projectId);
  const projects = new Set(named.filter((p) => p !== ALL_PROJECTS));
  if (named.length === 0 || named.includes(ALL_PROJECTS)) projects.add(DEFAULT_PROJECT_ID);
  const timeUs = Date.now() * 1000;
  for (const projectId of projects) {
    const role = entry.grants === null ? undefined : accessFor(entry.grants, projectId)?.role;
    const detail = JSON.stringify({ ...entry.detail, ...(role === undefined ? {} : { role }), address: request.ip });
    await db.access
      .appendAudit({ timeUs, projectId, keyId: entry.actor, action: entry.action, target: '', detail })
      .catch((error: unknown) => request.log.error({ err: error }, 'could not record a sign-in in the audit log'));
  }
}

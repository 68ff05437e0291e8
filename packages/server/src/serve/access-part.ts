import { AccessControl } from '../auth/access-control.js';
import { KeyRing } from '../auth/key-ring.js';
import { OidcSignIn } from '../auth/oidc-sign-in.js';
import { checkBinding } from '../config.js';
import type { DbThread } from '../dbthread/db-client.js';
import type { DecodeThread } from '../ingest/decode-client.js';
import { backPressureLogged } from '../ingest/export.js';
import { maskingPolicyProblem } from '../ingest/masking.js';
import type { ServeBase } from './base.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import type { Part } from '../parts/part.js';

/**
 * How soon a key revoked elsewhere (another server, the command line) stops working here. On
 * DuckDB nothing else writes the file: the store answers from the keys it read last until it
 * writes them (`store/duckdb/kept-lists.ts`), so these reads cost no statement.
 */
export const KEY_REFRESH_MS = 500;

/**
 * Keys, the masking policies set through the API, single sign-on and the access check: what
 * every request is let in (or refused) by, and what each project's requests are masked with.
 */
export async function startAccess(life: Lifecycle, { config, log, metrics }: ServeBase, thread: DbThread, decoder: DecodeThread) {
  const ring = await life.start(
    'the keys',
    () =>
      KeyRing.start(() => thread.calls.access.listKeys(), {
        refreshMs: KEY_REFRESH_MS,
        onError: (error) => log.warn({ err: error }, 'could not read the keys again; the keys read before stay in force'),
      }),
    (keys) => keys.close(),
  );
  // A server with single sign-on requires a key or a person signed in from the start: it may bind beyond loopback.
  checkBinding(config, ring.any || config.oidc !== undefined);
  // Policies set through the API, over the --mask file's, for the requests decoded from now on.
  const maskingPolicies = await thread.calls.masking.list();
  for (const { projectId, policy } of maskingPolicies) {
    const problem = maskingPolicyProblem(policy);
    // Its project's requests are refused (503) until it is set again: see ProjectMasking.
    if (problem !== null)
      log.error({ projectId }, `the masking policy of project '${projectId}' cannot be used (${problem}); its requests are refused until it is set again`);
    decoder.setMasking(projectId, policy);
  }
  const sessionSecret = await thread.calls.access.sessionSecret();
  // Single sign-on (auth/oidc-*.ts): the provider is discovered in the background; start does not wait on it.
  const signIn =
    config.oidc === undefined ? null : new OidcSignIn(config.oidc, { secret: sessionSecret, onWarning: (message, error) => log.warn({ err: error }, message) });
  signIn?.configuration().then(
    () => log.info({ issuer: signIn.config.issuer }, `single sign-on through ${signIn.config.providerName}`),
    (error: Error) => log.error({ issuer: signIn.config.issuer }, `${error.message}; keys still work, and signing in asks the provider again`),
  );
  const access = new AccessControl({
    // With single sign-on, a person signs in from the start: as --auth required.
    mode: signIn !== null && config.auth === 'auto' ? 'required' : config.auth,
    oidcFingerprint: config.oidc?.fingerprint ?? null,
    ring,
    sessionSecret,
    metricsToken: config.metricsToken,
    ratePerSecond: config.rateLimit,
    onFailedAttempt: (outcome, detail) => {
      metrics.failedAttempts({ outcome });
      // One line a second at most: a search sends thousands of keys a second.
      if (outcome === 'limited' && backPressureLogged.shouldLog('ERR_KEY_SEARCH')) {
        log.warn(detail, 'refusing keys unheard: too many keys that are not valid came from this address, or for this key id');
      }
    },
  });
  return { ring, maskingPolicies, signIn, access };
}

export const accessPart: Part<ServeBase & { thread: DbThread; decoder: DecodeThread }, Awaited<ReturnType<typeof startAccess>>> = {
  name: 'access',
  start: (life, have) => startAccess(life, have, have.thread, have.decoder),
};

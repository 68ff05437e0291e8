import type { Logger } from 'pino';
import { type ServeConfig, checkBinding } from '../config.js';
import { backPressureLogged } from '../ingest/export.js';
import type { Lifecycle } from '../parts/lifecycle.js';
import { type Part, routes } from '../parts/part.js';
import type { Counter } from '../self-metrics.js';
import { AccessControl } from './access-control.js';
import { type AccessDb, accessRoutes } from './access-routes.js';
import { KeyRing } from './key-ring.js';
import { OidcSignIn } from './oidc-sign-in.js';
import { oidcRoutes } from './oidc-routes.js';

/**
 * How soon a key revoked elsewhere (another server, the command line) stops working here. On
 * DuckDB nothing else writes the file: the store answers from the keys it read last until it
 * writes them (`store/duckdb/kept-lists.ts`), so these reads cost no statement.
 */
export const KEY_REFRESH_MS = 500;

/** What auth needs of the parts before it: the config, the log, a counter of failed attempts, and access's calls. */
export interface AuthNeeds {
  config: Pick<ServeConfig, 'host' | 'auth' | 'dataDir' | 'oidc' | 'metricsToken' | 'rateLimit' | 'externalUrl'>;
  log: Logger;
  metrics: { failedAttempts: Counter };
  thread: { calls: AccessDb };
}

/**
 * Keys, single sign-on and the access check: what every request is let in (or refused) by.
 */
export async function startAuth(life: Lifecycle, { config, log, metrics, thread }: AuthNeeds) {
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
  const sessionSecret = await thread.calls.access.sessionSecret();
  // Single sign-on (oidc-*.ts): the provider is discovered in the background; start does not wait on it.
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
  return { ring, signIn, access };
}

/**
 * Auth: the keys (refreshed until close), single sign-on, and the access check every request
 * passes; its routes are the keys, the audit log, the dashboard's session and single sign-on's
 * two addresses.
 */
export const authPart: Part<AuthNeeds, Awaited<ReturnType<typeof startAuth>>> = {
  name: 'auth',
  start: startAuth,
  routes: ({ config, thread, access, signIn }) => {
    // Cookies are marked Secure when Spoor is reached over https.
    const secureCookies = config.externalUrl?.startsWith('https://') ?? false;
    const db = thread.calls;
    return [
      routes('access', accessRoutes, { db, access, secureCookies, nowUs: () => Date.now() * 1000, signIn }),
      routes('single sign-on', oidcRoutes, { db, access, signIn, secureCookies }),
    ];
  },
};

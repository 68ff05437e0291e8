import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type RoleRule, parseRoleRules } from './oidc-roles.js';

/**
 * Single sign-on's settings, resolved from the `--oidc-*` flags (or `SPOOR_OIDC_*`): which
 * provider, which client, the secret read once from where the flag says (never written on the
 * command line, where `ps` shows it, and never logged or answered), the scopes asked for, and the
 * rules that make claims into roles (`oidc-roles.ts`).
 */

/** What a user sets; every field is text as given. */
export interface OidcOptions {
  issuer: string;
  clientId: string;
  /** `env:VARIABLE` or `file:PATH`. */
  clientSecret: string;
  roles: string;
  /** Space- or comma-separated; `openid` is always asked for. */
  scopes: string;
  groupsClaim: string;
}

export interface OidcConfig {
  /** The issuer exactly as the provider names itself (a trailing slash counts): discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Never logged, never answered. */
  clientSecret: string;
  /** `<external URL>/auth/callback`: registered with the provider as the client's redirect URI. */
  redirectUri: string;
  scopes: string[];
  rules: RoleRule[];
  groupsClaim: string;
  /** What the sign-in page calls the provider: "Sign in with Okta". */
  providerName: string;
  /** Identifies the issuer, client and rules a session was made under: a session made under others is void. */
  fingerprint: string;
}

export const DEFAULT_SCOPES = 'openid email profile';
export const DEFAULT_GROUPS_CLAIM = 'groups';

/**
 * The resolved settings, or `undefined` when no OIDC flag is set. Throws a message that says what
 * to fix; it never holds the secret.
 */
export function resolveOidcConfig(options: OidcOptions, externalUrl: string | null, auth: string, env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const { issuer, clientId, clientSecret, roles } = options;
  if (issuer === '' && clientId === '' && clientSecret === '' && roles === '') return undefined;
  if (issuer === '') throw new Error('single sign-on needs --oidc-issuer URL (SPOOR_OIDC_ISSUER), such as https://example.okta.com');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`--oidc-issuer must be a URL such as https://example.okta.com, not '${issuer}'`);
  }
  // A provider is reached over TLS; plain http only to one on this machine (a development Keycloak or Dex).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new Error(`--oidc-issuer must be an https URL (http only on loopback), not '${issuer}'`);
  }
  if (url.search !== '' || url.hash !== '') throw new Error(`--oidc-issuer is the issuer's URL, without a query or fragment, not '${issuer}'`);
  if (clientId === '') throw new Error('single sign-on needs --oidc-client-id ID (SPOOR_OIDC_CLIENT_ID): the client registered with the provider');
  if (clientSecret === '')
    throw new Error('single sign-on needs --oidc-client-secret env:VARIABLE or file:PATH (SPOOR_OIDC_CLIENT_SECRET): where to read the client secret');
  if (roles === '')
    throw new Error(
      `single sign-on needs --oidc-roles (SPOOR_OIDC_ROLES) saying who gets which role, e.g. 'group:spoor-admins=admin@*; email:@example.com=read@default'`,
    );
  if (externalUrl === null) {
    throw new Error(
      'single sign-on needs --external-url (SPOOR_EXTERNAL_URL), the address people reach Spoor at: the provider sends them back to <external-url>/auth/callback',
    );
  }
  if (auth === 'off') throw new Error('--auth off lets anyone in, so single sign-on would protect nothing: drop --auth off, or the --oidc-* flags');
  const groupsClaim = options.groupsClaim === '' ? DEFAULT_GROUPS_CLAIM : options.groupsClaim.trim();
  const rules = parseRoleRules(roles);
  const scopes = [...new Set(['openid', ...options.scopes.split(/[\s,]+/).filter((s) => s !== '')])];
  return {
    issuer,
    clientId,
    clientSecret: readSecret(clientSecret, env),
    redirectUri: `${externalUrl}/auth/callback`,
    scopes,
    rules,
    groupsClaim,
    providerName: providerNameOf(url),
    fingerprint: createHash('sha256')
      .update(JSON.stringify([issuer, clientId, groupsClaim, rules]))
      .digest('base64url')
      .slice(0, 16),
  };
}

/** `localhost`, `127.x.x.x` or `[::1]` as a URL's hostname writes them (config.ts's `isLoopback` reads a --host; importing it here would make the two modules import each other). */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function readSecret(source: string, env: NodeJS.ProcessEnv): string {
  const match = /^(env|file):(.+)$/.exec(source.trim());
  // The value is not repeated: someone may have written the secret itself here.
  if (match === null) throw new Error('--oidc-client-secret says where to read the secret: env:VARIABLE or file:PATH, never the secret itself');
  const [, kind, where] = match as unknown as [string, 'env' | 'file', string];
  let secret: string | undefined;
  if (kind === 'env') secret = env[where];
  else {
    try {
      secret = readFileSync(where, 'utf8');
    } catch (error) {
      throw new Error(`--oidc-client-secret: cannot read ${where}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
  }
  if (secret === undefined || secret.trim() === '')
    throw new Error(`--oidc-client-secret: ${kind === 'env' ? `the variable ${where} is not set` : `the file ${where} is empty`}`);
  return secret.trim();
}

/** "Okta", "Google", "Microsoft", "Keycloak", else the issuer's host: what the sign-in button names. */
export function providerNameOf(issuer: URL): string {
  const host = issuer.hostname.toLowerCase();
  if (host === 'accounts.google.com') return 'Google';
  if (host === 'login.microsoftonline.com' || host === 'sts.windows.net' || host.endsWith('.ciamlogin.com')) return 'Microsoft';
  if (/(^|\.)okta(preview)?\.com$/.test(host) || host.endsWith('.okta-emea.com')) return 'Okta';
  if (/\/realms\/[^/]+\/?$/.test(issuer.pathname)) return 'Keycloak';
  if (/(^|\/)dex\/?$/.test(issuer.pathname) || host.startsWith('dex.')) return 'Dex';
  return issuer.host;
}

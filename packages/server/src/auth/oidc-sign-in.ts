import * as client from 'openid-client';
import type { OidcConfig } from './oidc-config.js';
import { type Claims, grantsFor } from './oidc-roles.js';
import { TRANSACTION_MS, localPath, transactionOf, transactionValue } from './oidc-transaction.js';
import type { SessionUser } from './sessions.js';

/**
 * Sign-in through an OpenID Connect provider with `openid-client`: the authorization code flow
 * with PKCE, `state` and `nonce` (kept in the browser's transaction cookie, `oidc-transaction.ts`),
 * and the ID token checked for its issuer, audience, nonce, expiry and signature. Then the rules
 * (`oidc-roles.ts`) decide what the person may do.
 *
 * The provider is discovered once (`<issuer>/.well-known/openid-configuration`). A provider that
 * does not answer when Spoor starts does not stop it: keys keep working, and each sign-in tries
 * discovery again (at most once a second, one attempt at a time) until it answers. Telemetry must
 * not wait on the identity provider, and a start order (Spoor before Keycloak) must not matter.
 */

/** Seconds each request to the provider may take (discovery, code exchange, userinfo). */
const PROVIDER_TIMEOUT_S = 10;
/** A failed discovery is not tried again sooner than this: a burst of sign-in clicks is one attempt. */
const RETRY_AFTER_MS = 1000;
/** Callbacks finished, remembered until their transaction would expire; past this many the oldest go. */
const MAX_FINISHED = 100_000;

export class ProviderUnreachable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnreachable';
  }
}

/** Who the provider says signed in, before any rule is applied. */
export interface Identity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /** `user:` and their verified address, else their username, else their subject. */
  actor: string;
}

export type Finished =
  | { outcome: 'signed-in'; user: SessionUser; next: string }
  | {
      outcome: 'refused';
      /** 400 a callback that fails a check, 403 a person no rule admits, 503 a provider that does not answer. */
      status: 400 | 403 | 503;
      reason: string;
      /** Known once the provider vouched for them: a person no rule admits. */
      identity: Identity | null;
      /** Refused before the browser proved it started this sign-in: what a stranger can send (counted per address). */
      unproven: boolean;
    };

export interface OidcSignInOptions {
  /** The session secret: the transaction cookie's key is derived from it. */
  secret: string;
  nowMs?: () => number;
  /** Told of what the provider answered that Spoor could not use (userinfo failures). */
  onWarning?: (message: string, error: Error) => void;
}

export class OidcSignIn {
  private discovered: client.Configuration | null = null;
  private discovering: Promise<client.Configuration> | null = null;
  private failure: { atMs: number; error: ProviderUnreachable } | null = null;
  /** States of callbacks already heard, with when their transaction expires: a callback is heard once. */
  private readonly finished = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    readonly config: OidcConfig,
    private readonly options: OidcSignInOptions,
  ) {
    this.now = options.nowMs ?? Date.now;
  }

  /** Whether the provider answered the last time it was asked (or was not asked yet). */
  get reachable(): boolean {
    return this.failure === null;
  }

  /** The provider's configuration, discovered on first use; `ProviderUnreachable` while it cannot be. */
  async configuration(): Promise<client.Configuration> {
    if (this.discovered !== null) return this.discovered;
    if (this.failure !== null && this.now() - this.failure.atMs < RETRY_AFTER_MS) throw this.failure.error;
    this.discovering ??= this.discover()
      .then((configuration) => {
        this.discovered = configuration;
        this.failure = null;
        return configuration;
      })
      .catch((error: unknown) => {
        const unreachable = new ProviderUnreachable(`${this.config.providerName} (${this.config.issuer}) does not answer: ${messageOf(error)}`, {
          cause: error,
        });
        this.failure = { atMs: this.now(), error: unreachable };
        throw unreachable;
      })
      .finally(() => {
        this.discovering = null;
      });
    return this.discovering;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.config;
    // Plain http is allowed only for a provider on loopback (oidc-config.ts refuses any other).
    const execute = issuer.startsWith('http:') ? [client.allowInsecureRequests] : [];
    let configuration = await client.discovery(new URL(issuer), clientId, clientSecret, client.ClientSecretBasic(clientSecret), {
      execute,
      timeout: PROVIDER_TIMEOUT_S,
    });
    // Basic is what RFC 6749 asks every provider to take; a provider that lists only post gets post.
    const methods = configuration.serverMetadata().token_endpoint_auth_methods_supported;
    if (methods !== undefined && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
      configuration = new client.Configuration(configuration.serverMetadata(), clientId, clientSecret, client.ClientSecretPost(clientSecret));
      configuration.timeout = PROVIDER_TIMEOUT_S;
      for (const step of execute) step(configuration);
    }
    // The ID token's signature too, against the provider's keys: not only TLS vouches for it.
    client.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  /**
   * A new sign-in: where to send the browser, and the transaction cookie's value to set.
   * `ProviderUnreachable` when the provider cannot be discovered.
   */
  async begin(next: string | undefined): Promise<{ location: string; transaction: string }> {
    const configuration = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const location = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const transaction = transactionValue(this.options.secret, { state, nonce, codeVerifier, next: localPath(next), expiresMs: this.now() + TRANSACTION_MS });
    return { location: location.href, transaction };
  }

  /**
   * Finishes a sign-in from the provider's redirect back (`query`) and the browser's transaction
   * cookie: the person and what the rules grant them, or why they are refused.
   */
  async finish(query: URLSearchParams, transactionCookie: string | null): Promise<Finished> {
    const refused = (status: 400 | 403 | 503, reason: string, unproven = false, identity: Identity | null = null): Finished => ({
      outcome: 'refused',
      status,
      reason,
      identity,
      unproven,
    });
    const now = this.now();
    const transaction = transactionCookie === null ? null : transactionOf(this.options.secret, transactionCookie, now);
    if (transaction === null) {
      return refused(
        400,
        'no sign-in is in progress in this browser: it was started elsewhere, took longer than 10 minutes, or its cookie was altered; sign in again',
        true,
      );
    }
    const state = query.get('state');
    if (state !== transaction.state) return refused(400, 'the answer names another sign-in than the one this browser started (its state does not match)', true);
    // Kept in the order heard, which is nearly that of expiry: the expired are at the front.
    for (const [done, expiresMs] of this.finished) {
      if (expiresMs > now && this.finished.size <= MAX_FINISHED) break;
      this.finished.delete(done);
    }
    if (this.finished.has(state)) return refused(400, 'this sign-in was already finished: its answer is taken once (a replayed callback)', true);
    this.finished.set(state, transaction.expiresMs);
    const error = query.get('error');
    if (error !== null) {
      const description = query.get('error_description');
      return refused(400, `${this.config.providerName} refused the sign-in: ${error}${description === null ? '' : ` (${description})`}`);
    }
    let configuration: client.Configuration;
    try {
      configuration = await this.configuration();
    } catch (unreachable) {
      return refused(503, (unreachable as Error).message);
    }
    const currentUrl = new URL(this.config.redirectUri);
    currentUrl.search = query.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: transaction.codeVerifier,
        expectedState: transaction.state,
        expectedNonce: transaction.nonce,
        idTokenExpected: true,
      });
    } catch (failure) {
      return failure instanceof TypeError
        ? refused(503, `${this.config.providerName} does not answer: ${messageOf(failure)}`)
        : refused(400, reasonOf(failure, this.config.providerName));
    }
    const claims = await this.claimsOf(configuration, tokens);
    const identity = identityOf(claims);
    const grants = grantsFor(this.config.rules, claims, this.config.groupsClaim);
    if (grants.length === 0)
      return refused(403, `no rule of this Spoor (--oidc-roles) grants ${identity.actor.slice('user:'.length)} a project`, false, identity);
    const { subject, email, name, actor } = identity;
    return { outcome: 'signed-in', user: { subject, email, name, actor, grants, rules: this.config.fingerprint }, next: transaction.next };
  }

  /**
   * The ID token's claims, with the userinfo endpoint's added when the token lacks the groups
   * claim or the address: many providers put only `sub` in an ID token of the code flow.
   */
  private async claimsOf(configuration: client.Configuration, tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>): Promise<Claims> {
    const claims = { ...tokens.claims()! } as Claims;
    const lacking = claims[this.config.groupsClaim] === undefined || claims.email === undefined;
    if (!lacking || configuration.serverMetadata().userinfo_endpoint === undefined) return claims;
    try {
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub as string);
      // The ID token's own claims win: it is signed.
      return { ...info, ...claims };
    } catch (error) {
      this.options.onWarning?.(`could not read the userinfo of ${this.config.providerName}; the ID token's claims alone decide`, error as Error);
      return claims;
    }
  }
}

function identityOf(claims: Claims): Identity {
  const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
  const subject = String(claims.sub);
  const email = text(claims.email);
  const emailVerified = claims.email_verified === true;
  const username = text(claims.preferred_username);
  // An unverified address may be anyone's (an Entra ID user may set it): it names no one in the audit log.
  const actor = `user:${(emailVerified ? email : null) ?? username ?? subject}`.slice(0, 200);
  return { subject, email, emailVerified, name: text(claims.name), actor };
}

/** What went wrong, as a person can read it: the provider's error, or the check that failed. */
function reasonOf(error: unknown, provider: string): string {
  if (error instanceof client.ResponseBodyError) {
    // invalid_grant: the code was used already, expired, or its PKCE verifier does not match.
    return `${provider} refused the code: ${error.error}${error.error_description === undefined ? '' : ` (${error.error_description})`}`;
  }
  if (error instanceof client.AuthorizationResponseError)
    return `${provider} refused the sign-in: ${error.error}${error.error_description === undefined ? '' : ` (${error.error_description})`}`;
  const message = messageOf(error);
  if (/"nonce"/.test(message)) return `the ID token was issued for another sign-in (its nonce is not this one's): ${message}`;
  return `${provider}'s answer failed a check: ${message}`;
}

/** An error's message with its causes': openid-client wraps the check that failed in a general one. */
function messageOf(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at instanceof Error && parts.length < 4; at = at.cause) parts.push(at.message);
  return parts.filter((part, i) => part !== '' && parts.indexOf(part) === i).join(': ') || String(error);
}

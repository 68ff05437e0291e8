import { timingSafeEqual } from 'node:crypto';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { AppError } from '../errors.js';
import { FailedAttempts, addressKey } from './failed-attempts.js';
import type { KeyRing } from './key-ring.js';
import { ALL_PROJECTS, type KeyRecord, type Role, checkProjectName, keyIdOf, roleCovers } from './keys.js';
import { accessFor } from './oidc-roles.js';
import { SESSION_COOKIE, type Session, type SessionUser, cookieOf, sessionOf } from './sessions.js';

/**
 * Who a request comes from and which project it acts on: the one place that decides, for every
 * route, whether a request may go on. Routes read `RequestAccess.projectId` and nothing else.
 */

/** `auto`: keys are required once the first exists; `required`: always; `off`: never (a warning on each start). */
export type AuthMode = 'auto' | 'required' | 'off';

export interface Principal {
  /** The key's id; `open` when no key is required, `metrics-token` for the metrics token; for a person signed in by single sign-on, `user:ADDRESS`. */
  keyId: string;
  /** For a person, their role on the request's project. */
  role: Role;
  /** The project the key covers, or `*`; for a person, the request's project, or `*` when a grant of every project gives their role. */
  keyProjectId: string;
  via: 'bearer' | 'cookie' | 'open' | 'metrics-token';
  /** Signed in: the project the dashboard last chose. */
  sessionProjectId?: string;
  /** Signed in by single sign-on: the person, and when their session ends. */
  user?: SessionUser;
  sessionExpiresMs?: number;
}

export interface RequestAccess {
  principal: Principal;
  /** The project this request reads or writes. */
  projectId: string;
}

/** What a route needs: a role, the metrics token or a read key, or nothing. */
export type Need = Role | 'metrics' | 'public';

/**
 * What a route may declare it needs, in its own folder (its route config's `need`): only that it
 * is for admins. A declaration can raise what `needOf`'s table gives a route, never lower it, so
 * a route that declares nothing, or declares wrongly, is no more open than the table says.
 */
export type DeclaredNeed = 'admin';

/**
 * What a route needs, decided on the route the router matched (its pattern as declared, such as
 * `/api/traces/:traceId`), never on the URL as sent: a router reads `/%61pi/keys`, `/api/keys#x`
 * and `http://host/api/keys` as `/api/keys`, and so must the check. Anyone may reach health, the
 * sign-in endpoint, a browser's OTLP preflight, the page shown when no UI is built and the OpenAPI
 * document (the same for every Spoor of a version: it holds no record, project or key, and an API
 * browser or client generator reads it before it has a key). A score may be posted with an ingest
 * key (or an admin key), and so may datasets be made and their items added and edited, and
 * experiments run and their results recorded. A route that declares `need: 'admin'` (an export)
 * needs an admin key; a route named nowhere here needs an admin key to write, a read key to read.
 */
export function needOf(method: string, route: string, declared?: DeclaredNeed): Need {
  if (declared === 'admin') return 'admin';
  if (route === '/health' || route === '/ready' || route === '/api/session' || route === '/' || route === '/api/openapi.json') return 'public';
  // Single sign-on's way out to the provider and back: what signs a person in cannot need them signed in.
  if (route === '/auth/login' || route === '/auth/callback') return 'public';
  // The docs, as the dashboard's own files: the same text as the package's, no record, project or key.
  if (route === '/docs' || route === '/docs/:page') return 'public';
  if (route.startsWith('/v1/')) return method === 'OPTIONS' ? 'public' : 'ingest';
  if (route === '/metrics') return 'metrics';
  if (route === '/api/keys' || route.startsWith('/api/keys/')) return 'admin';
  // A receiver's URL and headers are where notifications (and their tokens) go: for admins, even to read.
  if (route === '/api/alerts/receivers' || route.startsWith('/api/alerts/receivers/')) return 'admin';
  // An app sends its users' feedback with the key it sends its traces with.
  if (route === '/api/scores' && method === 'POST') return 'ingest';
  // A CI job builds datasets with the key it sends its traces with; deleting one needs an admin.
  if (route.startsWith('/api/datasets') && (method === 'POST' || method === 'PUT' || method === 'PATCH')) return 'ingest';
  // A reviewer reads traces to score them: taking, scoring and leaving a queue's items takes a read key.
  if (route.startsWith('/api/queues/:name/') && method === 'POST' && /\/(next|submit|skip|release)$/.test(route)) return 'read';
  // And runs experiments on them, recording their results.
  if (route.startsWith('/api/experiments') && method === 'POST') return 'ingest';
  // Prometheus's query API: its clients post queries as forms, and a query only reads.
  if (route.startsWith('/api/v1/')) return 'read';
  // A dashboard panel's preview posts its queries to read them, as the Prometheus API does.
  if (route === '/api/dashboards/preview' && method === 'POST') return 'read';
  if (route.startsWith('/api/')) return method === 'GET' || method === 'HEAD' ? 'read' : 'admin';
  // MCP's tools only read (and each call is checked again by the API route it reads).
  if (route === '/mcp') return 'read';
  return 'admin';
}

export interface AccessControlOptions {
  mode: AuthMode;
  ring: KeyRing;
  /** Signs session cookies (`sessions.ts`). */
  sessionSecret: string;
  /** `OidcConfig.fingerprint`: the sessions of people signed in under it are honoured. Unset: no person's session is (no single sign-on). */
  oidcFingerprint?: string | null;
  /** A bearer token `/metrics` also takes, for a Prometheus that holds no key. */
  metricsToken: string | null;
  /** Requests per second each key may make, with bursts of twice that. 0: no limit. */
  ratePerSecond: number;
  /** Told of each key refused (`refused`), and each attempt refused unheard for failing too often (`limited`). */
  onFailedAttempt?: (outcome: 'refused' | 'limited', detail: { clientAddress: string; keyId: string | null }) => void;
  nowMs?: () => number;
}

/** What the HTTP layer tells the access check about a request. */
export interface AccessRequest {
  method: string;
  /** The route the router matched, as declared (`/api/traces/:traceId`): never the URL as sent. */
  route: string;
  /** What that route declares it needs (its route config's `need`), if anything. */
  need?: DeclaredNeed;
  headers: Record<string, string | string[] | undefined>;
  /** The client's address, which failed key attempts are counted under. */
  clientAddress: string;
}

/**
 * Wrong keys one client address may send before it is refused unheard: 30 at once, then one
 * every 2 s. A mistyped key is sent a few times; 1,250 a second (what one client managed before
 * this limit) is a search.
 */
const FAILED_ATTEMPTS = { burst: 30, perMinute: 30, maxTracked: 100_000 };

const PROJECT_HEADER = 'spoor-project';

export class AccessControl {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  /** Session cookies signed out before they expire, with their expiry (kept until then). */
  private readonly ended = new Map<string, number>();
  private readonly now: () => number;
  private readonly failures: FailedAttempts;

  constructor(readonly options: AccessControlOptions) {
    this.now = options.nowMs ?? Date.now;
    this.failures = new FailedAttempts({ ...FAILED_ATTEMPTS, nowMs: this.now });
  }

  /** Whether requests must carry a key now. */
  get enforced(): boolean {
    return this.options.mode === 'required' || (this.options.mode === 'auto' && this.options.ring.any);
  }

  /**
   * The request's access, or an `AppError`: 401 without valid credentials, 403 for a role or
   * project the key does not cover, 429 past the key's rate.
   */
  check(request: AccessRequest): RequestAccess {
    const need = needOf(request.method, request.route, request.need);
    const principal = this.principalOf(request, need);
    if (need === 'public') return { principal, projectId: this.projectFor(principal, request) };
    if (need === 'metrics') {
      if (principal.via !== 'metrics-token' && !(roleCovers(principal.role, 'read') && principal.keyProjectId === ALL_PROJECTS)) {
        throw new AppError('ERR_FORBIDDEN', "/metrics counts every project's records: it takes a read or admin key of project '*', or the --metrics-token");
      }
      return { principal, projectId: DEFAULT_PROJECT_ID };
    }
    if (!roleCovers(principal.role, need)) {
      throw new AppError('ERR_FORBIDDEN', `${request.method} ${request.route} needs ${withArticle(need)} key; this one is ${withArticle(principal.role)} key`);
    }
    if (principal.via === 'cookie' && request.method !== 'GET' && request.method !== 'HEAD') this.checkOrigin(request);
    this.limitRate(principal);
    return { principal, projectId: this.projectFor(principal, request) };
  }

  private principalOf(request: AccessRequest, need: Need): Principal {
    const open: Principal = { keyId: 'open', role: 'admin', keyProjectId: ALL_PROJECTS, via: 'open' };
    const bearer = bearerOf(request.headers.authorization);
    if (bearer !== null) {
      if (need === 'metrics' && this.options.metricsToken !== null && sameText(bearer, this.options.metricsToken)) {
        return { keyId: 'metrics-token', role: 'read', keyProjectId: ALL_PROJECTS, via: 'metrics-token' };
      }
      // Without keys, or on a public route, a bearer is not asked for: no attempt to count.
      if (!this.enforced || need === 'public') {
        const key = this.options.ring.find(bearer);
        return key === null ? open : principalOfKey(key, 'bearer');
      }
      return principalOfKey(this.verifyKey(bearer, request.clientAddress), 'bearer');
    }
    const cookie = cookieOf(header(request.headers.cookie), SESSION_COOKIE);
    if (cookie !== null && !this.ended.has(cookie)) {
      const session = sessionOf(this.options.sessionSecret, cookie, this.now());
      if (session?.user !== undefined) {
        const person = this.principalOfUser(session, session.user, header(request.headers[PROJECT_HEADER]));
        if (person !== null) return person;
      } else {
        const key = session === null ? null : this.options.ring.byKeyId(session.keyId);
        if (key !== null && session !== null) return { ...principalOfKey(key, 'cookie'), sessionProjectId: session.projectId };
      }
    }
    if (this.enforced && need !== 'public') {
      throw unauthenticated(
        need === 'ingest'
          ? 'send an ingest key as Authorization: Bearer KEY (OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20KEY)'
          : 'send a key as Authorization: Bearer KEY, or sign in',
      );
    }
    return open;
  }

  /**
   * A person's session as a principal on the project asked for (else the session's): their role
   * there, from the grants made at sign-in. `null` (not signed in) when the session was made under
   * other rules, another provider, or none is configured now.
   */
  private principalOfUser(session: Session, user: SessionUser, asked: string | null): Principal | null {
    if (this.options.oidcFingerprint == null || user.rules !== this.options.oidcFingerprint) return null;
    // A project they are not granted keeps the session's, and projectFor refuses it (403).
    const access = (asked === null ? null : accessFor(user.grants, asked)) ?? accessFor(user.grants, session.projectId);
    if (access === null) return null;
    return {
      keyId: user.actor,
      role: access.role,
      keyProjectId: access.keyProjectId,
      via: 'cookie',
      sessionProjectId: session.projectId,
      user,
      sessionExpiresMs: session.expiresMs,
    };
  }

  /** Whole seconds a client address must wait before a sign-in or key of it is heard again; 0 while it may. */
  addressWaitSeconds(clientAddress: string): number {
    return this.failures.waitSeconds(addressKey(clientAddress));
  }

  /**
   * Counts a refused sign-in against its address, with the wrong keys' limit: a stranger who sends
   * made-up callbacks is slowed as one who sends made-up keys, and the audit log is not flooded.
   */
  countRefusal(clientAddress: string): void {
    this.failures.fail(addressKey(clientAddress));
    this.options.onFailedAttempt?.('refused', { clientAddress, keyId: null });
  }

  /**
   * The live key `text` is, or 401; 429 for a client address that sent too many wrong keys (it is
   * not heard until its wait is over, whatever it sends) and for a wrong secret of a key id that
   * was tried too often. A key id's own limit cannot refuse its right key unheard: anyone who
   * knows an id (lists and the audit log show it) could then cut its owner off; so it makes a
   * search spread over many addresses visible (429, `onFailedAttempt`), while each address's
   * limit slows it.
   */
  verifyKey(text: string, clientAddress: string): KeyRecord {
    const address = addressKey(clientAddress);
    const addressWait = this.failures.waitSeconds(address);
    if (addressWait > 0) {
      this.options.onFailedAttempt?.('limited', { clientAddress, keyId: null });
      throw tooManyFailures(`this address sent too many keys that are not valid, or sign-ins that failed; retry after ${addressWait} s`, addressWait);
    }
    const key = this.options.ring.find(text);
    if (key !== null) return key;
    this.failures.fail(address);
    const keyId = keyIdOf(text);
    const known = keyId !== null && this.options.ring.byKeyId(keyId) !== null;
    const keyWait = known ? this.failures.waitSeconds(`key ${keyId}`) : 0;
    if (known) this.failures.fail(`key ${keyId}`);
    this.options.onFailedAttempt?.(keyWait > 0 ? 'limited' : 'refused', { clientAddress, keyId: known ? keyId : null });
    if (keyWait > 0) throw tooManyFailures(`key ${keyId} was tried with wrong secrets too often; retry after ${keyWait} s`, keyWait);
    throw unauthenticated('the key is not valid: unknown, revoked or mistyped');
  }

  /**
   * Signs a session out on this server: its cookie stops working at once, not only in the browser
   * that cleared it. (Servers sharing a store each keep their own list; revoking the key ends its
   * sessions everywhere.)
   */
  endSession(cookieHeader: string | undefined): void {
    const cookie = cookieOf(cookieHeader ?? null, SESSION_COOKIE);
    const session = cookie === null ? null : sessionOf(this.options.sessionSecret, cookie, this.now());
    if (cookie === null || session === null) return;
    const now = this.now();
    for (const [value, expiresMs] of this.ended) if (expiresMs <= now) this.ended.delete(value);
    this.ended.set(cookie, session.expiresMs);
  }

  /** The project asked for (`Spoor-Project`, else the session's), within what the key covers. */
  private projectFor(principal: Principal, request: AccessRequest): string {
    const asked = header(request.headers[PROJECT_HEADER]) ?? principal.sessionProjectId ?? null;
    if (principal.keyProjectId !== ALL_PROJECTS) {
      if (asked !== null && asked !== principal.keyProjectId) {
        const granted = principal.user?.grants.map((g) => g.projectId).join(', ');
        throw new AppError(
          'ERR_FORBIDDEN',
          granted === undefined ? `this key covers project '${principal.keyProjectId}' only` : `you are granted project ${granted} only, not '${asked}'`,
        );
      }
      return principal.keyProjectId;
    }
    if (asked === null) return DEFAULT_PROJECT_ID;
    try {
      checkProjectName(asked, 'read');
    } catch (error) {
      throw new AppError('ERR_BAD_REQUEST', `Spoor-Project: ${(error as Error).message}`);
    }
    if (asked === ALL_PROJECTS) throw new AppError('ERR_BAD_REQUEST', "Spoor-Project names one project, not '*'");
    return asked;
  }

  /** A signed-in browser's write must come from Spoor's own pages: another site cannot forge one. */
  private checkOrigin(request: AccessRequest): void {
    const origin = header(request.headers.origin);
    const host = header(request.headers.host);
    let originHost: string | null;
    try {
      originHost = origin === null ? null : new URL(origin).host.toLowerCase();
    } catch {
      originHost = null;
    }
    if (originHost === null || host === null || originHost !== host.toLowerCase()) {
      throw new AppError(
        'ERR_FORBIDDEN',
        `a signed-in write must come from this server's own pages (Origin ${origin ?? 'missing'}); scripts send a key as Authorization: Bearer KEY`,
      );
    }
  }

  /** A token bucket per key: `ratePerSecond` a second, bursts of twice that. */
  private limitRate(principal: Principal): void {
    const rate = this.options.ratePerSecond;
    if (rate <= 0 || principal.via === 'open') return;
    const now = this.now();
    const capacity = rate * 2;
    const bucket = this.buckets.get(principal.keyId) ?? { tokens: capacity, atMs: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.atMs) / 1000) * rate);
    bucket.atMs = now;
    this.buckets.set(principal.keyId, bucket);
    if (bucket.tokens < 1) {
      const waitSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
      throw new AppError('ERR_RATE_LIMITED', `this key made more than ${rate} requests a second; retry after ${waitSeconds} s`, {
        retryAfterSeconds: waitSeconds,
      });
    }
    bucket.tokens -= 1;
  }
}

/** Whether a principal's key covers a project: its own, or every one for a key of `*`. */
export function coversProject(principal: Principal, projectId: string): boolean {
  return principal.keyProjectId === ALL_PROJECTS || principal.keyProjectId === projectId;
}

function principalOfKey(key: KeyRecord, via: 'bearer' | 'cookie'): Principal {
  return { keyId: key.id, role: key.role, keyProjectId: key.projectId, via };
}

function unauthenticated(message: string): AppError {
  return new AppError('ERR_UNAUTHENTICATED', message);
}

function tooManyFailures(message: string, retryAfterSeconds: number): AppError {
  return new AppError('ERR_RATE_LIMITED', message, { retryAfterSeconds });
}

function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** The token of `Authorization: Bearer TOKEN`, or `null`. */
function bearerOf(value: string | string[] | undefined): string | null {
  const text = header(value);
  if (text === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(text);
  return match === null ? null : match[1]!;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A role with its article: "an ingest", "an admin", "a read". */
function withArticle(role: string): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

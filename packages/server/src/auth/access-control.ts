import { timingSafeEqual } from 'node:crypto';
import { DEFAULT_PROJECT_ID } from '@spoor/model';
import { AppError } from '../errors.js';
import type { KeyRing } from './key-ring.js';
import { ALL_PROJECTS, type KeyRecord, type Role, checkProjectName, roleCovers } from './keys.js';
import { SESSION_COOKIE, cookieOf, sessionOf } from './sessions.js';

/**
 * Who a request comes from and which project it acts on: the one place that decides, for every
 * route, whether a request may go on. Routes read `RequestAccess.projectId` and nothing else.
 */

/** `auto`: keys are required once the first exists; `required`: always; `off`: never (a warning on each start). */
export type AuthMode = 'auto' | 'required' | 'off';

export interface Principal {
  /** The key's id; `open` when no key is required, `metrics-token` for the metrics token. */
  keyId: string;
  role: Role;
  /** The project the key covers, or `*`. */
  keyProjectId: string;
  via: 'bearer' | 'cookie' | 'open' | 'metrics-token';
  /** Signed in: the project the dashboard last chose. */
  sessionProjectId?: string;
}

export interface RequestAccess {
  principal: Principal;
  /** The project this request reads or writes. */
  projectId: string;
}

/** What a route needs: a role, the metrics token or a read key, or nothing. */
export type Need = Role | 'metrics' | 'public';

/** Routes anyone may reach: health, the sign-in endpoint and the dashboard's own files. */
export function needOf(method: string, path: string): Need {
  if (path === '/health' || path === '/ready' || path === '/api/session') return 'public';
  if (path.startsWith('/v1/')) return 'ingest';
  if (path === '/metrics') return 'metrics';
  if (path === '/api/keys' || path.startsWith('/api/keys/')) return 'admin';
  if (path === '/api' || path.startsWith('/api/')) return method === 'GET' || method === 'HEAD' ? 'read' : 'admin';
  return 'public';
}

export interface AccessControlOptions {
  mode: AuthMode;
  ring: KeyRing;
  /** Signs session cookies (`sessions.ts`). */
  sessionSecret: string;
  /** A bearer token `/metrics` also takes, for a Prometheus that holds no key. */
  metricsToken: string | null;
  /** Requests per second each key may make, with bursts of twice that. 0: no limit. */
  ratePerSecond: number;
  nowMs?: () => number;
}

/** What the HTTP layer tells the access check about a request. */
export interface AccessRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

const PROJECT_HEADER = 'spoor-project';

export class AccessControl {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  /** Session cookies signed out before they expire, with their expiry (kept until then). */
  private readonly ended = new Map<string, number>();
  private readonly now: () => number;

  constructor(readonly options: AccessControlOptions) {
    this.now = options.nowMs ?? Date.now;
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
    const need = needOf(request.method, request.path);
    const principal = this.principalOf(request, need);
    if (need === 'public') return { principal, projectId: this.projectFor(principal, request) };
    if (need === 'metrics') {
      if (principal.via !== 'metrics-token' && !(roleCovers(principal.role, 'read') && principal.keyProjectId === ALL_PROJECTS)) {
        throw new AppError('ERR_FORBIDDEN', "/metrics counts every project's records: it takes a read or admin key of project '*', or the --metrics-token");
      }
      return { principal, projectId: DEFAULT_PROJECT_ID };
    }
    if (!roleCovers(principal.role, need)) {
      throw new AppError('ERR_FORBIDDEN', `${request.method} ${request.path} needs ${need === 'admin' ? 'an admin' : `a ${need}`} key; this one is a ${principal.role} key`);
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
      const key = this.options.ring.find(bearer);
      if (key !== null) return principalOfKey(key, 'bearer');
      if (this.enforced && need !== 'public') throw unauthenticated('the key is not valid: unknown, revoked or mistyped');
      return open;
    }
    const cookie = cookieOf(header(request.headers.cookie), SESSION_COOKIE);
    if (cookie !== null && !this.ended.has(cookie)) {
      const session = sessionOf(this.options.sessionSecret, cookie, this.now());
      const key = session === null ? null : this.options.ring.byKeyId(session.keyId);
      if (key !== null && session !== null) return { ...principalOfKey(key, 'cookie'), sessionProjectId: session.projectId };
    }
    if (this.enforced && need !== 'public') {
      throw unauthenticated(need === 'ingest' ? 'send an ingest key as Authorization: Bearer KEY (OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20KEY)' : 'send a key as Authorization: Bearer KEY, or sign in');
    }
    return open;
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
      if (asked !== null && asked !== principal.keyProjectId) throw new AppError('ERR_FORBIDDEN', `this key covers project '${principal.keyProjectId}' only`);
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
      throw new AppError('ERR_FORBIDDEN', `a signed-in write must come from this server's own pages (Origin ${origin ?? 'missing'}); scripts send a key as Authorization: Bearer KEY`);
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
      throw new AppError('ERR_RATE_LIMITED', `this key made more than ${rate} requests a second; retry after ${waitSeconds} s`, { retryAfterSeconds: waitSeconds });
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

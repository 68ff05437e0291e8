import type { FastifyInstance } from 'fastify';

/**
 * How the MCP tools reach Spoor: a read of the REST API, nothing else. The tools are written once
 * over this; `/mcp` calls the API in process with the caller's own credentials (`injectCaller`),
 * `spoor mcp --url` over HTTP with `SPOOR_API_KEY` (`fetchCaller`), and `spoor mcp --data` in
 * process over a data directory opened read-only. So an agent sees exactly what the API shows the
 * same key: another project's trace is "not found" because the API answers 404.
 */

/** A query parameter's value: a list is sent as the parameter repeated (`attr=a=1&attr=b=2`). */
export type QueryValue = string | number | boolean | readonly string[];

export interface ApiRequest {
  /** The path with its ids already encoded (`pathOf`). */
  path: string;
  query?: Readonly<Record<string, QueryValue | undefined>>;
}

/** The API's refusal: its status and `{ error: { code, message } }`, or the caller's own when the server was not reached. */
export interface ApiFailure {
  status: number;
  code: string;
  message: string;
}

export type ApiAnswer = { ok: true; body: unknown } | { ok: false; failure: ApiFailure };

export type ApiCaller = (request: ApiRequest) => Promise<ApiAnswer>;

/** `/api/traces/ID/spans/ID` from its segments, each one percent-encoded. */
export function pathOf(...segments: string[]): string {
  return segments.map((segment, i) => (i === 0 ? segment : encodeURIComponent(segment))).join('/');
}

/** The request's path and query, each list item its own parameter, in the order given. */
export function urlOf(request: ApiRequest): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const item of value) params.append(name, item);
    else params.append(name, String(value));
  }
  const query = params.toString();
  return query === '' ? request.path : `${request.path}?${query}`;
}

/** An answer's status and text as a tool reads it: the JSON of a success, the API's error of a refusal. */
export function answerOf(status: number, text: string): ApiAnswer {
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: a proxy's page, say. A success must be JSON; a refusal is reported by its status.
    if (status < 300) return { ok: false, failure: { status: 502, code: 'ERR_BAD_ANSWER', message: `Spoor answered ${status} with a body that is not JSON` } };
  }
  if (status < 300) return { ok: true, body };
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    ok: false,
    failure: {
      status,
      code: typeof error?.code === 'string' ? error.code : `HTTP_${status}`,
      message: typeof error?.message === 'string' ? error.message : `Spoor answered ${status}`,
    },
  };
}

/** The headers of the MCP request that say who asks and for which project: the API checks them again on every call. */
const FORWARDED = ['authorization', 'cookie', 'spoor-project', 'host'] as const;

/**
 * Calls the app's REST API in process (`inject`: no socket), as the request `from` would: its
 * credentials, project, host and client address. Every check of the API (keys, roles, projects,
 * rate, host) runs on each call.
 */
export function injectCaller(app: FastifyInstance, from: { headers: Record<string, string | string[] | undefined>; remoteAddress: string }): ApiCaller {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED) {
    const value = from.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return async (request) => {
    const response = await app.inject({ method: 'GET', url: urlOf(request), headers, remoteAddress: from.remoteAddress });
    return answerOf(response.statusCode, response.body);
  };
}

/** Calls a running Spoor's REST API over HTTP with `key` (a read key) as its bearer token. */
export function fetchCaller(baseUrl: string, key: string | null, project: string | null = null): ApiCaller {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (project !== null) headers['spoor-project'] = project;
  return async (request) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${urlOf(request)}`, { headers });
    } catch (error) {
      return {
        ok: false,
        failure: {
          status: 503,
          code: 'ERR_UNREACHABLE',
          message: `cannot reach Spoor at ${baseUrl} (${(error as Error).message}); is it running? (spoor mcp --url URL)`,
        },
      };
    }
    const answer = answerOf(response.status, await response.text());
    if (!answer.ok && answer.failure.status === 401) {
      answer.failure.message += key === null ? '; set SPOOR_API_KEY to a read key of the project' : '; SPOOR_API_KEY holds a key this Spoor does not take';
    }
    return answer;
  };
}

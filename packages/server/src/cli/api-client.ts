/**
 * The command line's way into a running Spoor: its REST API, with the key in `SPOOR_API_KEY`
 * (needed once the server has keys) sent as a bearer token.
 */

export const DEFAULT_URL = 'http://127.0.0.1:4318';

/** The server's URL: `--url`, else `SPOOR_URL`, else the default port on loopback. */
export function serverUrl(flag: string | undefined): string {
  return (flag ?? process.env.SPOOR_URL ?? DEFAULT_URL).replace(/\/+$/, '');
}

/** The server's answer to a request it refused: its HTTP status, and its message as the error's. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Throws `ApiError` for an answer that is not a success, an `Error` for a server not reached. */
export async function callApi(url: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const key = process.env.SPOOR_API_KEY;
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key !== undefined && key !== '') headers.authorization = `Bearer ${key}`;
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new Error(`cannot reach Spoor at ${url} (${(error as Error).message}); start it, or pass --url`, { cause: error });
  }
  if (response.status === 204) return null;
  const answer = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (response.status === 401)
    throw new ApiError(`${method} ${path}: ${answer?.error?.message ?? 'a key is required'}; set SPOOR_API_KEY to an admin key`, 401);
  if (!response.ok) throw new ApiError(`${method} ${path} answered ${response.status}: ${answer?.error?.message ?? 'no details'}`, response.status);
  return answer;
}

import { ExperimentError } from './errors.js';

/** How long one API request may take, in ms; posting a batch of results runs its evaluators. */
const REQUEST_TIMEOUT_MS = 120_000;

/** Where the experiment API is and how to reach it. */
export interface ApiTarget {
  /** Base URL of the Spoor server, no trailing slash. */
  endpoint: string;
  /** Sent with every request: `authorization` only. */
  headers: Record<string, string>;
}

/**
 * The Spoor REST API as the experiment helpers call it: JSON in and out, and every failure an
 * {@link ExperimentError} naming what was asked and what to do.
 */
export class ExperimentApi {
  constructor(readonly target: ApiTarget) {}

  get<T>(path: string, what: string): Promise<T> {
    return this.request<T>('GET', path, undefined, what);
  }

  post<T>(path: string, body: unknown, what: string): Promise<T> {
    return this.request<T>('POST', path, body, what);
  }

  private async request<T>(method: string, path: string, body: unknown, what: string): Promise<T> {
    const { endpoint, headers } = this.target;
    let response: Response;
    try {
      response = await fetch(`${endpoint}${path}`, {
        method,
        headers:
          body === undefined ? { accept: 'application/json', ...headers } : { accept: 'application/json', 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ExperimentError(
        'unreachable',
        `cannot ${what}: ${endpoint} did not answer (${(error as Error).message}); is the Spoor server running there (endpoint)?`,
        { cause: error },
      );
    }
    if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
    const said = await messageOf(response);
    if (response.status === 401 || response.status === 403) {
      throw new ExperimentError(
        'unauthorized',
        `${endpoint} refused to ${what} (${response.status}: ${said}): an experiment reads the dataset and traces and writes results, so its key must be an admin key of the project (runExperiment({ apiKey }))`,
      );
    }
    if (response.status === 404) throw new ExperimentError('not_found', `cannot ${what}: ${said}`);
    if (response.status < 500) throw new ExperimentError('refused', `${endpoint} refused to ${what} (${response.status}): ${said}`);
    throw new ExperimentError('server_error', `${endpoint} failed to ${what} (${response.status}): ${said}`);
  }
}

/** The `{ error: { message } }` the server answers with, or the status text. */
async function messageOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // Not JSON (a proxy's page): the status says it.
  }
  return response.statusText || `HTTP ${response.status}`;
}

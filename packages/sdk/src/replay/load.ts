import type { TraceDetail, TraceDetailPage } from '@spoor/model';
import { cassetteFromTrace, type Cassette } from './cassette.js';
import { ReplayError } from './errors.js';
import type { ReplayConfig } from './session.js';

/** How long reading the recorded trace may take, in ms; a Spoor server answers in milliseconds. */
const LOAD_TIMEOUT_MS = 10_000;

/** Spans a page holds when a trace is too large for one answer (the server's largest page). */
const PAGE_SPANS = 10_000;
/** What a read answers when the server gives the trace only in pages. */
const TOO_LARGE = Symbol('too large');

/**
 * Reads the recorded trace from the Spoor server (`GET /api/traces/:traceId`, page by page when it
 * is too large for one answer) and builds its cassette. Rejects with a {@link ReplayError} that
 * says what to do: a wrong id, a key that may not read, or a trace recorded without content capture.
 */
export async function loadCassette(config: ReplayConfig): Promise<Cassette> {
  const whole = await read<TraceDetail>(config, '');
  if (whole !== TOO_LARGE) return checked(cassetteFromTrace(whole));
  // Past 50,000 spans the server answers only pages (`?spans=OFFSET,LIMIT`); their spans, concatenated, are the whole trace's.
  const spans: TraceDetail['spans'] = [];
  for (let next: string | null = `0,${PAGE_SPANS}`; next !== null; ) {
    // A page is never too large: only the whole answer is refused so.
    const page = (await read<TraceDetailPage>(config, `?spans=${next}`)) as TraceDetailPage;
    for (const span of page.spans) spans.push(span);
    next = page.nextSpans;
  }
  return checked(cassetteFromTrace({ traceId: config.traceId, spans, logs: [], scores: [] }));
}

/** One read of the trace; {@link TOO_LARGE} when the server answers it only in pages. */
async function read<T>(config: ReplayConfig, query: string): Promise<T | typeof TOO_LARGE> {
  const url = `${config.endpoint}/api/traces/${config.traceId}${query}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...config.headers }, signal: AbortSignal.timeout(LOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new ReplayError(
      'unreachable',
      `cannot read trace ${config.traceId} from ${config.endpoint}: ${(error as Error).message}; is the Spoor server running there (replay.endpoint)?`,
      { cause: error },
    );
  }
  if (response.status === 404) {
    throw new ReplayError(
      'not_found',
      `trace ${config.traceId} was not found on ${config.endpoint}; copy the id from the trace view, and check it was kept (sampling) and not yet deleted (retention)`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new ReplayError(
      'unauthorized',
      `${config.endpoint} refused to read trace ${config.traceId} (${response.status}): replay needs a read key of its project (replay: { apiKey }); an ingest key can only send`,
    );
  }
  if (response.status === 400 && query === '' && (await errorCodeOf(response)) === 'ERR_TRACE_TOO_LARGE') return TOO_LARGE;
  if (!response.ok) throw new ReplayError('unreadable', `reading trace ${config.traceId} from ${config.endpoint} failed with HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function errorCodeOf(response: Response): Promise<unknown> {
  try {
    return ((await response.json()) as { error?: { code?: unknown } }).error?.code;
  } catch {
    // Not the server's JSON error: an unreadable answer, said so by its status.
    return undefined;
  }
}

/** A cassette with at least one call to replay, or the reason there is none. */
function checked(cassette: Cassette): Cassette {
  if (cassette.entries.size > 0) return cassette;
  const why =
    cassette.uncaptured > 0
      ? `its ${cassette.uncaptured} LLM call(s) were recorded without content capture`
      : 'it holds no LLM call made through instrumentOpenAI/instrumentAnthropic and no traced function with captureArgs';
  throw new ReplayError(
    'no_recorded_calls',
    `trace ${cassette.traceId} has no recorded requests to replay: ${why}. Record the run again with content capture on: instrumentOpenAI(client, { captureContent: true }) (or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true), and traced({ captureArgs: true }) for tools`,
  );
}

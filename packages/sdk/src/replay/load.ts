import type { TraceDetail } from '@spoor/model';
import { cassetteFromTrace, type Cassette } from './cassette.js';
import { ReplayError } from './errors.js';
import type { ReplayConfig } from './session.js';

/** How long reading the recorded trace may take, in ms; a Spoor server answers in milliseconds. */
const LOAD_TIMEOUT_MS = 10_000;

/**
 * Reads the recorded trace from the Spoor server (`GET /api/traces/:traceId`) and builds its
 * cassette. Rejects with a {@link ReplayError} that says what to do: a wrong id, a key that may
 * not read, or a trace recorded without content capture.
 */
export async function loadCassette(config: ReplayConfig): Promise<Cassette> {
  const url = `${config.endpoint}/api/traces/${config.traceId}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...config.headers }, signal: AbortSignal.timeout(LOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new ReplayError('unreachable', `cannot read trace ${config.traceId} from ${config.endpoint}: ${(error as Error).message}; is the Spoor server running there (replay.endpoint)?`, { cause: error });
  }
  if (response.status === 404) {
    throw new ReplayError('not_found', `trace ${config.traceId} was not found on ${config.endpoint}; copy the id from the trace view, and check it was kept (sampling) and not yet deleted (retention)`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new ReplayError('unauthorized', `${config.endpoint} refused to read trace ${config.traceId} (${response.status}): replay needs a read key of its project (replay: { apiKey }); an ingest key can only send`);
  }
  if (!response.ok) throw new ReplayError('unreadable', `reading trace ${config.traceId} from ${config.endpoint} failed with HTTP ${response.status}`);
  const detail = (await response.json()) as TraceDetail;
  return checked(cassetteFromTrace(detail));
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

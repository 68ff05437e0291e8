import http from 'node:http';
import https from 'node:https';

/** A destination's answer: its status, its `Retry-After`, and the start of its body (for the log). */
export interface Answer {
  status: number;
  retryAfter: string | null;
  text: string;
}

/**
 * What every forwarded request says of itself. `spoor-forwarded` tells a Spoor receiving it that
 * Spoor's own traces in it (judges, replays: `spoor-replay`, refused from apps) are another
 * Spoor's own, to keep as such (`ingest/routes.ts`); other backends ignore it.
 */
const FORWARDED = { 'content-type': 'application/x-protobuf', 'user-agent': 'spoor-forward', 'spoor-forwarded': '1' } as const;

/** Bytes of an answer's body kept for the log; the rest is read and dropped. */
const ANSWER_BYTES_KEPT = 4096;

/**
 * Posts OTLP protobuf to one destination over a keep-alive connection (one request at a time).
 * `node:http` rather than `fetch`: the parts of a request go to the socket as they are, where
 * `fetch` copied the body once more and cost more per request (measured with a CPU profile of the
 * forward thread under bench:forward: 13% of its time, and most of its garbage).
 */
export class Poster {
  private readonly agent: http.Agent;

  private readonly secure: boolean;

  constructor(
    baseUrl: string,
    private readonly headers: ReadonlyArray<[string, string]>,
  ) {
    const options = { keepAlive: true, maxSockets: 1 };
    this.secure = baseUrl.startsWith('https:');
    this.agent = this.secure ? new https.Agent(options) : new http.Agent(options);
  }

  /** Posts `parts` (OTLP bodies of one type: together, one request) to `target`; rejects when no answer came. */
  post(target: URL, parts: readonly Uint8Array[], signal: AbortSignal): Promise<Answer> {
    let length = 0;
    for (const part of parts) length += part.byteLength;
    const headers: http.OutgoingHttpHeaders = { ...FORWARDED, 'content-length': length };
    for (const [name, value] of this.headers) headers[name] = value;
    const client = this.secure ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(target, { method: 'POST', agent: this.agent, headers, signal }, (response) => {
        const kept: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < ANSWER_BYTES_KEPT) kept.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, retryAfter: retryAfter ?? null, text: Buffer.concat(kept).toString('utf8', 0, ANSWER_BYTES_KEPT) });
        });
        response.on('error', reject);
      });
      request.on('error', reject);
      for (const part of parts) request.write(part);
      request.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

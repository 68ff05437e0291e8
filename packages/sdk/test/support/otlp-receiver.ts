import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { LogRecordData, MetricPointRecord, SpanRecord } from '@spoor/model';
import { decodeRequest } from '../../../server/src/ingest/decode.js';

/** One `/v1/traces` request as the receiver saw it, decoded by Spoor's own decoder. */
export interface ReceivedExport {
  /** Arrival order, from 0. */
  index: number;
  /** When the whole body had arrived, ms since the epoch. */
  arrivedMs: number;
  /** When the receiver answered it, ms since the epoch (set once answered). */
  answeredMs: number | undefined;
  /** The raw body as sent (after gunzip), to look for text that must not leave the app. */
  body: Buffer;
  spans: SpanRecord[];
}

/** A loopback OTLP/HTTP receiver that keeps every traces request, and every log record and metric point decoded. */
export interface OtlpReceiver {
  /** The endpoint to give `init({ endpoint })`. */
  url: string;
  exports: ReceivedExport[];
  logs: LogRecordData[];
  metricPoints: MetricPointRecord[];
  /** Every span received, in arrival order, each with the index of the request that carried it. */
  spans(): { span: SpanRecord; request: number }[];
  /** Holds the answer to each traces request this long (a slow server); 0 answers at once. */
  delayAnswerMs: number;
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 on a free port; close it in the test's `afterAll`/`finally`. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const exports: ReceivedExport[] = [];
  const receiver: OtlpReceiver = {
    url: '',
    exports,
    logs: [],
    metricPoints: [],
    delayAnswerMs: 0,
    spans: () => exports.flatMap((received) => received.spans.map((span) => ({ span, request: received.index }))),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const encoding = String(request.headers['content-type']).includes('json') ? 'json' : 'protobuf';
      if (request.url === '/v1/logs' || request.url === '/v1/metrics') {
        const signal = request.url === '/v1/logs' ? 'logs' : 'metrics';
        const decoded = decodeRequest(signal, encoding, body, 'default', Date.now() * 1000, { normalize: false });
        receiver.logs.push(...decoded.batch.logs);
        receiver.metricPoints.push(...decoded.batch.metricPoints);
      }
      if (request.url !== '/v1/traces') {
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        return;
      }
      const decoded = decodeRequest('traces', encoding, body, 'default', Date.now() * 1000, { normalize: false });
      // The decoder keeps running snapshots apart from ended spans.
      const spans = [...decoded.batch.spans, ...(decoded.batch.runningSpans ?? [])];
      const received: ReceivedExport = { index: exports.length, arrivedMs: Date.now(), answeredMs: undefined, body, spans };
      exports.push(received);
      const answer = () => {
        received.answeredMs = Date.now();
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      };
      if (receiver.delayAnswerMs > 0) setTimeout(answer, receiver.delayAnswerMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

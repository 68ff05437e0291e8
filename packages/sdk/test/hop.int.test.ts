import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LogListResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { killAll } from '../../server/test/support/processes.js';
import { getJson, startTestServer, type TestServer } from '../../server/test/support/server.js';
import { getCorrelationId, init, injectContext, logger, shutdown, withCorrelation, withSpan } from '../src/index.js';

/**
 * Correlation across an HTTP hop between two processes: this test process (`hop-upstream`, the
 * SDK sources) calls a child process (`hop-downstream`, the built `@spoor/sdk`) with the headers
 * `injectContext()` writes; both export to one real Spoor server.
 */

const FIXTURE = fileURLToPath(new URL('./fixtures/hop-service.mjs', import.meta.url));
const BUILT_SDK = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Downstream {
  child: ChildProcess;
  url: string;
  /** Every complete stdout line so far, parsed. */
  lines: () => Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
let server: TestServer;

/** What the upstream side saw of the call. */
interface Call {
  correlationId: string;
  traceId: string;
  spanId: string;
  status: number;
  body: string;
}

/** Starts the fixture and resolves once it prints the port it listens on (within 10 s). */
async function startDownstream(endpoint: string): Promise<Downstream> {
  if (!existsSync(BUILT_SDK)) throw new Error(`the fixture imports the built @spoor/sdk, but ${BUILT_SDK} is missing: run \`npm run build\` first`);
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [FIXTURE], { env: { ...env, HOP_ENDPOINT: endpoint }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hop-service printed no port within 10 s; stderr: ${stderr}`)), 10_000);
    const check = () => {
      const found = lines().find((line) => typeof line.port === 'number');
      if (found === undefined) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(found.port as number);
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`hop-service exited (${code ?? signal}) before listening; stderr: ${stderr}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, lines, stderr: () => stderr, exited };
}

let downstream: Downstream;
let call: Call;
let upstreamLines: string[];

beforeAll(async () => {
  server = await startTestServer();
  downstream = await startDownstream(server.url);
  upstreamLines = [];
  init({ serviceName: 'hop-upstream', endpoint: server.url, logFormat: 'json', logDestination: { write: (line: string) => upstreamLines.push(line) } });

  call = await withCorrelation(() =>
    withSpan('upstream.call', { kind: 'client' }, async (span) => {
      logger.info('calling downstream');
      const response = await fetch(`${downstream.url}/answer`, { headers: injectContext({}) });
      return {
        correlationId: getCorrelationId()!,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        status: response.status,
        body: await response.text(),
      };
    }),
  );

  // Both sides export what they buffered: the child on SIGTERM, this process on shutdown().
  downstream.child.kill('SIGTERM');
  const [exit] = await Promise.all([downstream.exited, shutdown()]);
  expect(exit, `hop-service stderr: ${downstream.stderr()}`).toEqual({ code: 0, signal: null });
});

afterAll(async () => {
  await killAll(children);
  await shutdown();
  await server?.stop();
});

it('answers with the correlation id the caller generated', () => {
  expect(call.correlationId).toMatch(UUID);
  expect(call.status).toBe(200);
  expect(call.body).toBe(call.correlationId);
});

it('joins both services in one trace, the downstream span under the upstream one', async () => {
  const list = await getJson<TraceListResponse>(server.url, '/api/traces');
  expect(list.body.traces.map((trace) => trace.traceId)).toEqual([call.traceId]);

  const { status, body } = await getJson<TraceDetail>(server.url, `/api/traces/${call.traceId}`);
  expect(status).toBe(200);
  expect(body.spans.map((span) => [span.name, span.serviceName, span.kind])).toEqual([
    ['upstream.call', 'hop-upstream', 'client'],
    ['downstream.handle', 'hop-downstream', 'server'],
  ]);
  const [upstream, handled] = body.spans;
  expect(upstream!.spanId).toBe(call.spanId);
  expect(upstream!.parentSpanId).toBeNull();
  expect(handled!.parentSpanId).toBe(upstream!.spanId);
  expect(handled!.depth).toBe(1);
});

it('carries the same correlation id on the spans of both services', async () => {
  const { body } = await getJson<TraceDetail>(server.url, `/api/traces/${call.traceId}`);
  expect(body.spans.map((span) => [span.serviceName, span.attributes['correlation.id']])).toEqual([
    ['hop-upstream', call.correlationId],
    ['hop-downstream', call.correlationId],
  ]);
});

it("writes the downstream log line to the child's stdout with the caller's correlation and trace ids", async () => {
  const logged = downstream.lines().filter((line) => line.msg === 'handling request');
  expect(logged).toHaveLength(1);
  const { body } = await getJson<TraceDetail>(server.url, `/api/traces/${call.traceId}`);
  const handled = body.spans.find((span) => span.name === 'downstream.handle');
  expect(logged[0]).toMatchObject({
    level: 'info',
    service: 'hop-downstream',
    path: '/answer',
    correlation_id: call.correlationId,
    trace_id: call.traceId,
    span_id: handled?.spanId,
  });
});

it("shows the log lines of both services in the caller's trace, each on its own span", async () => {
  const { body: detail } = await getJson<TraceDetail>(server.url, `/api/traces/${call.traceId}`);
  const spanIdOf = new Map(detail.spans.map((span) => [span.serviceName, span.spanId]));
  const { body } = await getJson<LogListResponse>(server.url, `/api/logs?traceId=${call.traceId}`);
  const seen = body.logs.map((log) => [log.serviceName, log.body, log.spanId, log.attributes['correlation.id']]).sort();
  expect(seen).toEqual([
    ['hop-downstream', 'handling request', spanIdOf.get('hop-downstream'), call.correlationId],
    ['hop-upstream', 'calling downstream', spanIdOf.get('hop-upstream'), call.correlationId],
  ]);
  expect(upstreamLines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
    expect.objectContaining({ msg: 'calling downstream', correlation_id: call.correlationId, trace_id: call.traceId, span_id: call.spanId }),
  ]);
});

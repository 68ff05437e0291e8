import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SpanRecord } from '@spoor/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, DEFAULT_USAGE, startFakeLlm, type FakeLlm } from './support/fake-llm.js';
import { startOtlpReceiver, type OtlpReceiver } from './support/otlp-receiver.js';

/**
 * Spoor beside an app's own OpenTelemetry SDK: a child process (`fixtures/otel-app.mjs`, the built
 * `@spoor/sdk`) runs `@opentelemetry/sdk-node` with the HTTP instrumentation and OTLP exporters to
 * the app's backend (one receiver here), gives it `spoorProcessors()`, and calls `init()` towards
 * Spoor (a second receiver), in each start order; OTel globals are per process, so one child per
 * order. It serves one request as an agent workflow that calls a fake LLM through the real
 * `openai` client, then shuts both down and exits. Both receivers must hold the same whole trace.
 */

const FIXTURE = fileURLToPath(new URL('./fixtures/otel-app.mjs', import.meta.url));
const BUILT_SDK = fileURLToPath(new URL('../dist/index.js', import.meta.url));

interface Run {
  app: OtlpReceiver;
  spoor: OtlpReceiver;
  stdout: string;
  stderr: string;
}

let llm: FakeLlm;
const receivers: OtlpReceiver[] = [];

beforeAll(async () => {
  if (!existsSync(BUILT_SDK)) throw new Error(`the fixture imports the built @spoor/sdk, but ${BUILT_SDK} is missing: run \`npm run build\` first`);
  llm = await startFakeLlm();
});

afterAll(async () => {
  await Promise.all([llm?.close(), ...receivers.map((receiver) => receiver.close())]);
});

/** Runs the app in one start order to its end; both SDKs have exported everything when it exits 0. */
async function runApp(order: string): Promise<Run> {
  const [app, spoor] = await Promise.all([startOtlpReceiver(), startOtlpReceiver()]);
  receivers.push(app, spoor);
  const { OTEL_EXPORTER_OTLP_ENDPOINT: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...env, ORDER: order, APP_ENDPOINT: app.url, SPOOR_ENDPOINT: spoor.url, LLM_URL: llm.baseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  expect(code, `otel-app (${order}) exited ${code}; stderr:\n${stderr}`).toBe(0);
  expect(JSON.parse(stdout.trim())).toEqual({ answer: DEFAULT_TEXT });
  return { app, spoor, stdout, stderr };
}

const spansOf = (receiver: OtlpReceiver): SpanRecord[] => receiver.spans().map(({ span }) => span);

/** What a backend shows of a span: its place in the trace, its name and who made it. */
function shape(span: SpanRecord) {
  return { traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId, name: span.name, scope: span.scope.name, resource: span.resource };
}

function only(spans: SpanRecord[], name: string): SpanRecord {
  const found = spans.filter((span) => span.name === name);
  expect(found, `spans named '${name}' among ${spans.map((span) => span.name).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

/** The trace the app made: HTTP server span → agent workflow → LLM call, one trace, each span once. */
function checkTrace(spans: SpanRecord[], backend: string): [SpanRecord, SpanRecord, SpanRecord] {
  expect(spans.map((span) => span.name).sort(), `${backend}: every span once, and no other`).toEqual(['GET', 'agent', 'chat gpt-4o-mini']);
  const server = only(spans, 'GET');
  const agent = only(spans, 'agent');
  const call = only(spans, 'chat gpt-4o-mini');
  expect(server.scope.name).toBe('@opentelemetry/instrumentation-http');
  expect(server.parentSpanId, `${backend}: the HTTP server span is the root`).toBeNull();
  expect(agent.parentSpanId).toBe(server.spanId);
  expect(call.parentSpanId).toBe(agent.spanId);
  for (const span of spans) expect(span.traceId).toBe(server.traceId);
  return [server, agent, call];
}

describe.each(['app-first', 'spoor-first'])("with Spoor's parts in the app's sdk-node, started %s", (order) => {
  let run: Run;

  beforeAll(async () => {
    run = await runApp(order);
  });

  it('gives both backends the whole trace, nested as the app made it, span by span', () => {
    const [appServer, appAgent, appCall] = checkTrace(spansOf(run.app), 'app backend');
    const [spoorServer, spoorAgent, spoorCall] = checkTrace(spansOf(run.spoor), 'Spoor');
    expect([spoorServer, spoorAgent, spoorCall].map(shape)).toEqual([appServer, appAgent, appCall].map(shape));
    // One tracer provider made them all: the app's, with its resource.
    expect(appAgent.resource.attributes['process.pid']).toBe(appServer.resource.attributes['process.pid']);
    // Spoor's span processor saw the app's spans: the LLM call's usage is summed into the workflow, for both backends.
    expect(appCall.attributes['gen_ai.usage.input_tokens']).toBe(DEFAULT_USAGE.inputTokens);
    expect(appAgent.attributes['workflow.input_tokens']).toBe(DEFAULT_USAGE.inputTokens);
    expect(spoorAgent.attributes['workflow.input_tokens']).toBe(DEFAULT_USAGE.inputTokens);
  });

  it("gives both backends the logger's line inside its span, once", () => {
    const agent = only(spansOf(run.spoor), 'agent');
    for (const [backend, receiver] of [
      ['app backend', run.app],
      ['Spoor', run.spoor],
    ] as const) {
      const lines = receiver.logs.filter((log) => log.body === 'answered');
      expect(lines, `${backend}: ${JSON.stringify(receiver.logs.map((log) => log.body))}`).toHaveLength(1);
      expect({ traceId: lines[0]!.traceId, spanId: lines[0]!.spanId }).toEqual({ traceId: agent.traceId, spanId: agent.spanId });
      expect(lines[0]!.attributes.category).toBe('agent');
    }
  });

  it("gives both backends the HTTP and Spoor metrics from the app's one meter provider", () => {
    const appResource = only(spansOf(run.app), 'GET').resource;
    for (const [backend, receiver] of [
      ['app backend', run.app],
      ['Spoor', run.spoor],
    ] as const) {
      const points = receiver.metricPoints;
      const names = new Set(points.map((point) => `${point.scope.name} ${point.name}`));
      for (const wanted of ['@opentelemetry/instrumentation-http http.server.request.duration', '@spoor/sdk agent.answers', '@spoor/sdk workflow.count']) {
        expect(names, `${backend}: ${[...names].join(', ')}`).toContain(wanted);
      }
      // A second meter provider (Spoor's own) would send its points under its own resource.
      for (const point of points) expect(point.resource, `${backend}: ${point.name}`).toEqual(appResource);
      const answers = points.filter((point) => point.name === 'agent.answers');
      expect(answers.at(-1)!.value, `${backend}: the one answer, counted once`).toBe(1);
      expect(answers.at(-1)!.attributes).toEqual({ route: '/ask' });
    }
  });
});

describe("without Spoor's parts in the app's SDK", () => {
  it('init() says exactly what to do, and each backend gets its part of the trace', async () => {
    const run = await runApp('app-first-unjoined');
    expect(run.stderr).toContain('another OpenTelemetry SDK is registered in this process');
    expect(run.stderr).toContain('const spoor = spoorProcessors(); new NodeSDK({ spanProcessors: [yours, ...spoor.spanProcessors]');
    expect(spansOf(run.app).map((span) => span.name)).toEqual(['GET']);
    expect(
      spansOf(run.spoor)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['agent', 'chat gpt-4o-mini']);
  });
});

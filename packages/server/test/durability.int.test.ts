import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceDetail, TraceListResponse } from '@spoor/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killAll } from './support/processes.js';

/**
 * "A 200 means committed": the server is killed while batches are in flight, restarted on the
 * same data directory, and every span of every acknowledged request must be there.
 */

const SPOOR_BIN = fileURLToPath(new URL('../bin/spoor.js', import.meta.url));
const SPANS_PER_REQUEST = 250;
const CONCURRENCY = 6;

interface Serve {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spoor-durability-'));
});

afterEach(async () => {
  await killAll(children);
  await rm(dataDir, { recursive: true, force: true });
});

/** Spawns `spoor serve` on a free loopback port and resolves once it prints its start-up line. */
async function serve(data: string): Promise<Serve> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SPOOR_')));
  const child = spawn(process.execPath, [SPOOR_BIN, 'serve', '--port', '0', '--grpc-port', '0', '--data', data, '--log-level', 'warn'], {
    cwd: data,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // The line that says it listens, or its exit: no clock of its own (a hang is the test's timeout).
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /Spoor is listening on (http:\/\/127\.0\.0\.1:\d+) \(data: /.exec(stdout);
      if (match === null) return;
      child.stdout!.off('data', onData);
      resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`spoor serve exited (${code ?? signal}) before listening; stderr: ${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

/** The child's exit, or a failure that shows its output if it has not exited within 45 s (a hang: it exits in a second alone, some seconds beside other work). */
async function exitOf(server: Serve): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`spoor serve did not exit within 45 s; stdout: ${server.stdout()}; stderr: ${server.stderr()}`)), 45_000);
  });
  try {
    return await Promise.race([server.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Batch {
  traceId: string;
  spanIds: string[];
  body: string;
}

/** One OTLP/JSON export request: a trace of `SPANS_PER_REQUEST` spans. */
function makeBatch(index: number): Batch {
  const traceId = randomBytes(16).toString('hex');
  const startNs = BigInt(Date.now() - 60_000) * 1_000_000n;
  const spanIds: string[] = [];
  const spans = [];
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const spanId = randomBytes(8).toString('hex');
    spanIds.push(spanId);
    const start = startNs + BigInt(i) * 1_000_000n;
    spans.push({
      traceId,
      spanId,
      parentSpanId: i === 0 ? undefined : spanIds[0],
      name: i === 0 ? `request ${index}` : `step ${i}`,
      kind: 1,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + 5_000_000n),
      attributes: [
        { key: 'request.index', value: { intValue: String(index) } },
        { key: 'step.note', value: { stringValue: `step ${i} of request ${index}, padded to look like real attributes` } },
      ],
    });
  }
  const body = JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'durability-test' } }] },
        scopeSpans: [{ scope: { name: 'durability', version: '1' }, spans }],
      },
    ],
  });
  return { traceId, spanIds, body };
}

interface Outcome {
  batch: Batch;
  /** HTTP status, or null when the request failed without a response. */
  status: number | null;
}

/** POSTs one OTLP/JSON body; resolves with the status, or null when no response came. */
function post(server: Serve, agent: Agent, body: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${server.url}/v1/traces`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? null));
        // The server went away while answering: not acknowledged.
        response.once('error', () => resolve(null));
      },
    );
    request.setTimeout(10_000, () => {
      request.destroy();
      reject(new Error(`a request hung for 10 s; server stderr so far: ${server.stderr()}`));
    });
    // The server went away mid-request: this batch was never acknowledged.
    request.once('error', () => resolve(null));
    request.end(body);
  });
}

/**
 * Sends the batches with `CONCURRENCY` requests in flight over keep-alive connections and reports
 * each 200 as it arrives, along with how many other requests were still in flight at that moment.
 * The connections are closed at the end, as a client going away would.
 */
async function sendAll(server: Serve, batches: Batch[], onAck: (acked: number, inFlight: number) => void = () => {}): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const outcomes: Outcome[] = [];
  let next = 0;
  let inFlight = 0;
  let acked = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      inFlight++;
      const status = await post(server, agent, batch.body);
      inFlight--;
      outcomes.push({ batch, status });
      if (status === 200) onAck(++acked, inFlight);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  return outcomes;
}

async function getTrace(url: string, traceId: string): Promise<{ status: number; spanIds: string[] }> {
  const response = await fetch(`${url}/api/traces/${traceId}`);
  if (response.status !== 200) {
    await response.arrayBuffer();
    return { status: response.status, spanIds: [] };
  }
  const detail = (await response.json()) as TraceDetail;
  return { status: 200, spanIds: detail.spans.map((s) => s.spanId).sort() };
}

/** Every acknowledged batch is complete; every other batch is complete or absent, never partial. */
async function expectAcknowledgedBatchesStored(url: string, outcomes: Outcome[]): Promise<void> {
  for (const { batch, status } of outcomes) {
    const found = await getTrace(url, batch.traceId);
    if (status === 200) {
      expect(found, `acknowledged trace ${batch.traceId}`).toEqual({ status: 200, spanIds: [...batch.spanIds].sort() });
    } else if (found.status === 200) {
      expect(found.spanIds, `unacknowledged trace ${batch.traceId} is all or nothing`).toEqual([...batch.spanIds].sort());
    } else {
      expect(found.status).toBe(404);
    }
  }
  const list = (await (await fetch(`${url}/api/traces?limit=1000`)).json()) as TraceListResponse;
  const listed = new Map(list.traces.map((t) => [t.traceId, t.spanCount]));
  for (const { batch, status } of outcomes) {
    if (status === 200) expect(listed.get(batch.traceId), `listing of ${batch.traceId}`).toBe(SPANS_PER_REQUEST);
  }
}

// Limits for a hang: each test starts and stops servers, seconds alone and many times that beside other work.
describe('durability of acknowledged writes', { timeout: 180_000 }, () => {
  it('keeps every span of every acknowledged request when the server is killed with SIGKILL mid-ingest', async () => {
    const first = await serve(dataDir);
    const wave1 = await sendAll(
      first,
      Array.from({ length: 40 }, (_, i) => makeBatch(i)),
    );
    expect(wave1.map((o) => o.status)).toEqual(Array(40).fill(200));

    let inFlightAtKill = -1;
    const wave2 = await sendAll(
      first,
      Array.from({ length: 40 }, (_, i) => makeBatch(100 + i)),
      (acked, inFlight) => {
        if (acked === 3) {
          inFlightAtKill = inFlight;
          first.child.kill('SIGKILL');
        }
      },
    );
    expect(await exitOf(first)).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill must land while requests were still being sent, or this test proves nothing.
    expect(inFlightAtKill).toBeGreaterThan(0);
    const unacknowledged = wave2.filter((o) => o.status !== 200);
    expect(unacknowledged.length).toBeGreaterThan(0);
    expect(wave2.filter((o) => o.status === 200).length).toBeGreaterThanOrEqual(3);

    const second = await serve(dataDir);
    await expectAcknowledgedBatchesStored(second.url, [...wave1, ...wave2]);
  });

  it('finishes acknowledged writes and exits 0 on SIGTERM while requests are in flight', async () => {
    const first = await serve(dataDir);
    let inFlightAtTerm = -1;
    const outcomes = await sendAll(
      first,
      Array.from({ length: 60 }, (_, i) => makeBatch(i)),
      (acked, inFlight) => {
        if (acked === 5) {
          inFlightAtTerm = inFlight;
          first.child.kill('SIGTERM');
        }
      },
    );
    expect(await exitOf(first)).toEqual({ code: 0, signal: null });
    expect(first.stdout()).toContain('Spoor is stopping (SIGTERM)');
    expect(first.stderr()).toBe('');
    expect(inFlightAtTerm).toBeGreaterThan(0);
    // Shutting down refuses late requests (503 or a closed socket) but never fails one with a 500.
    const statuses = new Set(outcomes.map((o) => o.status));
    expect(
      [...statuses].every((s) => s === 200 || s === 503 || s === null),
      `statuses ${[...statuses].join(', ')}`,
    ).toBe(true);
    expect(outcomes.filter((o) => o.status !== 200).length).toBeGreaterThan(0);

    const second = await serve(dataDir);
    await expectAcknowledgedBatchesStored(second.url, outcomes);
  });

  /**
   * A response finished during shutdown must close its connection; with `Connection: keep-alive`
   * the server would wait for the client to drop the idle connection, up to fastify's 72 s
   * keep-alive timeout, before it could exit.
   */
  it('exits promptly on SIGTERM even when a client keeps its connection open after its last answer', async () => {
    const server = await serve(dataDir);
    const port = Number(new URL(server.url).port);
    const batch = makeBatch(0);
    const socket = connect(port, '127.0.0.1');
    try {
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      await new Promise((resolve) => socket.once('connect', resolve));
      // A request in flight when the signal comes: headers and half the body sent.
      const half = batch.body.length >> 1;
      socket.write(
        `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(batch.body)}\r\n\r\n${batch.body.slice(0, half)}`,
      );
      // Time for the server to take the request in, on a loaded machine too.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      server.child.kill('SIGTERM');
      await expect.poll(() => server.stdout(), { timeout: 30_000 }).toContain('Spoor is stopping (SIGTERM)');
      socket.write(batch.body.slice(half));
      await expect.poll(() => answer, { timeout: 30_000 }).toMatch(/^HTTP\/1\.1 200 OK\r\n/);

      // The client keeps its connection open, as keep-alive clients do, and the server must not
      // wait for it: an idle keep-alive connection is held 72 s, so 30 s tells the two apart on a
      // busy machine too.
      const exit = await Promise.race([server.exited, new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000))]);
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      socket.destroy();
    }
  });
});

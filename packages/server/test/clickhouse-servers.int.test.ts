import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlertListResponse, TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from './support/clickhouse-endpoint.js';
import { eventually, traceBody } from './support/trace-bodies.js';
import { killAll } from './support/processes.js';
import { keysCommand } from '../src/cli/keys.js';

/**
 * Several `spoor serve` processes on one ClickHouse (the test endpoint: the real engine behind
 * ClickHouse's HTTP interface), as behind a load balancer: nothing ties a request to one of them,
 * a SIGKILL loses and doubles nothing, and one of them evaluates the alert rules for all.
 */

const SPOOR_BIN = fileURLToPath(new URL('../bin/spoor.js', import.meta.url));
const children = new Set<ChildProcess>();
let endpoint: ClickHouseEndpoint;
let work: string;
let database = 0;

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
  work = await mkdtemp(join(tmpdir(), 'spoor-servers-'));
});

afterEach(async () => {
  await killAll(children);
});

afterAll(async () => {
  await endpoint?.close();
  await rm(work, { recursive: true, force: true });
});

interface Serve {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

/** `spoor serve` on the shared ClickHouse database, with its own spool directory. */
async function serve(name: string, db: string, ...args: string[]): Promise<Serve> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SPOOR_')));
  const child = spawn(
    process.execPath,
    [SPOOR_BIN, 'serve', '--port', '0', '--grpc-port', '0', '--data', join(work, db, name), '--log-level', 'warn', '--store', 'clickhouse', ...args],
    { env: { ...env, SPOOR_CLICKHOUSE_URL: `${endpoint.url}/${db}` }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // The line that says it listens, or its exit: no clock of its own (a hang is the test's timeout).
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /Spoor is listening on (http:\/\/127\.0\.0\.1:\d+) \(store: ClickHouse/.exec(stdout);
      if (match === null) return;
      child.stdout!.off('data', onData);
      resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    void exited.then(() => reject(new Error(`spoor serve exited before listening; stderr: ${stderr}`)));
  });
  return { child, url, exited };
}

const post = (server: Serve, body: string) => fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

async function getJson<T>(server: Serve, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

describe('several Spoor servers on one ClickHouse', () => {
  it('reads from one server what another took, and leaves OTLP or the API to the servers whose role they are', async () => {
    const db = `shared_${++database}`;
    const a = await serve('a', db, '--role', 'ingest,query');
    const b = await serve('b', db);
    const c = await serve('c', db, '--role', 'query');
    const traceId = randomBytes(16).toString('hex');
    expect((await post(a, traceBody(traceId, 3, Date.now() - 1000))).status).toBe(200);

    const fromB = await eventually(
      'the trace to show on b',
      () => getJson<TraceDetail>(b, `/api/traces/${traceId}`),
      (r) => r.status === 200,
    );
    const fromA = await getJson<TraceDetail>(a, `/api/traces/${traceId}`);
    expect(fromB.body.spans.map((s) => s.name)).toEqual(['run', 'step 1', 'step 2']);
    expect(fromA.body).toEqual(fromB.body);

    expect((await post(c, traceBody(randomBytes(16).toString('hex'), 1, Date.now()))).status).toBe(404);
    expect((await getJson<{ error: { message: string } }>(c, '/api/traces')).status).toBe(200);
  });

  it('evaluates alert rules in the one server with the alerting role, for rules made through any server, and every server lists the alerts', async () => {
    const db = `alerts_${++database}`;
    const evaluator = await serve('evaluator', db, '--alert-interval', '1s');
    const other = await serve('other', db, '--role', 'ingest,query', '--alert-interval', '1s');
    expect((await post(other, traceBody(randomBytes(16).toString('hex'), 4, Date.now() - 1000))).status).toBe(200);
    const created = await fetch(`${other.url}/api/alerts/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'busy', expr: 'count(spans)[1h] >= 4' }),
    });
    expect(created.status).toBe(201);

    const firing = (server: Serve) => getJson<AlertListResponse>(server, '/api/alerts?state=firing');
    const seen = await eventually(
      'the rule to fire on the evaluating server',
      () => firing(evaluator),
      (r) => r.body.alerts.length === 1,
    );
    expect(seen.body.alerts[0]).toMatchObject({ rule: 'busy', value: 4 });
    // The other server evaluates nothing, but shows what the evaluator saved in the store.
    const shown = await eventually(
      'the other server to list the alert',
      () => firing(other),
      (r) => r.body.alerts.length === 1,
    );
    expect(shown.body.alerts[0]).toMatchObject({ rule: 'busy', value: 4, state: 'firing' });
  });

  it('loses and doubles nothing when a server is killed (SIGKILL) mid-ingest and restarted on its spool', async () => {
    const db = `kill_${++database}`;
    const reader = await serve('reader', db, '--role', 'query');
    let victim = await serve('victim', db);
    const SPANS = 40;
    const traces = Array.from({ length: 60 }, () => randomBytes(16).toString('hex'));
    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (next < traces.length && !killed) {
        const traceId = traces[next++]!;
        try {
          const answer = await post(victim, traceBody(traceId, SPANS, Date.now() - 5000));
          if (answer.status === 200) acknowledged.push(traceId);
        } catch {
          // The connection died with the server: not acknowledged.
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    await eventually(
      'some requests to be acknowledged',
      async () => acknowledged.length,
      (n) => n >= 15,
      20_000,
    );
    killed = true;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await Promise.all(senders);
    expect(acknowledged.length).toBeGreaterThanOrEqual(15);

    victim = await serve('victim', db);
    // Every acknowledged trace is there, once: each span once, and the summary counts each once.
    const listed = await eventually(
      'every acknowledged trace to be listed',
      () => getJson<TraceListResponse>(reader, '/api/traces?limit=100'),
      (r) => acknowledged.every((id) => r.body.traces.some((t) => t.traceId === id)),
    );
    for (const traceId of acknowledged) {
      expect(listed.body.traces.find((t) => t.traceId === traceId)!.spanCount).toBe(SPANS);
      const detail = (await getJson<TraceDetail>(reader, `/api/traces/${traceId}`)).body;
      expect(new Set(detail.spans.map((s) => s.spanId)).size).toBe(SPANS);
      expect(detail.spans).toHaveLength(SPANS);
    }
    // A trace that was spooled but not answered may be there too, but whole and once.
    for (const trace of listed.body.traces) expect(trace.spanCount).toBe(SPANS);
  });

  it('takes a key made on the shared ClickHouse with spoor keys --clickhouse-url, on every server', async () => {
    const db = `keys_${++database}`;
    let printed = '';
    expect(
      await keysCommand(
        ['create', '--project', 'default', '--role', 'admin', '--clickhouse-url', `${endpoint.url}/${db}`],
        (t) => (printed += t),
        () => {},
      ),
    ).toBe(0);
    const key = /^(spoor_admin_\S+)$/m.exec(printed)![1]!;
    const a = await serve('a', db);
    const b = await serve('b', db, '--role', 'query');
    for (const server of [a, b]) {
      expect((await fetch(`${server.url}/api/traces`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    }
  });
});

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceDetail, TraceListResponse } from '@spoor/model';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Listening, spoorCli } from './support/cli.js';
import { callJson, getJson, makeKey, startTestServer, type TestServer } from './support/server.js';
import { killAll } from './support/processes.js';
import { HANG_MS } from './support/wait.js';

const children = new Set<ChildProcess>();
const servers: TestServer[] = [];
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'spoor-cli-'));
});

afterEach(async () => {
  await killAll(children);
  for (const server of servers.splice(0)) await server.stop();
  await rm(work, { recursive: true, force: true });
});

const { run, serve } = spoorCli(() => work, children);

/**
 * A limit for a hung test, not a speed check: a test here starts one to seven processes, about a
 * second each alone; at a load of 19 on two cores one test took 30 s.
 */
const PROCESS_TEST_MS = 2 * HANG_MS;

/** A loopback port that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const externalIPv4 = Object.values(networkInterfaces())
  .flat()
  .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;

/**
 * A `spoor serve` that several tests look at, each for a setting of its own: started by the first
 * of them to ask, in a directory of its own (its working directory, holding its data), and ended
 * after the file. A test that stops it (SIGINT) is given it last; one asking after that gets a new one.
 */
function sharedServe(setup: (dir: string) => Promise<{ args: string[]; env?: Record<string, string> }>): { get: () => Promise<Listening>; dir: () => string } {
  const own = new Set<ChildProcess>();
  let dir = '';
  let started: Promise<Listening> | null = null;
  const cli = spoorCli(() => dir, own);
  afterAll(async () => {
    await killAll(own);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });
  const running = async (): Promise<Listening | null> => {
    const server = await started?.catch(() => null);
    return server !== undefined && server !== null && server.child.exitCode === null && server.child.signalCode === null ? server : null;
  };
  return {
    get: async () => {
      const server = await running();
      if (server !== null) return server;
      if (dir !== '') await rm(dir, { recursive: true, force: true });
      dir = await mkdtemp(join(tmpdir(), 'spoor-cli-shared-'));
      const { args, env } = await setup(dir);
      started = cli.serve(args, env);
      return started;
    },
    dir: () => dir,
  };
}

describe('spoor serve', { timeout: PROCESS_TEST_MS }, () => {
  // Three servers, each started once, for the settings below: each setting checked is one the
  // others do not touch, so each test still fails on its own setting going wrong.
  /** Neither --host nor --port nor --data: SPOOR_PORT and SPOOR_DATA say where. */
  const fromEnv = sharedServe(async (dir) => ({ args: [], env: { SPOOR_PORT: '0', SPOOR_DATA: join(dir, 'from-env') } }));
  /** --port over SPOOR_PORT, an empty SPOOR_HOST, a --data whose parents do not exist yet, and OTLP/gRPC on --grpc-port. */
  let dataDirExisted: boolean | undefined;
  let grpcPort = 0;
  const fromFlags = sharedServe(async (dir) => {
    dataDirExisted = existsSync(join(dir, 'a', 'b', 'c'));
    grpcPort = await closedPort();
    return { args: ['--port', '0', '--grpc-port', String(grpcPort), '--data', join(dir, 'a', 'b', 'c')], env: { SPOOR_PORT: '1', SPOOR_HOST: '' } };
  });
  /** Nothing but --port: its data goes to ./.spoor. */
  const bare = sharedServe(async () => ({ args: ['--port', '0'] }));

  it('binds 127.0.0.1 by default and takes its port from SPOOR_PORT', async () => {
    const spoorServer = await fromEnv.get();
    expect(spoorServer.host).toBe('127.0.0.1');
    expect(spoorServer.port).toBeGreaterThan(0);
    expect(await getJson(spoorServer.url, '/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it.runIf(externalIPv4 !== undefined)('cannot be reached on a non-loopback address by default', async () => {
    const spoorServer = await fromEnv.get();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const socket = connect(spoorServer.port, externalIPv4!);
      socket.once('connect', () => {
        socket.destroy();
        resolve(null);
      });
      socket.once('error', resolve);
    });
    expect(error?.code).toBe('ECONNREFUSED');
  });

  it('lets --port beat SPOOR_PORT', async () => {
    const spoorServer = await fromFlags.get();
    expect(spoorServer.port).not.toBe(1);
    expect(spoorServer.port).toBeGreaterThan(0);
    expect((await fetch(`${spoorServer.url}/health`)).status).toBe(200);
  });

  it('still binds loopback when SPOOR_HOST is set but empty', async () => {
    const spoorServer = await fromFlags.get();
    expect(spoorServer.host).toBe('127.0.0.1');
  });

  it('creates the --data directory, parents included, and keeps spoor.duckdb in it', async () => {
    const spoorServer = await fromFlags.get();
    const dataDir = join(fromFlags.dir(), 'a', 'b', 'c');
    expect(dataDirExisted).toBe(false);
    expect(spoorServer.dataDir).toBe(dataDir);
    expect(existsSync(join(dataDir, 'spoor.duckdb'))).toBe(true);
  });

  it('takes the data directory from SPOOR_DATA', async () => {
    const spoorServer = await fromEnv.get();
    const dataDir = join(fromEnv.dir(), 'from-env');
    expect(spoorServer.dataDir).toBe(dataDir);
    expect(existsSync(join(dataDir, 'spoor.duckdb'))).toBe(true);
    expect(existsSync(join(fromEnv.dir(), '.spoor'))).toBe(false);
  });

  it('keeps its data in ./.spoor when neither --data nor SPOOR_DATA is given', async () => {
    const spoorServer = await bare.get();
    expect(spoorServer.dataDir).toBe(join(bare.dir(), '.spoor'));
    expect(existsSync(join(bare.dir(), '.spoor', 'spoor.duckdb'))).toBe(true);
  });

  it('answers /health and /ready, and on SIGINT says it is stopping and exits 0', async () => {
    // The last test to look at this server.
    const spoorServer = await bare.get();
    expect(await getJson(spoorServer.url, '/health')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await getJson(spoorServer.url, '/ready')).toEqual({ status: 200, body: { status: 'ready' } });
    spoorServer.child.kill('SIGINT');
    expect(await spoorServer.exited).toEqual({ code: 0, signal: null });
    expect(spoorServer.stdout()).toContain('Spoor is stopping (SIGINT)');
    expect(spoorServer.stderr()).toBe('');
  });

  it.each([
    [['--port', 'abc'], "port must be an integer from 0 to 65535, not 'abc' (--port or SPOOR_PORT)"],
    [['--port', '70000'], "not '70000'"],
    [['--retention', '7x'], "'7x' is not a duration; write a number and a unit"],
    [['--retention', 'spans=7d'], "retention names unknown signal 'spans'"],
    [['--max-body', 'huge'], "'huge' is not a size"],
    [['--log-level', 'loud'], 'log level must be one of'],
    [['--prot', '0'], "Unknown option '--prot'"],
  ])('refuses %j with exit code 1 and says why', async (args, message) => {
    const result = await run(['serve', '--data', join(work, 'data'), ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`spoor: `);
    expect(result.stderr).toContain(message);
    expect(result.stdout).not.toContain('listening');
  });

  it('takes OTLP/gRPC on --grpc-port, says where, and exits 1 naming the flag when that port is taken', async () => {
    const spoorServer = await fromFlags.get();
    await expect.poll(() => spoorServer.stdout()).toContain(`Spoor takes OTLP/gRPC on http://127.0.0.1:${grpcPort}\n`);
    const second = await run(['serve', '--port', '0', '--data', join(work, 'other'), '--log-level', 'silent'], { SPOOR_GRPC_PORT: String(grpcPort) });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`cannot listen for OTLP/gRPC on 127.0.0.1:${grpcPort}`);
    expect(second.stderr).toContain('choose another port with --grpc-port, or 0 to turn it off');
  });

  it('exits 1 and names the problem when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as { port: number };
      const result = await run(['serve', '--port', String(port), '--data', join(work, 'data'), '--log-level', 'silent']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('EADDRINUSE');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('spoor commands', { timeout: PROCESS_TEST_MS }, () => {
  it('exits 1 with the usage on an unknown command', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("spoor: unknown command 'frobnicate'");
    expect(result.stderr).toContain('Usage:\n  spoor serve');
  });

  it('prints the usage and exits 1 without a command, 0 when asked for help', async () => {
    const bare = await run([]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('Usage:\n  spoor serve');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(bare.stdout);
    for (const args of [
      ['serve', '--help'],
      ['demo', '-h'],
      ['demo', '--runs', '3', '--help'],
    ]) {
      const asked = await run(args);
      expect(asked.code, args.join(' ')).toBe(0);
      expect(asked.stdout, args.join(' ')).toBe(bare.stdout);
    }
  });
});

describe('spoor demo', { timeout: PROCESS_TEST_MS }, () => {
  it('exits 1 and says no Spoor server answers when nothing listens at the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['demo', '--endpoint', endpoint]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`spoor: no Spoor server answers at ${endpoint}`);
  });

  it('sends four days of runs and makes the rest of the demo, prints the newest run, which the server lists first and serves, and exits 0', async () => {
    const server = await startTestServer();
    servers.push(server);
    const result = await run(['demo', '--endpoint', server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const traceId = /trace: .*\/api\/traces\/([0-9a-f]{32})/.exec(result.stdout)?.[1];
    expect(result.stdout).toContain(`open:  ${server.url}/traces/${traceId}`);
    expect(traceId, result.stdout).toBeDefined();
    expect(result.stdout).toMatch(/^Sent the demo to http:\/\/127\.0\.0\.1:\d+ in \d+\.\d s; the newest run:$/m);
    expect(result.stdout).toContain('experiments: ');

    // The app's runs; Spoor's own (the judge's, the experiments') are another service.
    const list = await getJson<TraceListResponse>(server.url, `/api/traces?service=research-agent&limit=500&from=${Date.now() - 5 * 86_400_000}`);
    expect(list.body.traces).toHaveLength(24 + 3 * 12);
    expect([list.body.traces[0]!.traceId, list.body.traces[0]!.rootName]).toEqual([traceId, 'workflow research-report']);
    const detail = await getJson<TraceDetail>(server.url, `/api/traces/${traceId}`);
    expect(detail.status).toBe(200);
    expect(detail.body.spans.length).toBe(list.body.traces[0]!.spanCount);
    expect(detail.body.spans.length).toBeGreaterThan(1);
    expect(detail.body.logs.length).toBeGreaterThan(0);
  });

  it('sends to OTEL_EXPORTER_OTLP_ENDPOINT when no --endpoint is given', async () => {
    const server = await startTestServer();
    servers.push(server);
    const result = await run(['demo', '--runs', '1'], { OTEL_EXPORTER_OTLP_ENDPOINT: server.url });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Sent the demo to ${server.url} in `);
    const list = await getJson<TraceListResponse>(server.url, `/api/traces?service=research-agent&from=${Date.now() - 3_600_000}`);
    expect(list.body.traces).toHaveLength(1);
  });

  it('sends with --key to a server that requires keys, and says a key is needed without one', async () => {
    const server = await startTestServer();
    servers.push(server);
    // The first key makes the server require keys from then on.
    const key = await makeKey(server.url, 'default', 'admin');
    const refused = await run(['demo', '--endpoint', server.url, '--runs', '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^spoor: .*(401|key)/m);
    const result = await run(['demo', '--endpoint', server.url, '--runs', '1', '--key', key]);
    expect(result.code, result.stderr).toBe(0);
    const traceId = /trace: .*\/api\/traces\/([0-9a-f]{32})/.exec(result.stdout)?.[1];
    const detail = await callJson<TraceDetail>(server.url, 'GET', `/api/traces/${traceId}`, undefined, { key });
    expect(detail.status).toBe(200);
  });

  it('refuses a --runs that is not a whole number from 1 to 1000, before sending anything', async () => {
    for (const runs of ['0', '1001', '2.5', 'many', '']) {
      const result = await run(['demo', '--endpoint', 'http://127.0.0.1:9', '--runs', runs]);
      expect(result.code, runs).toBe(1);
      expect(result.stderr).toBe(`spoor: --runs must be a whole number from 1 to 1000, not '${runs}'\n`);
    }
    const live = await run(['demo', '--endpoint', 'http://127.0.0.1:9', '--live-minutes', '61']);
    expect(live.stderr).toBe("spoor: --live-minutes must be a whole number from 1 to 60, not '61'\n");
  });
});

describe('spoor keys', { timeout: PROCESS_TEST_MS }, () => {
  const keyIn = (stdout: string): string => /^(spoor_\w+_\w{10}_\w{32})$/m.exec(stdout)?.[1] ?? '';

  it('makes keys in a stopped server’s data directory, and the server requires them from its start', async () => {
    const dataDir = join(work, 'data');
    const ingest = await run(['keys', 'create', '--data', dataDir, '--project', 'shop', '--role', 'ingest', '--name', 'checkout']);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toContain('Created ingest key');
    expect(ingest.stdout).toContain('OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20KEY');
    const ingestKey = keyIn(ingest.stdout);
    expect(ingestKey).toMatch(/^spoor_ingest_/);
    const admin = keyIn((await run(['keys', 'create', '--data', dataDir, '--project', 'shop', '--role', 'admin'])).stdout);

    const list = await run(['keys', 'list', '--data', dataDir]);
    expect(list.stdout).toMatch(/ingest\s+shop\s+active .*by cli {2}"checkout"/);
    expect(list.stdout).not.toContain(ingestKey.split('_')[3]);

    const server = await serve(['--port', '0', '--data', dataDir]);
    expect((await fetch(`${server.url}/api/traces`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/traces`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);

    // With the server holding the data directory, the command asks the server (with an admin key).
    const env = { SPOOR_URL: server.url, SPOOR_API_KEY: admin };
    const through = await run(['keys', 'create', '--data', dataDir, '--project', 'shop', '--role', 'read'], env);
    expect(through.code, through.stderr).toBe(0);
    expect(through.stderr).toContain(`asking it through ${server.url}`);
    const id = ingestKey.split('_')[2]!;
    const revoked = await run(['keys', 'revoke', id, '--url', server.url], env);
    expect(revoked.stdout).toBe(`Revoked key ${id}: it stops working within a second.\n`);
    const sent = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: '{}',
    });
    expect(sent.status).toBe(401);
    const withoutKey = await run(['keys', 'list', '--url', server.url]);
    expect(withoutKey.code).toBe(1);
    expect(withoutKey.stderr).toContain('set SPOOR_API_KEY to an admin key');
  });

  it('says what is wrong with a key request', async () => {
    const dataDir = join(work, 'data');
    expect((await run(['keys', 'create', '--data', dataDir, '--project', 'shop', '--role', 'owner'])).stderr).toBe(
      'spoor: --role must be ingest, read or admin\n',
    );
    expect((await run(['keys', 'create', '--data', dataDir, '--project', '*', '--role', 'ingest'])).stderr).toContain('an ingest key stores under one project');
    expect((await run(['keys', 'create', '--data', dataDir, '--role', 'read'])).stderr).toContain('--project is required');
    expect((await run(['keys', 'revoke', 'nosuchkey0', '--data', dataDir])).stderr).toContain("no key 'nosuchkey0'");
  });

  it('refuses to serve beyond loopback while there is no key, and says how to make one', async () => {
    const result = await run(['serve', '--host', '0.0.0.0', '--port', '0', '--data', join(work, 'data')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('this Spoor has no keys yet. Create one first: spoor keys create --data');
  });
});

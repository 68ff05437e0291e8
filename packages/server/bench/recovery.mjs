// npm run bench:recovery — how long Spoor takes to come back after a SIGKILL in the middle of
// ingest, and whether it lost anything: 8 clients post 1,000-span bodies as fast as they are
// answered for BENCH_SECONDS (default 8), the server is killed with SIGKILL while requests are
// in flight, then started again on the same data directory. Reports the backlog it found (spans
// acknowledged but not committed), the time from start to listening (spool replayed) and to every
// acknowledged span readable, and how many acknowledged spans are missing (goal: 0).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { buildTemplates, freshBody, startSpoor, stopChild } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const templates = buildTemplates({ count: 16, tracesPerBatch: 100, spansPerTrace: 10 });
const dataDir = await mkdtemp(join(tmpdir(), 'spoor-recovery-'));

const first = await startSpoor(dataDir);
let acknowledged = 0;
let stop = false;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const clients = Array.from({ length: 8 }, async (_, c) => {
  for (let i = c; !stop; i += 8) {
    const template = templates[i % templates.length];
    const status = await post(`${first.url}/v1/traces`, freshBody(template)).catch(() => null);
    if (status === 200) acknowledged += template.spanCount;
    else if (status === null) return;
  }
});
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const committed = await spanCount(first.url);
first.child.removeAllListeners('exit');
const killed = new Promise((resolve) => first.child.once('exit', resolve));
first.child.kill('SIGKILL');
await killed;
stop = true;
await Promise.all(clients);
agent.destroy();

const started = performance.now();
const second = await startSpoor(dataDir);
const listeningMs = performance.now() - started;
const readable = await spanCount(second.url);
const readableMs = performance.now() - started;
await stopChild(second);
await rm(dataDir, { recursive: true, force: true });

console.log(`acknowledged before SIGKILL: ${acknowledged} spans (${committed} of them readable just before it)`);
console.log(`restart: listening after ${listeningMs.toFixed(0)} ms (spool replayed), every span readable after ${readableMs.toFixed(0)} ms`);
console.log(`readable after the restart: ${readable} spans; missing: ${acknowledged - readable} (goal 0)`);
console.log(JSON.stringify({ acknowledged, committedBeforeKill: committed, listeningMs, readableMs, readable, missing: acknowledged - readable }));

function post(url, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Spans readable now (the service list counts them; a read waits up to 2 s for acknowledged writes). */
async function spanCount(url) {
  const response = await fetch(`${url}/api/services`);
  const { services } = await response.json();
  return services.reduce((sum, s) => sum + s.spanCount, 0);
}

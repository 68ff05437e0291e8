import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTemplates, driveLoad } from './lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const profDir = '/tmp/prof';
rmSync(profDir, { recursive: true, force: true });
const cli = fileURLToPath(new URL('../bin/spoor.js', import.meta.url));
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, cli, 'serve', '--port', '0', '--data', dir, '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: process.env.CHILD_NODE_OPTIONS ?? '' } });
const url = await new Promise((resolve) => child.stdout.on('data', (d) => { const m = /listening on (http:\/\/\S+)/.exec(String(d)); if (m) resolve(m[1]); }));
const templates = buildTemplates({ count: 16, tracesPerBatch: 100, spansPerTrace: 10 });
const r = await driveLoad({ url, seconds: Number(process.env.SECS ?? 12), concurrency: 8, templates });
console.log('acknowledged', r.spansPerSecond.toFixed(0), 'refused', r.refused);
await fetch(`${url}/api/traces?limit=1`).then((x) => x.json());
child.kill('SIGTERM');
await new Promise((resolve) => child.on('exit', resolve));
for (const f of readdirSync(profDir)) {
  const p = JSON.parse(readFileSync(join(profDir, f)));
  const self = new Map();
  const dt = p.timeDeltas; const total = (p.endTime - p.startTime) / 1000;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  p.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  for (const [id, us] of counts) { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + us / 1000); }
  const sorted = [...self].sort((a, b) => b[1] - a[1]);
  const idle = self.get('(idle) :-1') ?? 0;
  console.log(`\n${f}: ${total.toFixed(0)} ms, idle ${idle.toFixed(0)} ms (${(100 * idle / total).toFixed(0)}%)`);
  for (const [k, ms] of sorted.slice(0, 25)) console.log(`  ${ms.toFixed(0).padStart(6)} ms ${(100 * ms / total).toFixed(1).padStart(5)}%  ${k}`);
}
rmSync(dir, { recursive: true, force: true });

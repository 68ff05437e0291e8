// npm run bench:new-error-group — what the default rule `new_error_group(errors)[15m]
// by (service)` and `count(errors)[15m]` cost a DuckDB store as its errors grow: BENCH_STEPS (default 8)
// steps of 250,000 errors of 60 groups, spread over the day before (the last BENCH_GAP_S seconds,
// default 36, left empty so only the last step's errors fall in the window), each step followed by
// three reads of each, CPU (the process's, DuckDB's threads included) and wall time. BENCH_DIST
// reads another build's `dist` (a before/after claim: run both by turns).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.env.BENCH_DIST ?? new URL('../dist', import.meta.url).pathname);
const { DuckDbStore } = await import(pathToFileURL(join(dist, 'store/duckdb/duckdb-store.js')).href);
const { batchOf } = await import(pathToFileURL(join(dist, 'store/tables.js')).href);
const steps = Number(process.env.BENCH_STEPS ?? 8);
const gapUs = Number(process.env.BENCH_GAP_S ?? 36) * 1e6;
const HOUR = 3_600_000_000;
const total = steps * 250_000;

const hex = (n, width) => n.toString(16).padStart(width, '0');
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
const dir = await mkdtemp(join(tmpdir(), 'spoor-bench-new-error-group-'));
const store = await DuckDbStore.open({ path: join(dir, 'spoor.duckdb') });
const nowUs = Date.now() * 1000;
const window = {
  projectId: 'default',
  source: 'errors',
  matchers: [],
  by: [{ name: 'service', attribute: false }],
  startUs: nowUs - 15 * 60e6,
  stepUs: 15 * 60e6,
  buckets: 1,
};
let n = 0;
try {
  for (let step = 0; step < steps; step++) {
    for (let batch = 0; batch < 5; batch++) {
      const errors = [];
      for (let i = 0; i < 50_000; i++) {
        n++;
        errors.push({
          projectId: 'default',
          fingerprint: `fp-${n % 60}`,
          timeUs: nowUs - 24 * HOUR + Math.floor((n / total) * (24 * HOUR - gapUs)),
          traceId: hex(n, 32),
          spanId: hex(n, 16),
          parentSpanId: null,
          serviceName: `svc-${n % 3}`,
          spanName: 'call',
          message: 'timed out',
          source: 'span',
          exceptionType: 'TimeoutError',
          messageKey: 'timed out',
          frame: 'agent.js:12',
          provider: null,
          httpStatus: null,
          errorType: null,
          finishReason: null,
          toolName: null,
        });
      }
      await store.writer.write(batchOf({ spans: [], logs: [], metricPoints: [], errors }), null);
    }
    const line = [];
    for (const fn of ['new_error_group', 'count']) {
      const reads = [];
      for (let k = 0; k < 3; k++) {
        const cpu = cpuMs();
        const wall = performance.now();
        await store.alertSeries.read({ ...window, fn });
        reads.push(`${(cpuMs() - cpu).toFixed(0)}/${(performance.now() - wall).toFixed(0)}`);
      }
      line.push(`${fn} ${reads.join(' ')}`);
    }
    console.log(`${n} errors: ${line.join('; ')} (ms CPU/wall, three reads)`);
  }
} finally {
  await store.close();
  await rm(dir, { recursive: true, force: true });
}

// npm run bench:alerting — 500 alert rules evaluated every 15 s by a real `spoor serve` over
// 1,000,000 stored spans (24 hours of agent traffic, analytics-data.mjs), measuring how long each
// evaluation round takes (`spoor_alert_last_evaluation_seconds` on /metrics) and the server's CPU
// time over whole intervals (from /proc). Goal: each round well inside the 15 s interval, and
// under a quarter of one core on average.
//
// The rules (rulesYaml below) are what teams write: error rates, latency percentiles, token and
// cost budgets per service, model and workflow, over windows from 1 minute to 1 hour; log and
// error-group rules; and anomaly rules with 1-hour and 1-day baselines. Most aggregates are
// distinct; some rules share one (a warning and a critical rule on the same expression), as in
// real rule sets. The count of distinct aggregates is printed.
// Env: BENCH_TRACES (40,000 traces of 25 spans), BENCH_INTERVALS (8 measured intervals),
// BENCH_KEEP=1 (keep the data directory).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbStore } from '../dist/store/duckdb/duckdb-store.js';
import { MODELS, SERVICES, generate } from './analytics-data.mjs';
import { cpuSeconds, mib, peakRssBytes, startSpoor, stopChild } from './lib.mjs';

const traces = Number(process.env.BENCH_TRACES ?? 40_000);
const intervals = Number(process.env.BENCH_INTERVALS ?? 8);
const INTERVAL_S = 15;
const ROOT = '/tmp/spoor-bench-alerting';
const WORKFLOWS = ['research', 'support_chat', 'code_review', 'summarize_docs', 'triage_ticket', 'sales_email'];
const WINDOWS = ['1m', '5m', '15m', '1h'];

/** 500 rules; returns the YAML and the number of distinct aggregates. */
function rulesYaml() {
  const rules = [];
  const add = (name, expr, extra = '') => rules.push(`  - name: ${name}\n    expr: ${JSON.stringify(expr)}\n${extra}`);
  SERVICES.forEach((service, s) => {
    const sel = `service="${service}"`;
    for (const w of WINDOWS) {
      add(`s${s}-error-rate-${w}`, `error_rate(spans{${sel}})[${w}] by (name) > 5%`, '    for: 2m\n');
      add(`s${s}-p95-${w}`, `p95(duration_ms{${sel}})[${w}] by (name) > 3s`);
      add(`s${s}-p99-${w}`, `p99(duration_ms{${sel}, kind="server"})[${w}] > 10s`);
      add(`s${s}-traffic-${w}`, `count(spans{${sel}})[${w}] < 1`);
      add(`s${s}-tokens-${w}`, `tokens(spans{${sel}})[${w}] > 5000000`);
      add(`s${s}-cost-${w}`, `cost(spans{${sel}})[${w}] by (model) > 25`);
      add(`s${s}-llm-errors-${w}`, `errors(spans{${sel}, category="llm"})[${w}] > 20`);
      add(`s${s}-error-rate-by-model-${w}`, `error_rate(spans{${sel}, category="llm"})[${w}] by (model) > 10%`);
      add(`s${s}-max-${w}`, `max(duration_ms{${sel}, name=~"^step "})[${w}] by (name) > 120s`);
    }
    for (const w of ['15m', '1h']) {
      add(`s${s}-new-errors-${w}`, `new_error_group(errors{${sel}})[${w}] > 0`);
      add(`s${s}-regressed-${w}`, `regressed_error_group(errors{${sel}})[${w}] > 0`);
      add(`s${s}-error-logs-${w}`, `count(logs{${sel}, severity="error"})[${w}] > 10`);
    }
    add(`s${s}-p95-anomaly-1d`, `anomaly(p95(duration_ms{${sel}})[15m])[1d] > 4`);
    add(`s${s}-traffic-anomaly-1h`, `anomaly(count(spans{${sel}})[5m])[1h] < -4`);
    add(`s${s}-error-anomaly-1d`, `anomaly(errors(spans{${sel}})[1h])[1d] > 4`);
  });
  MODELS.forEach(([, model], m) => {
    const sel = `category="llm", model="${model}"`;
    for (const w of WINDOWS) {
      add(`m${m}-p95-${w}`, `p95(duration_ms{${sel}})[${w}] > 30s`);
      add(`m${m}-cost-${w}`, `cost(spans{${sel}})[${w}] by (service) > 20`);
      add(`m${m}-error-rate-${w}`, `error_rate(spans{${sel}})[${w}] > 10%`);
      add(`m${m}-output-tokens-${w}`, `output_tokens(spans{${sel}})[${w}] > 2000000`);
    }
  });
  WORKFLOWS.forEach((workflow, f) => {
    const sel = `name="${workflow}"`;
    for (const w of WINDOWS) {
      add(`w${f}-cost-${w}`, `cost_per_workflow(spans{${sel}})[${w}] > 1`);
      add(`w${f}-too-long-${w}`, `max(duration_ms{category="workflow", ${sel}})[${w}] > 600s`);
    }
    add(`w${f}-p90-anomaly`, `anomaly(p90(duration_ms{category="workflow", ${sel}})[15m])[1d] > 4`);
  });
  // A critical rule beside some warning ones: the same aggregate, another threshold.
  for (let i = 0; rules.length < 500; i++) {
    const service = SERVICES[i % SERVICES.length];
    const w = WINDOWS[Math.floor(i / SERVICES.length) % WINDOWS.length];
    add(`critical-${i}`, `error_rate(spans{service="${service}"})[${w}] by (name) > ${20 + Math.floor(i / 24)}%`, '    severity: critical\n');
  }
  const distinct = new Set(rules.map((r) => /expr: "(.*?)(?: [<>]=? [^ ]+)?"$/m.exec(r)[1]));
  return { yaml: `defaults: { notify: [log], groupWait: 30s }\nrules:\n${rules.join('')}`, count: rules.length, distinct: distinct.size };
}

async function metricValue(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match === null ? null : Number(match[1]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await mkdir(ROOT, { recursive: true });
const dataDir = await mkdtemp(join(ROOT, 'run-'));
try {
  let t = performance.now();
  console.log(`generating ${traces.toLocaleString('en')} traces of 25 spans (${(traces * 25).toLocaleString('en')} spans) over the last 24 h`);
  await generate({
    path: join(dataDir, 'spoor.duckdb'),
    nowUs: Date.now() * 1000,
    traces,
    bigSpans: 1000,
    openStore: (o) => DuckDbStore.open(o),
    log: console.log,
  });
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(0)} s`);

  const rules = rulesYaml();
  const rulesPath = join(dataDir, 'alerts.yaml');
  await writeFile(rulesPath, rules.yaml);
  console.log(`${rules.count} rules, ${rules.distinct} distinct aggregates`);

  t = performance.now();
  // The rules of the file alone, as measured before a new project had default rules.
  const spoor = await startSpoor(dataDir, ['--alerts', rulesPath, '--alert-interval', `${INTERVAL_S}s`, '--log-level', 'error', '--no-default-alerts']);
  console.log(`server started in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  try {
    // The first round reads every anomaly baseline; measure from the end of it.
    while (((await metricValue(spoor.url, 'spoor_alert_evaluations_total')) ?? 0) < 1) await sleep(200);
    const first = await metricValue(spoor.url, 'spoor_alert_last_evaluation_seconds');
    const listed = await (await fetch(`${spoor.url}/api/alerts/rules`)).json();
    const failing = listed.rules.filter((r) => r.health.error !== null);
    if (failing.length > 0) throw new Error(`${failing.length} rules failed, e.g. ${failing[0].spec.name}: ${failing[0].health.error}`);
    console.log(`first round (every baseline read): ${(first * 1000).toFixed(0)} ms; all ${listed.rules.length} rules healthy`);

    const rounds = [];
    let seen = await metricValue(spoor.url, 'spoor_alert_evaluations_total');
    const cpuStart = cpuSeconds(spoor.pid);
    const wallStart = performance.now();
    while (rounds.length < intervals) {
      await sleep(250);
      const n = await metricValue(spoor.url, 'spoor_alert_evaluations_total');
      if (n > seen) {
        seen = n;
        rounds.push(await metricValue(spoor.url, 'spoor_alert_last_evaluation_seconds'));
        console.log(`  round ${rounds.length}: ${(rounds.at(-1) * 1000).toFixed(0)} ms`);
      }
    }
    const cpu = cpuSeconds(spoor.pid) - cpuStart;
    const wallS = (performance.now() - wallStart) / 1000;
    const sorted = [...rounds].sort((a, b) => a - b);
    const active = await (await fetch(`${spoor.url}/api/alerts?state=pending,firing`)).json();
    console.log(`\n${rules.count} rules (${rules.distinct} distinct aggregates) over ${(traces * 25).toLocaleString('en')} spans, every ${INTERVAL_S} s:`);
    console.log(
      `  round: median ${(sorted[sorted.length >> 1] * 1000).toFixed(0)} ms, max ${(sorted.at(-1) * 1000).toFixed(0)} ms (goal: within ${INTERVAL_S} s)`,
    );
    console.log(`  server CPU: ${cpu.toFixed(2)} s over ${wallS.toFixed(0)} s = ${((100 * cpu) / wallS).toFixed(1)}% of one core (goal: < 25%)`);
    console.log(`  active alerts: ${active.alerts.length}; peak RSS ${mib(peakRssBytes(spoor.pid))} MiB`);
  } finally {
    await stopChild(spoor);
  }
} finally {
  if (process.env.BENCH_KEEP !== '1') await rm(dataDir, { recursive: true, force: true });
}

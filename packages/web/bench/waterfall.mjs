// @ts-check
/* global document, window, requestAnimationFrame, PerformanceObserver, HTMLElement */
// npm run bench:web — the trace page's waterfall with one 50,000-span agent trace, in Debian's
// Chromium (headless, no CPU throttling, 1440×900), measured with the page's own performance
// timeline: first paint after the data arrives, expanding and collapsing subtrees, and long tasks
// while scrolling through every row. Exits 1 when a goal is missed.
// Env: BENCH_SPANS (default 50,000), BENCH_REPEATS (default 10), BENCH_LOADS (default 3).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildBigTrace, postBigTrace } from './big-trace.mjs';

const SPANS = Number(process.env.BENCH_SPANS ?? 50_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 10);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const GOALS = { firstPaintMs: 1500, toggleMs: 100, longTaskMs: 50 };
const CHROMIUM = '/usr/bin/chromium';

/** @param {number[]} values */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
/** @param {number[]} values */
const max = (values) => Math.max(...values);

const loadAtStart = loadavg()[0] ?? 0;
const dataDir = await mkdtemp(join(tmpdir(), 'spoor-bench-web-'));
/** @type {Awaited<ReturnType<typeof startSpoor>> | null} */
let spoor = null;
/** @type {import('playwright-core').Browser | null} */
let browser = null;
let exitCode = 1;
try {
  const trace = buildBigTrace({ spans: SPANS });
  const otlpBytes = trace.bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
  spoor = await startSpoor(dataDir);
  const url = spoor.url;
  const postStart = performance.now();
  await postBigTrace(url, trace);
  const postMs = performance.now() - postStart;
  const detail = await waitForSpans(url, trace.traceId, trace.spanCount);
  // The page reads the tree (the waterfall's columns), not the whole trace with every attribute.
  const apiBytes = Buffer.byteLength(await (await fetch(`${url}/api/traces/${trace.traceId}/tree`)).text());
  const biggest = biggestChild(detail.spans, trace.rootSpanId);
  console.log(`posted ${trace.spanCount} spans (${(otlpBytes / 1e6).toFixed(1)} MB OTLP/JSON in ${trace.bodies.length} requests) in ${(postMs / 1000).toFixed(1)} s; the API returns them all (${(detail.bytes / 1e6).toFixed(1)} MB; the waterfall's tree of them ${(apiBytes / 1e6).toFixed(1)} MB)`);

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  /** @type {string[]} */
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

  // 1. First paint, over LOADS loads of the page.
  const tracePath = `/api/traces/${trace.traceId}/tree`;
  /** @type {Array<{ fetchMs: number, parseMs: number, paintMs: number, navigationToPaintedMs: number }>} */
  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    if (i === 0) await page.goto(`${url}/traces/${trace.traceId}`, { waitUntil: 'commit' });
    else await page.reload({ waitUntil: 'commit' });
    loads.push(await firstPaint(page, tracePath));
  }
  await page.waitForTimeout(500);

  // 2. Expanding and collapsing: the root's biggest child, then everything.
  const subtree = await page.evaluate(toggleSubtree, { spanId: biggest.spanId, repeats: REPEATS });
  const all = await page.evaluate(toggleAll, { repeats: REPEATS });

  // 3. Scrolling through every row, by script and by wheel, watching for long tasks. With
  // SPOOR_BENCH_TRACE=1 a Chromium trace of this phase says what each long task spent its time on.
  const tracing = process.env.SPOOR_BENCH_TRACE === '1';
  if (tracing) await browser.startTracing(page, { path: join(dataDir, 'scroll-trace.json'), categories: ['devtools.timeline', 'v8', 'v8.gc', 'disabled-by-default-devtools.timeline', 'blink'] });
  await page.evaluate(startScrollWatch);
  const box = await page.locator('[data-testid="waterfall-scroll"]').boundingBox();
  if (box === null) throw new Error('the waterfall scroll container has no box');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const scrolled = await page.evaluate(scrollToBottom);
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, i < 20 ? -900 : 900);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
  }
  const watch = await page.evaluate(stopScrollWatch);
  if (tracing) printLongTasks(JSON.parse((await browser.stopTracing()).toString('utf8')).traceEvents);
  const lastSpanId = detail.spans[detail.spans.length - 1]?.spanId;
  if (scrolled.lastSpanId !== lastSpanId) throw new Error(`the scroll ended at row ${scrolled.lastSpanId}, not at the trace's last span ${lastSpanId}`);
  if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.join('; ')}`);

  // The goal is checked on the median of the loads: the first one also compiles the page's script.
  const paint = loads.map((l) => l.paintMs);
  const results = {
    spans: trace.spanCount,
    otlpMB: +(otlpBytes / 1e6).toFixed(1),
    apiMB: +(apiBytes / 1e6).toFixed(1),
    firstPaintMs: { median: round(median(paint)), max: round(max(paint)), runs: paint.map(round) },
    fetchMs: { median: round(median(loads.map((l) => l.fetchMs))), max: round(max(loads.map((l) => l.fetchMs))) },
    responseToPaintedMs: stats(loads.map((l) => l.parseMs + l.paintMs)),
    parseMs: { median: round(median(loads.map((l) => l.parseMs))), max: round(max(loads.map((l) => l.parseMs))) },
    navigationToPaintedMs: { median: round(median(loads.map((l) => l.navigationToPaintedMs))), max: round(max(loads.map((l) => l.navigationToPaintedMs))) },
    subtree: { spanId: biggest.spanId, spans: biggest.size, collapseMs: stats(subtree.collapse), expandMs: stats(subtree.expand) },
    all: all === null ? null : { collapseMs: stats(all.collapse), expandMs: stats(all.expand) },
    scroll: {
      rows: scrolled.rows,
      scrollHeightPx: scrolled.scrollHeight,
      longTasks: watch.longTasks.length,
      longestTaskMs: round(max([0, ...watch.longTasks.map((l) => l.ms)])),
      /** When (ms after the scroll began; the wheel phase starts at wheelFromMs) and where each long task was. */
      longTaskList: watch.longTasks,
      wheelFromMs: Math.round(watch.scriptMs),
      frames: watch.frames,
      seconds: round(watch.elapsedMs / 1000),
      fps: round(watch.frames / (watch.elapsedMs / 1000)),
    },
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      chromium: browser.version(),
      // Long tasks are wall-clock: other work on the machine lengthens them.
      loadAverage1m: { atStart: round(loadAtStart), atEnd: round(loadavg()[0] ?? 0) },
    },
  };
  /** @type {Array<[string, { median: number, max: number }]>} */
  const toggles = [['collapse the biggest subtree', results.subtree.collapseMs], ['expand the biggest subtree', results.subtree.expandMs]];
  if (results.all !== null) toggles.push(['collapse all', results.all.collapseMs], ['expand all', results.all.expandMs]);
  const misses = [
    results.firstPaintMs.median >= GOALS.firstPaintMs ? `first paint ${results.firstPaintMs.median} ms (goal < ${GOALS.firstPaintMs} ms)` : null,
    ...toggles.map(([what, s]) => (s.max >= GOALS.toggleMs ? `${what}: max ${s.max} ms (goal < ${GOALS.toggleMs} ms)` : null)),
    results.scroll.longTasks > 0 ? `${results.scroll.longTasks} long task(s) while scrolling, longest ${results.scroll.longestTaskMs} ms (goal: none over ${GOALS.longTaskMs} ms)` : null,
  ].filter((m) => m !== null);

  const ok = (/** @type {boolean} */ pass) => (pass ? 'ok' : 'MISSED');
  const rows = [
    ['first paint after the data (spoor:trace-data → spoor:waterfall-painted)', `${results.firstPaintMs.median} ms`, `${results.firstPaintMs.max} ms`, `< ${GOALS.firstPaintMs} ms`, ok(results.firstPaintMs.median < GOALS.firstPaintMs)],
    ['data → painted (responseEnd → spoor:waterfall-painted: parse, tree, first rows)', `${results.responseToPaintedMs.median} ms`, `${results.responseToPaintedMs.max} ms`, '-', '-'],
    [`fetch GET /api/traces/:id/tree (request start → responseEnd, ${results.apiMB} MB)`, `${results.fetchMs.median} ms`, `${results.fetchMs.max} ms`, '-', '-'],
    ['parse (responseEnd → spoor:trace-data)', `${results.parseMs.median} ms`, `${results.parseMs.max} ms`, '-', '-'],
    ['navigation → spoor:waterfall-painted', `${results.navigationToPaintedMs.median} ms`, `${results.navigationToPaintedMs.max} ms`, '-', '-'],
    ...toggles.map(([what, s]) => [
      `${what} (${what.includes('subtree') ? `${biggest.size} spans, ` : ''}click → next frame, ${REPEATS}×)`,
      `${s.median} ms`,
      `${s.max} ms`,
      `< ${GOALS.toggleMs} ms`,
      ok(s.max < GOALS.toggleMs),
    ]),
    [`scroll through ${results.scroll.rows} rows (${results.scroll.scrollHeightPx} px, down to the last span) + 40 wheel moves: long tasks > 50 ms`, String(results.scroll.longTasks), `longest ${results.scroll.longestTaskMs} ms`, 'none', ok(results.scroll.longTasks === 0)],
    ['scroll frame rate (rAF callbacks / s)', `${results.scroll.fps} fps`, `${results.scroll.frames} frames in ${results.scroll.seconds} s`, '-', '-'],
  ];
  if (results.all === null) rows.push(['collapse all / expand all', 'no [data-testid="collapse-all"] / [data-testid="expand-all"] buttons', '-', '-', '-']);
  console.log(
    `\nWaterfall, one ${trace.spanCount.toLocaleString('en')}-span trace (depth ${trace.maxDepth}, ${trace.errorCount} errors) — ${results.machine.cores} cores (${results.machine.cpu}), ` +
      `Chromium ${results.machine.chromium}, Node ${results.machine.node}, load average ${results.machine.loadAverage1m.atStart} → ${results.machine.loadAverage1m.atEnd}; ` +
      `first-paint runs: ${paint.map(round).join(', ')} ms\n`,
  );
  console.log('| measure | median | max | goal | result |\n|---|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\n${JSON.stringify({ bench: 'web-waterfall', ...results, misses })}`);
  if (misses.length > 0) console.error(`\ngoals missed:\n  ${misses.join('\n  ')}`);
  exitCode = misses.length > 0 ? 1 : 0;
} catch (error) {
  console.error(`bench:web failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await browser?.close();
  await spoor?.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);

/**
 * Starts the built `spoor serve` on 127.0.0.1 and a free port; resolves once it listens.
 * @param {string} dataDir
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
function startSpoor(dataDir) {
  const cli = fileURLToPath(new URL('../../server/bin/spoor.js', import.meta.url));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SPOOR_')));
  const child = spawn(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', '--data', dataDir, '--log-level', 'warn'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve({ url: match[1], stop });
    });
    child.once('exit', (code) => reject(new Error(`spoor serve exited with code ${code} before listening: ${out}`)));
  });
}

/** @param {number} n */
function round(n) {
  return Math.round(n * 10) / 10;
}

/** @param {number[]} values */
function stats(values) {
  return { median: round(median(values)), max: round(max(values)) };
}

/**
 * Polls the trace API until it returns every span (the server commits in batches).
 * @param {string} url @param {string} traceId @param {number} count
 * @returns {Promise<{ spans: Array<{ spanId: string, parentSpanId: string | null }>, bytes: number }>}
 */
async function waitForSpans(url, traceId, count) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const response = await fetch(`${url}/api/traces/${traceId}`);
    const text = await response.text();
    if (response.status === 200) {
      const spans = JSON.parse(text).spans;
      if (spans.length === count) return { spans, bytes: Buffer.byteLength(text) };
      if (spans.length > count) throw new Error(`the API returns ${spans.length} spans for a trace of ${count}`);
    }
    if (Date.now() > deadline) throw new Error(`the API did not return all ${count} spans of trace ${traceId} within 180 s (last answer ${response.status})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * The child of the root with the most spans under it (itself included).
 * @param {Array<{ spanId: string, parentSpanId: string | null }>} spans @param {string} rootSpanId
 */
function biggestChild(spans, rootSpanId) {
  /** @type {Map<string, string[]>} */
  const children = new Map();
  for (const s of spans) {
    const list = children.get(s.parentSpanId ?? '') ?? [];
    list.push(s.spanId);
    children.set(s.parentSpanId ?? '', list);
  }
  /** @param {string} id @returns {number} */
  const size = (id) => {
    let n = 0;
    const stack = [id];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      n++;
      stack.push(...(children.get(next) ?? []));
    }
    return n;
  };
  let best = { spanId: '', size: 0 };
  for (const id of children.get(rootSpanId) ?? []) {
    const n = size(id);
    if (n > best.size) best = { spanId: id, size: n };
  }
  if (best.size === 0) throw new Error(`the root span ${rootSpanId} has no children in the API's answer`);
  return best;
}

/**
 * Waits for the page's marks and reads them with the trace request's resource timing.
 * @param {import('playwright-core').Page} page @param {string} tracePath
 */
async function firstPaint(page, tracePath) {
  try {
    await page.waitForFunction(() => performance.getEntriesByName('spoor:waterfall-painted').length > 0, null, { timeout: 120_000, polling: 50 });
  } catch (error) {
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name)).catch(() => []);
    throw new Error(`the trace page never marked 'spoor:waterfall-painted' (marks seen: ${JSON.stringify(marks)})`, { cause: error });
  }
  const timing = await page.evaluate((path) => {
    const mark = (/** @type {string} */ name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    const resource = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource')).find((r) => new URL(r.name).pathname === path);
    return { data: mark('spoor:trace-data'), painted: mark('spoor:waterfall-painted'), start: resource?.startTime ?? null, responseEnd: resource?.responseEnd ?? null };
  }, tracePath);
  const { data, painted, start, responseEnd } = timing;
  if (data === null) throw new Error("the trace page marked 'spoor:waterfall-painted' but not 'spoor:trace-data'");
  if (painted === null) throw new Error("the trace page lost its 'spoor:waterfall-painted' mark");
  if (start === null || responseEnd === null) throw new Error(`no resource timing for ${tracePath}: did the page fetch the trace from the API?`);
  return { fetchMs: responseEnd - start, parseMs: data - responseEnd, paintMs: painted - data, navigationToPaintedMs: painted };
}

/**
 * Each main-thread task over 40 ms in a Chromium trace, with the events inside it that took over
 * 4 ms (GC, style, layout, script), so a missed scroll goal says where the time went.
 * @param {Array<{ name: string, pid: number, tid: number, ts: number, dur?: number }>} events
 */
function printLongTasks(events) {
  const tasks = events.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 40_000);
  console.log(`trace: ${tasks.length} task(s) over 40 ms while scrolling`);
  for (const task of tasks) {
    const end = task.ts + (task.dur ?? 0);
    const inside = events.filter((e) => e !== task && e.pid === task.pid && e.tid === task.tid && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && (e.dur ?? 0) > 4_000);
    console.log(`  ${((task.dur ?? 0) / 1000).toFixed(0)} ms: ${inside.map((e) => `${e.name} ${((e.dur ?? 0) / 1000).toFixed(0)}`).join(', ')}`);
  }
}

// The functions below run in the page (page.evaluate); they may only use what they are given.

/**
 * Collapses and expands the subtree of `spanId` `repeats` times, timing each click to the next
 * frame. The row is scrolled into view first; the rows are virtualized.
 * @param {{ spanId: string, repeats: number }} args
 */
async function toggleSubtree({ spanId, repeats }) {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const scroller = document.querySelector('[data-testid="waterfall-scroll"]');
  if (!(scroller instanceof HTMLElement)) throw new Error('no [data-testid="waterfall-scroll"] on the page');
  const find = () => document.querySelector(`[data-testid="waterfall"] [role="treeitem"][data-span-id="${spanId}"]`);
  scroller.scrollTop = 0;
  await frame();
  while (find() === null) {
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight) throw new Error(`no row [data-span-id="${spanId}"] in the waterfall`);
    scroller.scrollTop += scroller.clientHeight;
    await frame();
  }
  /** @param {'true' | 'false'} want */
  const click = async (want) => {
    const button = find()?.querySelector('button[data-testid="toggle"]');
    if (!(button instanceof HTMLElement)) throw new Error(`the row of ${spanId} has no button[data-testid="toggle"]`);
    const t0 = performance.now();
    button.click();
    await frame();
    const elapsed = performance.now() - t0;
    const state = find()?.getAttribute('aria-expanded');
    if (state !== want) throw new Error(`after the click, the row of ${spanId} has aria-expanded=${state}, not ${want}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return elapsed;
  };
  if (find()?.getAttribute('aria-expanded') === 'false') await click('true');
  /** @type {{ collapse: number[], expand: number[] }} */
  const times = { collapse: [], expand: [] };
  for (let i = 0; i < repeats; i++) {
    times.collapse.push(await click('false'));
    times.expand.push(await click('true'));
  }
  return times;
}

/**
 * Collapse all / expand all, `repeats` times each; `null` when the page has no such buttons.
 * @param {{ repeats: number }} args
 */
async function toggleAll({ repeats }) {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const scroller = document.querySelector('[data-testid="waterfall-scroll"]');
  const buttons = { collapse: document.querySelector('[data-testid="collapse-all"]'), expand: document.querySelector('[data-testid="expand-all"]') };
  if (!(buttons.collapse instanceof HTMLElement) || !(buttons.expand instanceof HTMLElement) || !(scroller instanceof HTMLElement)) return null;
  /** @param {HTMLElement} button */
  const click = async (button) => {
    const t0 = performance.now();
    button.click();
    await frame();
    const elapsed = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { elapsed, height: scroller.scrollHeight };
  };
  /** @type {{ collapse: number[], expand: number[] }} */
  const times = { collapse: [], expand: [] };
  for (let i = 0; i < repeats; i++) {
    const collapsed = await click(buttons.collapse);
    const expanded = await click(buttons.expand);
    if (collapsed.height >= expanded.height) throw new Error(`collapse all left the waterfall ${collapsed.height} px tall, expand all ${expanded.height} px: one of them did nothing`);
    times.collapse.push(collapsed.elapsed);
    times.expand.push(expanded.elapsed);
  }
  return times;
}

/** Counts frames and records long tasks (started from now on) until stopScrollWatch. */
function startScrollWatch() {
  const w = /** @type {any} */ (window);
  const scroller = document.querySelector('[data-testid="waterfall-scroll"]');
  const state = {
    longTasks: /** @type {Array<{ atMs: number, ms: number, scrollTop: number }>} */ ([]),
    frames: 0,
    since: performance.now(),
    running: true,
    /** scrollTop at each frame, to place a long task: the observer reports it later. */
    tops: /** @type {Array<[number, number]>} */ ([]),
  };
  w.__spoorScrollWatch = state;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < state.since) continue;
      const before = state.tops.findLast(([t]) => t <= entry.startTime);
      state.longTasks.push({ atMs: Math.round(entry.startTime - state.since), ms: Math.round(entry.duration), scrollTop: before?.[1] ?? 0 });
    }
  });
  observer.observe({ type: 'longtask', buffered: true });
  w.__spoorScrollObserver = observer;
  const tick = () => {
    if (!state.running) return;
    state.frames++;
    state.tops.push([performance.now(), scroller?.scrollTop ?? 0]);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/**
 * Scrolls the waterfall from top to bottom, 600 px per frame, doing nothing else per frame (so
 * the page's work is all there is to measure); returns the height, the rows it spans and the last
 * row drawn.
 */
async function scrollToBottom() {
  const scroller = document.querySelector('[data-testid="waterfall-scroll"]');
  const [first, second] = document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]');
  if (!(scroller instanceof HTMLElement) || first === undefined || second === undefined) throw new Error('no [data-testid="waterfall-scroll"] with rows on the page');
  // The distance from one row to the next, which is not always the height of a row.
  const rowPitch = second.getBoundingClientRect().top - first.getBoundingClientRect().top;
  scroller.scrollTop = 0;
  await new Promise((resolve) => requestAnimationFrame(resolve));
  while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
    scroller.scrollTop += 600;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const w = /** @type {any} */ (window);
  w.__spoorScriptScrollMs = performance.now() - (w.__spoorScrollWatch?.since ?? 0);
  const rows = document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]');
  return { scrollHeight: scroller.scrollHeight, rows: Math.round(scroller.scrollHeight / rowPitch), lastSpanId: rows[rows.length - 1]?.getAttribute('data-span-id') ?? null };
}

/**
 * Stops the watch; long tasks are delivered asynchronously, so it waits a moment first.
 * @returns {Promise<{ longTasks: Array<{ atMs: number, ms: number, scrollTop: number }>, frames: number, elapsedMs: number, scriptMs: number }>}
 */
async function stopScrollWatch() {
  const w = /** @type {any} */ (window);
  const state = w.__spoorScrollWatch;
  state.running = false;
  const elapsedMs = performance.now() - state.since;
  await new Promise((resolve) => setTimeout(resolve, 200));
  w.__spoorScrollObserver.disconnect();
  return { longTasks: state.longTasks, frames: state.frames, elapsedMs, scriptMs: w.__spoorScriptScrollMs ?? elapsedMs };
}

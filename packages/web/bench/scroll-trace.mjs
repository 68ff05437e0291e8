// @ts-check
// What a Chromium trace of the waterfall's scroll says of its frames (SPOOR_BENCH_TRACE=1 of waterfall.mjs).

/** What a frame's phases are called in a Chromium trace, by the phase a summary names them. */
const PHASES = /** @type {const} */ ([
  ['script', ['FunctionCall', 'EvaluateScript', 'TimerFire', 'FireAnimationFrame', 'EventDispatch']],
  ['style', ['UpdateLayoutTree']],
  ['layout', ['Layout']],
  ['pre-paint', ['PrePaint']],
  ['paint', ['Paint']],
  ['layerize', ['Layerize']],
  ['gc', ['MinorGC', 'MajorGC', 'V8.GCScavenger', 'V8.GCFinalizeMC']],
]);

/**
 * From a Chromium trace of the scroll: what a frame cost by phase on the page's main thread (the
 * outermost event of each name, so nested ones are not counted twice), and each task over 40 ms
 * with the events inside it over 4 ms, so a missed scroll goal says where the time went.
 * @param {TraceEvent[]} events
 * @param {number} frames
 */
export function printScrollTrace(events, frames) {
  const tasks = events.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 0);
  /** @type {Map<string, string>} */
  const names = new Map();
  for (const e of events) if (e.name === 'thread_name' && e.args?.name !== undefined) names.set(`${e.pid}:${e.tid}`, e.args.name);
  // The page's main thread is the one whose tasks took longest.
  /** @type {Map<string, number>} */
  const busy = new Map();
  for (const task of tasks) busy.set(`${task.pid}:${task.tid}`, (busy.get(`${task.pid}:${task.tid}`) ?? 0) + (task.dur ?? 0));
  const main = [...busy].sort((a, b) => b[1] - a[1])[0]?.[0];
  const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && (e.dur ?? 0) > 0).sort((a, b) => a.ts - b.ts);
  const parts = PHASES.map(([phase, names]) => {
    let us = 0;
    let until = -1;
    for (const e of onMain) {
      if (!names.includes(e.name) || e.ts < until) continue;
      us += e.dur ?? 0;
      until = e.ts + (e.dur ?? 0);
    }
    return `${phase} ${(us / 1000 / Math.max(frames, 1)).toFixed(2)}`;
  });
  const paints = onMain.filter((e) => e.name === 'Paint').length;
  const taskUs = onMain.filter((e) => e.name === 'RunTask').reduce((sum, e) => sum + (e.dur ?? 0), 0);
  console.log(
    `trace: a frame's main-thread ms (${frames} frames): tasks ${(taskUs / 1000 / Math.max(frames, 1)).toFixed(2)}: ${parts.join(', ')}; ${(paints / Math.max(frames, 1)).toFixed(1)} paint events a frame`,
  );
  // A goal missed in one run of ten is judged better by how many tasks come near the line.
  const over = (/** @type {number} */ ms) => onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > ms * 1000).length;
  console.log(`trace: main-thread tasks over 17 ms ${over(17)}, over 25 ms ${over(25)}, over 33 ms ${over(33)}`);
  const long = onMain.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 40_000);
  console.log(`trace: ${long.length} task(s) over 40 ms while scrolling`);
  for (const task of long) {
    const end = task.ts + (task.dur ?? 0);
    const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && (e.dur ?? 0) > 4_000);
    // A script's function and place, where the trace names them.
    const where = (/** @type {{ args?: { data?: { functionName?: string, url?: string, lineNumber?: number } } }} */ e) =>
      e.args?.data?.functionName !== undefined
        ? ` (${e.args.data.functionName || 'anonymous'} ${e.args.data.url?.split('/').pop() ?? ''}:${e.args.data.lineNumber ?? ''})`
        : '';
    console.log(
      `  ${((task.dur ?? 0) / 1000).toFixed(0)} ms (${cpuMs(task)} on the thread's clock): ${inside.map((e) => `${e.name}${where(e)} ${((e.dur ?? 0) / 1000).toFixed(0)}`).join(', ')}`,
    );
    console.log(`    beside it: ${busyBeside(tasks, names, main, task.ts, end)}`);
  }
}

/**
 * A task's time on its thread's own clock (`tdur`): well under its wall time means the thread
 * waited for a core rather than worked.
 * @param {TraceEvent} task
 */
function cpuMs(task) {
  return task.tdur === undefined ? 'no thread time' : `${(task.tdur / 1000).toFixed(0)} ms`;
}

/**
 * Which other threads of Chromium ran tasks in [from, to), busiest first: who had the cores while
 * the page's main thread took long.
 * @param {TraceEvent[]} tasks @param {Map<string, string>} names @param {string | undefined} main @param {number} from @param {number} to
 */
function busyBeside(tasks, names, main, from, to) {
  /** @type {Map<string, number>} */
  const busy = new Map();
  for (const t of tasks) {
    const key = `${t.pid}:${t.tid}`;
    if (key === main) continue;
    const overlap = Math.min(to, t.ts + (t.dur ?? 0)) - Math.max(from, t.ts);
    if (overlap > 0) busy.set(key, (busy.get(key) ?? 0) + overlap);
  }
  const top = [...busy].sort((a, b) => b[1] - a[1]).slice(0, 6);
  return top.length === 0 ? 'no other thread ran a task' : top.map(([key, us]) => `${names.get(key) ?? key} ${(us / 1000).toFixed(0)} ms`).join(', ');
}

/** @typedef {{ name: string, pid: number, tid: number, ts: number, dur?: number, tdur?: number, args?: { name?: string, data?: { functionName?: string, url?: string, lineNumber?: number } } }} TraceEvent */

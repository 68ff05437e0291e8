// @ts-check
/* global document, window, requestAnimationFrame, PerformanceObserver, HTMLElement */
// What bench:web (waterfall.mjs) runs in the trace page, through page.evaluate: each function may
// only use what it is given.

/**
 * Collapses and expands the subtree of `spanId` `repeats` times, timing each click to the next
 * frame. The row is scrolled into view first; the rows are virtualized.
 * @param {{ spanId: string, repeats: number }} args
 */
export async function toggleSubtree({ spanId, repeats }) {
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
export async function toggleAll({ repeats }) {
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
    if (collapsed.height >= expanded.height)
      throw new Error(`collapse all left the waterfall ${collapsed.height} px tall, expand all ${expanded.height} px: one of them did nothing`);
    times.collapse.push(collapsed.elapsed);
    times.expand.push(expanded.elapsed);
  }
  return times;
}

/** Counts frames and records long tasks (started from now on) until stopScrollWatch; returns when it began (epoch ms). */
export function startScrollWatch() {
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
  // When the watch began on the wall clock, to place its long tasks beside samples taken outside the page.
  return performance.timeOrigin + state.since;
}

/**
 * Scrolls the waterfall from top to bottom, 600 px per frame (more on a trace so tall that this
 * would take over `frames` frames), doing nothing else per frame (so the page's work is all there
 * is to measure); returns the height, the rows it spans, the step and the last row drawn.
 * @param {{ frames: number }} args
 */
export async function scrollToBottom({ frames }) {
  const scroller = document.querySelector('[data-testid="waterfall-scroll"]');
  const [first, second] = document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]');
  if (!(scroller instanceof HTMLElement) || first === undefined || second === undefined)
    throw new Error('no [data-testid="waterfall-scroll"] with rows on the page');
  // The distance from one row to the next, which is not always the height of a row.
  const rowPitch = second.getBoundingClientRect().top - first.getBoundingClientRect().top;
  const stepPx = Math.max(600, Math.ceil(scroller.scrollHeight / frames));
  scroller.scrollTop = 0;
  await new Promise((resolve) => requestAnimationFrame(resolve));
  while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
    scroller.scrollTop += stepPx;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const w = /** @type {any} */ (window);
  w.__spoorScriptScrollMs = performance.now() - (w.__spoorScrollWatch?.since ?? 0);
  // The rows follow the scroll in React's next render: the last one drawn is read once they settle.
  const lastRow = () => {
    const rows = document.querySelectorAll('[data-testid="waterfall"] [role="treeitem"]');
    return rows[rows.length - 1]?.getAttribute('data-span-id') ?? null;
  };
  let lastSpanId = lastRow();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 25)));
    const now = lastRow();
    if (now === lastSpanId) break;
    lastSpanId = now;
  }
  // The rows shown, as the waterfall's head counts them ("N of M spans"): a canvas taller than a
  // browser allows is scaled, so its height no longer says.
  const shownRows = Number((document.querySelector('.wf-name-head')?.textContent ?? '').split(' of ')[0]?.replace(/,/g, ''));
  return {
    scrollHeight: scroller.scrollHeight,
    rows: Number.isFinite(shownRows) ? shownRows : Math.round(scroller.scrollHeight / rowPitch),
    stepPx,
    lastSpanId,
  };
}

/**
 * Stops the watch; long tasks are delivered asynchronously, so it waits a moment first.
 * @returns {Promise<{ longTasks: Array<{ atMs: number, ms: number, scrollTop: number }>, frames: number, elapsedMs: number, scriptMs: number }>}
 */
export async function stopScrollWatch() {
  const w = /** @type {any} */ (window);
  const state = w.__spoorScrollWatch;
  state.running = false;
  const elapsedMs = performance.now() - state.since;
  await new Promise((resolve) => setTimeout(resolve, 200));
  w.__spoorScrollObserver.disconnect();
  return { longTasks: state.longTasks, frames: state.frames, elapsedMs, scriptMs: w.__spoorScriptScrollMs ?? elapsedMs };
}

import { useSyncExternalStore } from 'react';

/**
 * One animation-frame loop for every moving thing on a page (a running span's bar and duration,
 * a running trace's total): it runs while something listens and the tab is shown, and stops
 * otherwise, so a page with nothing running, or hidden, draws nothing. It reads the clock once a
 * step and tells the listeners, which re-render only what moved.
 */
/**
 * Listeners are told at most every 50 ms (20 times a second), though the loop runs every frame:
 * measured in headless Chromium (software paint), two running rows and the header's duration cost
 * 203 ms of main-thread time a second at every frame, 105 at this step, mostly paint.
 */
const MIN_STEP_MS = 50;
const listeners = new Set<() => void>();
let nowMs = Date.now();
let frame: number | null = null;

function tick(): void {
  frame = null;
  const at = Date.now();
  if (at - nowMs >= MIN_STEP_MS) {
    nowMs = at;
    for (const listener of listeners) listener();
  }
  schedule();
}

function schedule(): void {
  if (frame !== null || listeners.size === 0 || document.visibilityState !== 'visible') return;
  frame = requestAnimationFrame(tick);
}

function onVisibility(): void {
  if (document.visibilityState === 'visible') {
    // Back from hiding: show the time now, not when the tab was hidden.
    nowMs = Date.now();
    for (const listener of listeners) listener();
    schedule();
  } else if (frame !== null) {
    cancelAnimationFrame(frame);
    frame = null;
  }
}

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) {
    document.addEventListener('visibilitychange', onVisibility);
    nowMs = Date.now();
  }
  listeners.add(listener);
  schedule();
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    document.removeEventListener('visibilitychange', onVisibility);
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
  };
}

const idle = (): (() => void) => () => {};
const now = (): number => nowMs;

/** The time (epoch ms) of the current animation frame while `active`; while not, it holds still and costs nothing. */
export function useFrameClock(active: boolean): number {
  return useSyncExternalStore(active ? subscribe : idle, now);
}

// @ts-check
// bench:web's traces are built, posted and waited for in a worker thread of their own: building a
// million spans grows a heap of gigabytes, and a heap that size left in the bench's own process
// was collected (on both cores, by V8's parallel markers) while the page scrolled. With the worker
// gone, its heap is gone with it, and the bench's process is idle while the page is measured.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { resolveSpanTree } from '@spoor/model';
import { buildBigTrace } from './big-trace.mjs';
import { postTraceBodies } from './post-traces.mjs';

/**
 * @typedef {{ traceId: string, spans: number, biggest: { spanId: string, size: number }, lastSpanId: string }} FedTrace
 * What the measures need to know of a trace's tree: its id and size, its root's biggest child's
 * subtree, and the last row of the tree.
 */

/**
 * Builds a trace of `size` spans, posts it to the server at `url` as OTLP/JSON and waits until the
 * server has committed all of it, in a worker thread that ends with it; logs a line of what it did.
 * @param {string} url @param {number} size @param {number} seed @returns {Promise<FedTrace>}
 */
export function feedTrace(url, size, seed) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { url, size, seed } });
    /** @type {FedTrace | null} */
    let fed = null;
    worker.once('message', (/** @type {{ fed: FedTrace, line: string }} */ message) => {
      fed = message.fed;
      console.log(message.line);
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      fed !== null ? resolve(fed) : reject(new Error(`the worker feeding the ${size}-span trace exited with code ${code} and no trace`)),
    );
  });
}

if (!isMainThread) {
  const { url, size, seed } = /** @type {{ url: string, size: number, seed: number }} */ (workerData);
  const t0 = performance.now();
  const built = buildBigTrace({ spans: size, seed });
  const buildMs = performance.now() - t0;
  const otlpBytes = built.bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
  const requests = built.bodies.length;
  const t1 = performance.now();
  await postTraceBodies(url, built.bodies, 'application/json');
  const postMs = performance.now() - t1;
  built.bodies = [];
  await waitForCount(url, built.traceId, built.spanCount);
  const committedMs = performance.now() - t1;
  // The tree as the model's resolver makes it from the spans as built (a million-span trace is never asked for whole).
  const { shape } = built;
  const tree = resolveSpanTree({ spanIds: shape.spanIds, parentSpanIds: shape.parentSpanIds, startUs: shape.startUs, endUs: shape.endUs });
  const rootRow = tree.rowOf[shape.spanIds.indexOf(built.rootSpanId)] ?? 0;
  let biggest = { spanId: '', size: 0 };
  for (let row = rootRow + 1; row < tree.subtreeEnd[rootRow]; row = tree.subtreeEnd[row]) {
    const n = tree.subtreeEnd[row] - row;
    if (n > biggest.size) biggest = { spanId: shape.spanIds[tree.order[row]], size: n };
  }
  const lastSpanId = shape.spanIds[tree.order[tree.count - 1]];
  const fmt = (/** @type {number} */ n) => n.toLocaleString('en-US');
  const line =
    `${fmt(built.spanCount)} spans (depth ${built.maxDepth}, ${built.errorCount} errors): built in ${(buildMs / 1000).toFixed(1)} s, ` +
    `${(otlpBytes / 1e6).toFixed(1)} MB OTLP/JSON posted in ${requests} requests in ${(postMs / 1000).toFixed(1)} s, all committed after ${(committedMs / 1000).toFixed(1)} s`;
  parentPort?.postMessage({ fed: { traceId: built.traceId, spans: built.spanCount, biggest, lastSpanId }, line });
}

/**
 * Polls the trace list until the trace's summary counts every span (the server commits in batches).
 * @param {string} url @param {string} traceId @param {number} count
 */
async function waitForCount(url, traceId, count) {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const response = await fetch(`${url}/api/traces?limit=20`);
    if (response.status === 200) {
      const summary = /** @type {{ traces: Array<{ traceId: string, spanCount: number }> }} */ (await response.json()).traces.find(
        (t) => t.traceId === traceId,
      );
      if (summary?.spanCount === count) return;
      if (summary !== undefined && summary.spanCount > count) throw new Error(`the trace list counts ${summary.spanCount} spans for a trace of ${count}`);
    }
    if (Date.now() > deadline) throw new Error(`the server did not commit all ${count} spans of trace ${traceId} within 600 s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

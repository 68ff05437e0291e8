import { parentPort } from 'node:worker_threads';
import { ThreadServer, threadConfig } from '../threads/server.js';
import type { ForwardProtocol } from './forward-protocol.js';
import { Forwarder } from './forwarder.js';

/**
 * The forward thread: follows the spool and sends what was acknowledged to each `--forward`
 * destination (masking and re-encoding where it must), beside ingest: the HTTP thread only tells
 * it where the spool ends, once per group of appends, and never waits for it.
 */
const config = threadConfig<ForwardProtocol>();
const thread = new ThreadServer<ForwardProtocol>(parentPort!);
const forwarder = new Forwarder(config, {
  progress: (...args) => thread.emit('progress', ...args),
  records: (...args) => thread.emit('records', ...args),
  requests: (...args) => thread.emit('requests', ...args),
  log: (...args) => thread.emit('log', ...args),
});
thread.serve({
  calls: {
    positions: () => forwarder.startPositions(),
    close: () => forwarder.close(),
  },
  posts: {
    start: () => forwarder.start(),
    tail: (end) => forwarder.tail(end),
    masking: (projectId, policy, fromUs) => forwarder.setMasking(projectId, policy, fromUs),
  },
});

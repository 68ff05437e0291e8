import type { RecordExporter } from '../store/ports/export.js';
import { callGroup } from '../threads/groups.js';
import { type ExportChunk, ExportStreams } from './export-streams.js';

/** The buffer a chunk moves, uncopied: each chunk owns its own (`ExportStreams.next`). */
const chunkBuffers = (answer: ExportChunk): ArrayBuffer[] => [answer.bytes.buffer as ArrayBuffer];

/** Export's calls on the database thread (`db.export.start(…)`): a file's bytes, a chunk a call. */
export const exportCalls = callGroup(
  ({ store }: { store: { readonly exports: RecordExporter } }) => {
    const streams = new ExportStreams(store.exports);
    return {
      start: streams.start.bind(streams),
      next: streams.next.bind(streams),
      close: streams.close.bind(streams),
    };
  },
  { answers: { start: chunkBuffers, next: chunkBuffers } },
);

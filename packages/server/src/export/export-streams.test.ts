import type { ExportQuery } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import type { RecordExporter } from '../store/ports/export.js';
import { EXPORT_CHUNK_BYTES, ExportStreams } from './export-streams.js';

const QUERY: ExportQuery = { projectId: 'default', signal: 'spans', format: 'parquet', fromUs: 0, toUs: 1 };

/** An exporter whose file is `parts` (each handed out as it is, as an engine's reused buffers are); it records what was ended early. */
function exporterOf(parts: () => Uint8Array[], failAt: number | null = null) {
  const log = { opened: 0, finished: 0 };
  const exporter: RecordExporter = {
    toFile: async () => {},
    open: async () => {
      log.opened++;
      const list = parts();
      return (async function* () {
        try {
          for (let i = 0; i < list.length; i++) {
            if (i === failAt) throw new Error('the engine failed mid-file');
            yield list[i]!;
          }
        } finally {
          log.finished++;
        }
      })();
    },
  };
  return { exporter, log };
}

const bytesOf = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

describe('ExportStreams', () => {
  it('answers about a mebibyte a call, in order, each in a buffer of its own, and closes the stream at its end', async () => {
    const shared = bytesOf(300 * 1024, 1);
    const { exporter, log } = exporterOf(() => [shared, bytesOf(300 * 1024, 2), bytesOf(300 * 1024, 3), bytesOf(300 * 1024, 4), bytesOf(10, 5)]);
    const streams = new ExportStreams(exporter);
    const first = await streams.start(QUERY);
    // Four parts reach a mebibyte (1,228,800 bytes); the fifth waits for the next call.
    expect(first.bytes.length).toBe(4 * 300 * 1024);
    expect(first.bytes.length).toBeGreaterThanOrEqual(EXPORT_CHUNK_BYTES);
    expect(first.done).toBe(false);
    expect(first.bytes.buffer).not.toBe(shared.buffer);
    shared.fill(9);
    expect(first.bytes[0]).toBe(1);
    expect([first.bytes[300 * 1024], first.bytes.at(-1)]).toEqual([2, 4]);
    const last = await streams.next(first.stream);
    expect({ length: last.bytes.length, done: last.done, byte: last.bytes[0] }).toEqual({ length: 10, done: true, byte: 5 });
    expect(streams.size).toBe(0);
    expect(log.finished).toBe(1);
    await expect(streams.next(first.stream)).rejects.toThrow(`export stream ${first.stream} is not open`);
  });

  it('answers an empty file as one empty chunk, done', async () => {
    const streams = new ExportStreams(exporterOf(() => []).exporter);
    expect(await streams.start(QUERY)).toMatchObject({ bytes: new Uint8Array(0), done: true });
    expect(streams.size).toBe(0);
  });

  it("ends the engine's work when closed early, and forgets a stream that failed", async () => {
    const { exporter, log } = exporterOf(() => [bytesOf(EXPORT_CHUNK_BYTES, 1), bytesOf(EXPORT_CHUNK_BYTES, 2), bytesOf(10, 3)], 2);
    const streams = new ExportStreams(exporter);
    const first = await streams.start(QUERY);
    expect(await streams.close(first.stream)).toBe(true);
    expect(log.finished).toBe(1);
    expect(await streams.close(first.stream)).toBe(false);
    const second = await streams.start(QUERY);
    await streams.next(second.stream);
    await expect(streams.next(second.stream)).rejects.toThrow('the engine failed mid-file');
    expect(streams.size).toBe(0);
  });

  it('closes a stream nobody asked for in a minute when the next starts', async () => {
    let nowMs = 0;
    const { exporter, log } = exporterOf(() => [bytesOf(EXPORT_CHUNK_BYTES, 1), bytesOf(10, 2)]);
    const streams = new ExportStreams(exporter, () => nowMs);
    await streams.start(QUERY);
    nowMs = 61_000;
    const fresh = await streams.start(QUERY);
    await Promise.resolve();
    expect(streams.size).toBe(1);
    expect(log.finished).toBe(1);
    expect((await streams.next(fresh.stream)).done).toBe(true);
  });
});

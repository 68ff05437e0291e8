import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../test/support/clickhouse-endpoint.js';
import { ChClient } from './client.js';

// `rawBytes` over HTTP, where a large answer arrives in many pieces: read into memory lent to it
// (`TraceReader.getTraceBytes`), or past its end into memory of its own, the same bytes as alone.
let endpoint: ClickHouseEndpoint;
let ch: ChClient;

beforeAll(async () => {
  endpoint = await startClickHouseEndpoint();
  ch = await ChClient.open({ url: `${endpoint.url}/default` });
}, 30_000);

afterAll(async () => {
  await ch?.close();
  await endpoint?.close();
});

// About 1.4 MB of RowBinary: far more than one piece of an HTTP answer.
const SQL = 'SELECT number, repeat(toString(number), 3) FROM numbers(100000)';

describe('rawBytes', () => {
  it('reads an answer into the memory it is lent, the same bytes as into its own', async () => {
    const alone = await ch.rawBytes('read numbers', SQL);
    expect(alone.length).toBeGreaterThan(1_000_000);
    const memory = Buffer.alloc(4 << 20, 0xff);
    const lent = await ch.rawBytes('read numbers', SQL, undefined, { into: () => memory });
    expect(lent.buffer).toBe(memory.buffer);
    expect(lent.equals(alone)).toBe(true);
  });

  it('goes on past the end of the memory lent into memory of its own, losing nothing', async () => {
    const alone = await ch.rawBytes('read numbers', SQL);
    for (const size of [1, 100_000, alone.length - 1]) {
      const memory = Buffer.alloc(size, 0xff);
      const read = await ch.rawBytes('read numbers', SQL, undefined, { into: () => memory });
      expect(read.buffer).not.toBe(memory.buffer);
      expect(read.equals(alone)).toBe(true);
    }
    // Exactly its size: all of it in the memory lent.
    const exact = Buffer.alloc(alone.length);
    expect((await ch.rawBytes('read numbers', SQL, undefined, { into: () => exact })).buffer).toBe(exact.buffer);
  });

  it('reads a RowBinaryWithNamesAndTypes answer of many pieces with its names and types once, at its start', async () => {
    const rows = 300_000;
    const answer = await ch.rawBytes('read numbers', `SELECT number AS n FROM numbers(${rows})`, undefined, { format: 'RowBinaryWithNamesAndTypes' });
    // One column: its count, name and type (each a length and its bytes), then 8 bytes a row.
    const header = Buffer.from([1, 1, ...Buffer.from('n'), 6, ...Buffer.from('UInt64')]);
    expect(answer.subarray(0, header.length).equals(header)).toBe(true);
    expect(answer.length).toBe(header.length + 8 * rows);
    for (let i = 0; i < rows; i += 9_999) expect(answer.readBigUInt64LE(header.length + 8 * i)).toBe(BigInt(i));
  });

  it('fails on a statement the engine refuses, and reads the next one whole', async () => {
    await expect(ch.rawBytes('read a column that is not there', 'SELECT no_such_column FROM numbers(3)')).rejects.toThrow(
      /read a column that is not there.*no_such_column/s,
    );
    const alone = await ch.rawBytes('read numbers', SQL);
    expect(alone.length).toBeGreaterThan(1_000_000);
    expect((await ch.rawBytes('read numbers', SQL)).equals(alone)).toBe(true);
  });
});

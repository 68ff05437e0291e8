import { type LiveCursor, type LivePosition, comparePositions, positionOf } from '../live-cursor.js';
import type { CommittedRows, LiveCommits, LiveTable } from '../sql/live.js';
import type { Params } from '../sql/dialect.js';
import type { ChClient } from './client.js';

/**
 * Which ClickHouse commit wrote a row: every row carries its commit's `batch_id`, and each
 * server's `committed` rows in `spool_positions` give that commit's spool position (`writer.ts`).
 * A server's commits become `committed` in spool order, one after the other, so a cursor is a
 * position per server, and the rows committed after it are those whose `batch_id` a `committed`
 * row after it names: a small set (a commit every 500 ms per busy server) joined to the table.
 */
export function clickHouseLiveCommits(ch: ChClient): LiveCommits {
  return {
    rowsOf(p: Params, table: LiveTable, after: LiveCursor, upTo: LiveCursor): CommittedRows | null {
      const ranges: string[] = [];
      for (const to of upTo) {
        const from = positionOf(after, to.writer);
        if (from !== null && comparePositions(from, to) >= 0) continue;
        const afterFrom = from === null ? '' : ` AND (segment, offset) > (${p.int(from.major)}, ${p.int(from.minor)})`;
        ranges.push(`(server_id = ${p.add(to.writer)}${afterFrom} AND (segment, offset) <= (${p.int(to.major)}, ${p.int(to.minor)}))`);
      }
      if (ranges.length === 0) return null;
      return {
        from: `${ch.tables[table]} AS r INNER JOIN (
          SELECT batch_id AS c_batch, server_id AS c_server, segment AS c_segment, offset AS c_offset FROM ${ch.tables.spool_positions}
          WHERE state = 'committed' AND (${ranges.join(' OR ')})) AS c ON r.batch_id = c.c_batch`,
        where: '1 = 1',
        writer: 'c.c_server',
        major: 'c.c_segment',
        minor: 'c.c_offset',
      };
    },
  };
}

/**
 * Every server's last committed position: what a viewer on any server has seen once it has read
 * up to it. One small aggregate over `spool_positions` (three short columns, a row per commit).
 */
export async function clickHouseHead(ch: ChClient): Promise<LiveCursor> {
  const rows = await ch.rows<{ server_id: string; l_segment: number; l_offset: number }>(
    'read the last commit of every server',
    `SELECT server_id, tupleElement(l_last, 1) AS l_segment, tupleElement(l_last, 2) AS l_offset
     FROM (SELECT server_id, max((segment, offset)) AS l_last FROM ${ch.tables.spool_positions} WHERE state = 'committed' GROUP BY server_id)
     ORDER BY server_id`,
  );
  return rows.map((row): LivePosition => ({ writer: row.server_id, major: Number(row.l_segment), minor: Number(row.l_offset) }));
}

/**
 * Where a live stream is in the store's commits: per writer, the position of the last commit it
 * has seen. DuckDB has one writer, its commits numbered in the order they finish (`commit_seq`);
 * servers sharing a ClickHouse are writers each, a commit's position its spool position (segment,
 * offset), which rises and becomes `committed` in order for one server. A commit is after a cursor
 * when it is after the cursor's position of its writer (every commit of a writer the cursor does
 * not name is after it), so a viewer on one server sees every server's commits, none twice.
 *
 * To clients a cursor is opaque text (an SSE event id): `writer:major:minor` per writer, joined by
 * commas, the writer's id URI-encoded; `0` for a cursor before every commit (an empty event id
 * would make a browser's EventSource forget it).
 */

/** A commit's place: its writer (a server id; DuckDB's one writer is `db`) and its numbers there. */
export interface LivePosition {
  writer: string;
  major: number;
  minor: number;
}

/** Per writer, the last position seen; writers in name order. */
export type LiveCursor = readonly LivePosition[];

/** The cursor before every commit. */
export const START: LiveCursor = [];

const START_TEXT = '0';
const ENTRY = /^([^,:]*):(\d{1,16}):(\d{1,16})$/;

/** Orders two positions of one writer. */
export function comparePositions(a: LivePosition, b: LivePosition): number {
  return a.major - b.major || a.minor - b.minor;
}

/** The cursor as clients see it. */
export function cursorText(cursor: LiveCursor): string {
  if (cursor.length === 0) return START_TEXT;
  return cursor.map((p) => `${encodeURIComponent(p.writer)}:${p.major}:${p.minor}`).join(',');
}

/** A cursor from its text, or `null` when the text is none (a client's made-up or damaged id). */
export function parseCursor(text: string): LiveCursor | null {
  if (text === START_TEXT) return START;
  const positions: LivePosition[] = [];
  for (const entry of text.split(',')) {
    const match = ENTRY.exec(entry);
    if (match === null) return null;
    let writer: string;
    try {
      writer = decodeURIComponent(match[1]!);
    } catch {
      // A broken %-escape: not a cursor Spoor made.
      return null;
    }
    const major = Number(match[2]);
    const minor = Number(match[3]);
    if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) return null;
    if (positions.some((p) => p.writer === writer)) return null;
    positions.push({ writer, major, minor });
  }
  return positions.sort((a, b) => (a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0));
}

/** The cursor's position of `writer`, or `null` when it has seen none of its commits. */
export function positionOf(cursor: LiveCursor, writer: string): LivePosition | null {
  return cursor.find((p) => p.writer === writer) ?? null;
}

/** Whether a commit at `position` comes after what `cursor` has seen. */
export function isAfter(position: LivePosition, cursor: LiveCursor): boolean {
  const seen = positionOf(cursor, position.writer);
  return seen === null || comparePositions(position, seen) > 0;
}

/** Whether `cursor` has seen everything `other` has (and so needs none of what `other` still would). */
export function covers(cursor: LiveCursor, other: LiveCursor): boolean {
  return other.every((p) => !isAfter(p, cursor));
}

/**
 * The cursor that has seen only what all of `cursors` have: per writer the lowest position, and
 * no position for a writer one of them has not seen. What one read starts after, to serve viewers
 * at each of them.
 */
export function lowest(cursors: readonly LiveCursor[]): LiveCursor {
  if (cursors.length === 0) return START;
  let out: LivePosition[] = [...cursors[0]!];
  for (const cursor of cursors.slice(1)) {
    out = out.flatMap((p) => {
      const seen = positionOf(cursor, p.writer);
      if (seen === null) return [];
      return [comparePositions(seen, p) < 0 ? seen : p];
    });
  }
  return out;
}

/** `cursor` moved past `positions` (a writer's position only moves forward). */
export function advance(cursor: LiveCursor, positions: Iterable<LivePosition>): LiveCursor {
  const byWriter = new Map(cursor.map((p) => [p.writer, p]));
  for (const p of positions) {
    const seen = byWriter.get(p.writer);
    if (seen === undefined || comparePositions(p, seen) > 0) byWriter.set(p.writer, { writer: p.writer, major: p.major, minor: p.minor });
  }
  return [...byWriter.values()].sort((a, b) => (a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0));
}

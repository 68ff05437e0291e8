import { MAX_MAX_CHARS, cutNote, fitStrings, headOf } from './budget.js';

/**
 * The last word on an answer's size: its text as the client reads it, never longer than
 * `maxChars`. Each tool fits its answer its own way first (a page of rows, a list cut at an item
 * with the cursor to go on, long strings cut), and what that left over is cut here: the longest
 * strings, then the last entries of the list or object holding the most, each cut said in `note`.
 * Characters are counted as JavaScript counts them (UTF-16 code units, `text.length`), after
 * JSON's escapes: a quote, a backslash or a control character is 2 to 6 characters of text.
 */

/** The most of a key a note names: keys are the sender's, of any length. */
const NOTE_KEY_CHARS = 40;
/** The entries a note names one by one; more are counted. */
const NOTED_PLACES = 3;

const lengthOf = (value: unknown): number => JSON.stringify(value)?.length ?? 4;

type Json = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** A container's entries: an array's items by index, an object's fields in order. */
const entriesOf = (value: Json): Array<[string, unknown]> => (Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value));

/** Characters an entry takes in its container's JSON, with its comma. */
const entryLength = (container: Json, key: string, item: unknown): number => lengthOf(item) + 1 + (Array.isArray(container) ? 0 : lengthOf(key) + 1);

/**
 * The container to take entries from: down from `root`, into an entry that holds most of its
 * container's text while it has entries of its own. So a span's 300 attributes lose some, not
 * the span its fields.
 */
function bulkiest(root: Record<string, unknown>): { node: Json; path: string[] } {
  let node: Json = root;
  const path: string[] = [];
  for (;;) {
    let biggest: [string, unknown] | null = null;
    let biggestLength = -1;
    for (const [key, item] of entriesOf(node)) {
      const length = lengthOf(item);
      if (length > biggestLength) [biggest, biggestLength] = [[key, item], length];
    }
    if (biggest === null || !isContainer(biggest[1]) || entriesOf(biggest[1]).length === 0 || biggestLength * 2 <= lengthOf(node)) return { node, path };
    path.push(biggest[0]);
    node = biggest[1];
  }
}

/** Drops the last entries of `node` until `over` characters are gone (one at least); how many it dropped. */
function dropLast(node: Json, over: number): number {
  const entries = entriesOf(node);
  let dropped = 0;
  let freed = 0;
  while (dropped < entries.length && (dropped === 0 || freed < over)) {
    const [key, item] = entries[entries.length - 1 - dropped]!;
    freed += entryLength(node, key, item);
    dropped++;
  }
  if (Array.isArray(node)) node.splice(node.length - dropped);
  else for (const [key] of entries.slice(entries.length - dropped)) delete node[key];
  return dropped;
}

const placeOf = (path: readonly string[]): string =>
  path.length === 0 ? 'the answer' : path.map((key) => (key.length > NOTE_KEY_CHARS ? `${headOf(key, NOTE_KEY_CHARS)}…` : key)).join('.');

/** An answer whose text fits `maxChars`, and that text. */
export interface BoundAnswer {
  value: Record<string, unknown>;
  text: string;
}

/** `value` (its `note`, if any, kept and added to) as text of at most `maxChars` characters. */
export function answerWithin(value: Record<string, unknown>, maxChars: number): BoundAnswer {
  const text = JSON.stringify(value);
  if (text.length <= maxChars) return { value, text };
  const given = typeof value.note === 'string' ? value.note : null;
  let body = JSON.parse(text) as Record<string, unknown>;
  delete body.note;
  let cap: number | null = null;
  const cuts = new Map<string, { left: number; of: number }>();
  const noteOf = (capShown: number | null): string => {
    const places = [...cuts].map(([place, { left, of }]) => `${left} of ${of} entries of ${place}`);
    const named = places.length > NOTED_PLACES ? [...places.slice(0, NOTED_PLACES), `entries of ${places.length - NOTED_PLACES} more places`] : places;
    const larger = `ask again with a larger maxChars (at most ${MAX_MAX_CHARS}) to read them`;
    const dropped = named.length === 0 ? null : `${named.join(', ')} left out to keep this answer within maxChars (${maxChars}); ${larger}`;
    return [given, capShown === null ? null : cutNote(capShown, maxChars), dropped].filter((n) => n !== null).join('; ');
  };
  const compose = (): BoundAnswer => {
    const bounded = { ...body, note: noteOf(cap) };
    return { value: bounded, text: JSON.stringify(bounded) };
  };
  // Strings first, leaving room for the note (a cap of 7 digits, and a place or two cut after).
  const reserve = lengthOf(noteOf(MAX_MAX_CHARS)) + 200;
  const strings = fitStrings(body, Math.max(0, maxChars - reserve));
  if (strings.cap !== null) [body, cap] = [strings.value, strings.cap];
  let answer = compose();
  while (answer.text.length > maxChars) {
    const { node, path } = bulkiest(body);
    if (entriesOf(node).length === 0) {
      // Nothing left to leave out but the notes, which fit at any maxChars allowed: said, not sent too long.
      let note = noteOf(cap);
      while (lengthOf({ note }) > maxChars) note = headOf(note, note.length - Math.max(1, lengthOf({ note }) - maxChars));
      return { value: { note }, text: JSON.stringify({ note }) };
    }
    const place = placeOf(path);
    const before = cuts.get(place) ?? { left: 0, of: entriesOf(node).length };
    cuts.set(place, { left: before.left + dropLast(node, answer.text.length - maxChars), of: before.of });
    answer = compose();
  }
  return answer;
}

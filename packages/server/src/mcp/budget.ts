import { Type } from '@sinclair/typebox';

/**
 * Answers sized for an agent's context: an answer is JSON text of at most `maxChars` characters.
 * 40,000 characters (some 10,000 tokens) holds a trace outline of ~300 spans, a page of 50 trace
 * summaries, or an LLM call with a long prompt, and leaves an agent's context room for its work.
 * What does not fit is left out visibly: the answer says what, and how to ask for it.
 */

export const DEFAULT_MAX_CHARS = 40_000;
const MIN_MAX_CHARS = 2_000;
export const MAX_MAX_CHARS = 1_000_000;

/** `maxChars`: the one argument every tool adds to the REST API's parameters. */
export const MAX_CHARS = Type.Optional(
  Type.Integer({
    minimum: MIN_MAX_CHARS,
    maximum: MAX_MAX_CHARS,
    default: DEFAULT_MAX_CHARS,
    description:
      `the longest answer wanted, in characters of its JSON text, escapes and note included (default ${DEFAULT_MAX_CHARS}); ` +
      "what does not fit is left out, and the answer's note says how to get it",
  }),
);

/** The shortest a cut string keeps: shorter, a message or a prompt says nothing. */
const MIN_STRING_CHARS = 80;

const lengthOf = (value: unknown): number => JSON.stringify(value)?.length ?? 4;

/**
 * The first `chars` characters of `text`, one fewer rather than half a surrogate pair: a lone
 * surrogate is not text (JSON writes it as a 6-character escape, and a client may refuse it).
 */
export function headOf(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const last = text.charCodeAt(chars - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? chars - 1 : chars);
}

/** `value` with every string longer than `cap` characters cut to `cap`, saying how much was cut. */
export function cutStrings<T>(value: T, cap: number): T {
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'string' || v.length <= cap) return v;
      const head = headOf(v, cap);
      return `${head}…[${v.length - head.length} more characters]`;
    }),
  ) as T;
}

/** The longest string in `value`. */
function longestString(value: unknown): number {
  let longest = 0;
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string' && v.length > longest) longest = v.length;
    return v;
  });
  return longest;
}

/**
 * `value` within `maxChars` by cutting its longest strings (prompts, completions, attribute
 * values) to the longest length that fits, found by bisection; `cap` is that length, or `null`
 * when nothing was cut. Past the shortest cut it stops: the caller then leaves items out.
 */
export function fitStrings<T>(value: T, maxChars: number): { value: T; cap: number | null } {
  if (lengthOf(value) <= maxChars) return { value, cap: null };
  let low = MIN_STRING_CHARS;
  let high = longestString(value);
  if (high <= low) return { value, cap: null };
  // The longest cap that fits: each try is one pass over the value (a dozen for a 1 MB prompt).
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (lengthOf(cutStrings(value, mid)) <= maxChars) low = mid;
    else high = mid - 1;
  }
  return { value: cutStrings(value, low), cap: low };
}

/** Says what `fitStrings` cut. */
export const cutNote = (cap: number, maxChars: number): string =>
  `strings longer than ${cap} characters are cut ("…[N more characters]") to keep this answer within maxChars (${maxChars}); ask again with a larger maxChars to read them whole`;

/** An answer within its budget, and what was left out of it (`null`: nothing). */
export interface Fitted {
  value: Record<string, unknown>;
  note: string | null;
}

/**
 * An answer with a list (`{ traces: [...], nextCursor }`) within `maxChars`: its longest strings
 * cut first (never below a few hundred characters: past that, fewer whole items read better),
 * then the last items of `key` left out. Its `nextCursor` points past the items left out, so it
 * is dropped and the note says how to page instead: a smaller `limit`. `room`: the characters
 * to fit in, when less than `maxChars` (the caller adds notes of its own); notes name `maxChars`.
 */
export function fitList(answer: Record<string, unknown>, key: string, maxChars: number, room = maxChars): Fitted {
  if (lengthOf(answer) <= room) return { value: answer, note: null };
  const strings = fitStrings(answer, room);
  const cutEnough = strings.cap !== null && strings.cap >= 400;
  if (cutEnough && lengthOf(strings.value) <= room) return { value: strings.value, note: cutNote(strings.cap!, maxChars) };
  const cut = cutEnough ? strings.value : answer;
  const items = Array.isArray(cut[key]) ? (cut[key] as unknown[]) : [];
  const hasCursor = 'nextCursor' in answer;
  const kept: unknown[] = [];
  const shell = { ...cut, [key]: kept, ...(hasCursor ? { nextCursor: null } : {}) };
  // Room for the note too: this one's longest, the cut strings' beside it, and `,"note":""` with its escapes.
  const notesLength = noteOf(items.length, items.length, key, maxChars, hasCursor).length + (cutEnough ? cutNote(strings.cap!, maxChars).length + 2 : 0);
  const itemsRoom = room - lengthOf(shell) - notesLength - 20;
  let length = 0;
  for (const item of items) {
    const itemLength = lengthOf(item) + 1;
    if (length + itemLength > itemsRoom) break;
    kept.push(item);
    length += itemLength;
  }
  // One item is always shown, its strings cut to fit: an answer with none would only say "ask again".
  if (kept.length === 0 && items.length > 0) kept.push(fitStrings(items[0], Math.max(MIN_STRING_CHARS * 4, itemsRoom)).value);
  const left = kept.length < items.length ? noteOf(kept.length, items.length, key, maxChars, hasCursor) : null;
  const notes = [left, cutEnough ? cutNote(strings.cap!, maxChars) : null].filter((n) => n !== null);
  return { value: kept.length < items.length ? shell : { ...shell, nextCursor: answer.nextCursor }, note: notes.length === 0 ? null : notes.join('; ') };
}

function noteOf(kept: number, total: number, key: string, maxChars: number, hasCursor: boolean): string {
  const paging = hasCursor ? `; to page through them, ask again with limit=${Math.max(1, kept)} and then each answer's nextCursor` : '';
  return `${total - kept} of ${total} ${key} left out to keep this answer within maxChars (${maxChars})${paging}, or ask with a larger maxChars`;
}

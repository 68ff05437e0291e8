import type { ScoreConfig } from '@spoor/model';

/**
 * The rubric as a form: what a reviewer picked for each entry, the key that picks each value, and
 * the body sent to `POST /api/queues/:name/items/:itemId/submit`.
 */

/** A pick per entry name: a number (numeric), a label (categorical), true or false (boolean). */
export type Picks = Readonly<Record<string, number | string | boolean>>;

/** The values keys `1` to `9` pick for an entry, in order (fewer than nine when the entry has fewer). */
export function keyValues(config: ScoreConfig): (number | string | boolean)[] {
  if (config.type === 'categorical') return config.labels.slice(0, 9);
  if (config.type === 'boolean') return [true, false];
  const { min, max } = config;
  // A small whole range is picked value by value (1 to 5 is keys 1 to 5); any other (0 to 1 is a share) is nine even steps.
  if (Number.isInteger(min) && Number.isInteger(max) && max - min >= 2 && max - min < 9) return Array.from({ length: max - min + 1 }, (_, i) => min + i);
  return Array.from({ length: 9 }, (_, i) => round(min + ((max - min) * i) / 8));
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

/** The value key `digit` (1-9) picks for `config`, or `undefined` when that key picks none. */
export function valueForKey(config: ScoreConfig, digit: number): number | string | boolean | undefined {
  return keyValues(config)[digit - 1];
}

/** What the help line says the keys pick: `1 yes · 2 no`, `1 polite · 2 curt`, `1 1 · … · 5 5`. */
export function keyHelp(config: ScoreConfig): string {
  return keyValues(config)
    .map((v, i) => `${i + 1} ${shown(v)}`)
    .join(' · ');
}

export const shown = (v: number | string | boolean): string => (v === true ? 'yes' : v === false ? 'no' : String(v));

/** The scores of the picks, in rubric order; entries not picked are left out (the server wants at least one). */
export type ScoreSent = { name: string; value?: number | boolean; label?: string };

export function scoresOf(rubric: readonly ScoreConfig[], picks: Picks): ScoreSent[] {
  return rubric.flatMap((config): ScoreSent[] => {
    const pick = picks[config.name];
    if (pick === undefined) return [];
    return config.type === 'categorical' ? [{ name: config.name, label: String(pick) }] : [{ name: config.name, value: pick as number | boolean }];
  });
}

/** A corrected output as typed: JSON when it parses as JSON, else the text itself; `undefined` when blank. */
export function correctedOutputOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

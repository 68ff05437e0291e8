/**
 * How series tell apart: a colour from the Okabe–Ito palette (distinguishable with the common
 * colour-vision deficiencies; the values live in charts.css as `--series-N`, one set per theme,
 * each at least 3:1 against the background), and past four lines a dash pattern too, so a
 * line can be found in the legend without colour at all.
 */

/** Colours in the palette; series past the last reuse them with another dash. */
export const SERIES_COLOURS = 8;

/** Dash patterns (SVG `stroke-dasharray`); six, so with eight colours 24 series differ in both. */
const DASHES = ['', '6 3', '2 3', '9 3 2 3', '12 4', '2 2 6 2'];

export interface SeriesStyle {
  /** `series-N` class / `--series-N` variable. */
  colour: number;
  /** `undefined` for a solid line. */
  dash: string | undefined;
}

/** The style of series `index` among `count`: all solid up to four, dashed patterns beyond. */
export function seriesStyle(index: number, count: number): SeriesStyle {
  const dash = count > 4 ? DASHES[index % DASHES.length] : '';
  return { colour: index % SERIES_COLOURS, dash: dash === '' ? undefined : dash };
}

import type { PromptSplitEntry } from '@spoor/model';

/** `v3` for a whole label, `v3 90% · v4 10%` for a split. */
export function splitText(split: readonly PromptSplitEntry[]): string {
  if (split.length === 1) return `v${split[0]!.version}`;
  return split.map((s) => `v${s.version} ${s.weight}%`).join(' · ');
}

/** A p-value as people read one: `p < 0.001`, `p = 0.042`, or `–` when no test applied. */
export function pText(p: number | null): string {
  if (p === null) return '–';
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** The two versions a comparison URL names (`a`, `b`), for its heading. */
export function comparedVersions(url: string): [string, string] | null {
  const query = new URLSearchParams(url.slice(url.indexOf('?') + 1));
  const [a, b] = [query.get('a'), query.get('b')];
  return a === null || b === null ? null : [a, b];
}

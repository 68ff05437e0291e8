import { readFileSync } from 'node:fs';
import { EXPORT_SIGNALS } from '@spoor/model';
import { describe, expect, it } from 'vitest';
import { EXPORT_TABLES } from './export-columns.js';

const PAGE = readFileSync(new URL('../../../../../docs/scale-out.md', import.meta.url), 'utf8');
const SECTION = PAGE.slice(PAGE.indexOf('\n## Export (Parquet, JSONL)\n'));

describe('the export columns', () => {
  it.each(EXPORT_SIGNALS)('are the table of %s in docs/scale-out.md, in order, with their types', (signal) => {
    const rows = EXPORT_TABLES[signal].columns.map((c) => `| \`${c.name}\` | ${c.type === 'TIMESTAMP WITH TIME ZONE' ? 'TIMESTAMPTZ' : c.type} | ${c.what} |`);
    const at = SECTION.indexOf(`**${signal}**`);
    expect(at, `docs/scale-out.md's Export section has no **${signal}** table`).toBeGreaterThan(0);
    const table = SECTION.slice(at)
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(table.slice(0, rows.length)).toEqual(rows);
  });

  it('name each column once per signal', () => {
    for (const signal of EXPORT_SIGNALS) {
      const names = EXPORT_TABLES[signal].columns.map((c) => c.name);
      expect(new Set(names).size, signal).toBe(names.length);
    }
  });
});

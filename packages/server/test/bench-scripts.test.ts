import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

/**
 * Benchmarks run only when someone asks for their figures, so a name one of them imports can go
 * away unnoticed (bench:big-tree failed at load for a day: 031c28f had renamed what it imported).
 * Every name a bench script imports from a module of this repository is checked to be exported
 * there, without running the script.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*'(\.[^'$]+)'/g;

it('imports, in every bench script, only names its repository modules export (the built ones from dist)', async () => {
  const scripts: string[] = [];
  for (const pkg of await readdir(join(ROOT, 'packages'))) {
    const dir = join(ROOT, 'packages', pkg, 'bench');
    const files = await readdir(dir).catch(() => [] as string[]);
    scripts.push(...files.filter((f) => f.endsWith('.mjs')).map((f) => join(dir, f)));
  }
  expect(scripts.length).toBeGreaterThan(20);
  const missing: string[] = [];
  let checked = 0;
  for (const script of scripts) {
    for (const [, names, from] of (await readFile(script, 'utf8')).matchAll(IMPORT)) {
      const target = resolve(dirname(script), from!);
      const exported = await import(pathToFileURL(target).href).then(
        (m: Record<string, unknown>) => m,
        () => null,
      );
      for (const name of names!
        .split(',')
        .map((n) => n.trim().split(/\s+as\s+/)[0]!)
        .filter((n) => n !== '')) {
        checked++;
        if (exported === null || !(name in exported)) missing.push(`${script.slice(ROOT.length + 1)}: ${name} from ${from}`);
      }
    }
  }
  expect(checked).toBeGreaterThan(50);
  expect(missing).toEqual([]);
});

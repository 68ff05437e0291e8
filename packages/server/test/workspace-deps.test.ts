import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * A package that imports another of ours at run time declares it in `dependencies`: the build
 * order, `npm ci` and anyone installing the package rely on it. (Type-only imports vanish from
 * the build and need no declaration.)
 */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const PACKAGES = ['model', 'sdk', 'server', 'web'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** `@spoor/*` packages a file imports values from: `import x`, `import { a }` or `import { type A, b }`, not `import type`. */
function runtimeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)([^;]*?)\s+from\s+'(@spoor\/[\w-]+)'/gms)) {
    const names = match[1]!
      .replace(/[{}\s]/g, '')
      .split(',')
      .filter((n) => n !== '');
    if (names.some((name) => !name.startsWith('type'))) found.push(match[2]!);
  }
  return found;
}

describe('workspace packages', () => {
  it.each(PACKAGES)('@spoor/%s declares every package of ours it imports at run time', (name) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const used = new Set(sources(join(root, 'packages', name, 'src')).flatMap((file) => runtimeImports(readFileSync(file, 'utf8'))));
    const undeclared = [...used].filter((dep) => manifest.dependencies?.[dep] === undefined);
    expect(undeclared).toEqual([]);
  });

  it('@spoor/server takes @spoor/web as an optional peer: it installs and serves without the dashboard', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', 'server', 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    expect(manifest.dependencies?.['@spoor/web']).toBeUndefined();
    expect(manifest.peerDependenciesMeta?.['@spoor/web']?.optional).toBe(true);
    // Found at run time if installed (api/web-ui.ts), never imported.
    const imports = sources(join(root, 'packages', 'server', 'src')).flatMap((file) => runtimeImports(readFileSync(file, 'utf8')));
    expect(imports).not.toContain('@spoor/web');
  });

  it.each(PACKAGES)('@spoor/%s builds no test code: no file of its src but a test imports vitest', (name) => {
    const testCode = sources(join(root, 'packages', name, 'src')).filter((file) => /from 'vitest'/.test(readFileSync(file, 'utf8')));
    expect(testCode.map((file) => file.slice(root.length))).toEqual([]);
  });

  it('tells a value import from a type-only one', () => {
    expect(runtimeImports("import { costByBook, type PriceBook } from '@spoor/model';")).toEqual(['@spoor/model']);
    expect(runtimeImports("import type { Span } from '@spoor/model';\nimport { type Span2 } from '@spoor/sdk';")).toEqual([]);
  });
});
